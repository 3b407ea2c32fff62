/**
 * Step Functions retries tasks and Lambda retries invocations: every handler run a second time
 * with the same input must leave the store, the audit, the clusters, the load balancers, DNS and
 * the executions exactly as the first run left them.
 */
import { describe, expect, it } from 'vitest';
import { submitRelease } from '../../lambdas/app/submit-release';
import { RELEASE_LOCK_SCOPE } from '../../lambdas/core/naming';
import { handlers } from '../../lambdas/handlers';
import {
  EAST,
  type Json,
  planDocument,
  run,
  runningWorld,
  setRolloutStatus,
  submittedWorld,
  WEST,
  type World,
  worldState,
} from './world';

type HandlerName = keyof typeof handlers;

const passingSamples = [0, 1].map((minute) => ({
  at: `2026-11-22T10:0${minute}:00.000Z`,
  canary: { requests: 1000, errors: 1, p95LatencyMs: 120 },
  stable: { requests: 3000, errors: 3, p95LatencyMs: 118 },
}));

const service = (world: World, name: string, extra: Json = {}): Json => ({
  releaseId: world.releaseId,
  region: EAST,
  service: name,
  ...extra,
});

/** auth started, its canary at 25 % of traffic (step 0 done). */
async function authAt25(world: World): Promise<void> {
  await run(world, 'startServiceRollout', service(world, 'auth'));
  await run(world, 'prepareCanary', service(world, 'auth', { stepIndex: 0 }));
  await run(world, 'shiftTraffic', service(world, 'auth', { stepIndex: 0 }));
}

const failover = (world: World, extra: Json = {}): Json => ({
  failoverId: `failover-${world.releaseId}`,
  region: WEST,
  direction: 'failover',
  planReleaseId: world.releaseId,
  ...extra,
});

/** us-west-2 drained for its release, its weight back in two steps. */
const drainedWorld = () =>
  runningWorld((plan) => {
    const regions = plan.regions as Json[];
    regions[1]!.drain = { restoreSteps: [50, 100], restoreInterval: '1m' };
  });
/** A release with a 30-minute rollback window after its last wave. */
const windowedWorld = () =>
  runningWorld((plan) => {
    plan.waves = { ...(plan.waves as Json), rollbackWindow: '30m' };
  });
const drain = (world: World, extra: Json = {}): Json => ({
  releaseId: world.releaseId,
  region: WEST,
  ...extra,
});

/** Another release queued behind the world's, which holds the lock (or, `lockFree`, let it go). */
async function queuedBehind(world: World, lockFree: boolean): Promise<Json> {
  await submitRelease(world.ports, planDocument(`${world.releaseId}-next`), 'bob', { queue: true });
  if (lockFree) await world.ports.store.releaseLock(RELEASE_LOCK_SCOPE, world.releaseId);
  return { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
}

interface Case {
  handler: HandlerName;
  /** Which case of the handler, when it has several. */
  as?: string;
  world?: () => Promise<World>;
  arrange: (world: World) => Promise<Json> | Json;
  /** Why the second answer may differ from the first (the state may not). */
  answerDiffers?: string;
}

const cases: Case[] = [
  { handler: 'validateRelease', world: submittedWorld, arrange: (w) => ({ releaseId: w.releaseId }) },
  { handler: 'acquireReleaseLock', arrange: (w) => ({ releaseId: w.releaseId }) },
  { handler: 'watchAlarms', arrange: (w) => ({ releaseId: w.releaseId }) },
  {
    handler: 'checkWaveHealth',
    arrange: async (w) => {
      for (const name of ['db', 'cache', 'auth', 'web']) await setRolloutStatus(w, EAST, name, 'COMPLETED');
      return { releaseId: w.releaseId, wave: 1, regions: [{ releaseId: w.releaseId, region: EAST }] };
    },
  },
  {
    handler: 'openRollbackWindow',
    as: 'with a window',
    world: windowedWorld,
    arrange: (w) => ({ releaseId: w.releaseId }),
  },
  { handler: 'openRollbackWindow', as: 'without one', arrange: (w) => ({ releaseId: w.releaseId }) },
  {
    handler: 'parkRollbackWindow',
    world: windowedWorld,
    arrange: async (w) => {
      await run(w, 'openRollbackWindow', { releaseId: w.releaseId });
      return { releaseId: w.releaseId, taskToken: 'window-token' };
    },
  },
  { handler: 'finalizeRelease', arrange: (w) => ({ releaseId: w.releaseId }) },
  {
    handler: 'finalizeRelease',
    as: 'after the window',
    world: windowedWorld,
    arrange: async (w) => {
      await run(w, 'openRollbackWindow', { releaseId: w.releaseId });
      await run(w, 'parkRollbackWindow', { releaseId: w.releaseId, taskToken: 'window-token' });
      return { releaseId: w.releaseId };
    },
  },
  {
    handler: 'refuseRelease',
    world: submittedWorld,
    arrange: (w) => ({
      releaseId: w.releaseId,
      error: { Error: 'LockHeldError', Cause: '{"errorMessage":"scope fleet is locked by release other"}' },
    }),
  },
  { handler: 'preflightRelease', arrange: (w) => ({ releaseId: w.releaseId }) },
  { handler: 'preflightPlan', arrange: (w) => ({ plan: w.plan }) },
  {
    handler: 'refuseAfterPreflight',
    arrange: (w) => ({
      releaseId: w.releaseId,
      preflight: {
        releaseId: w.releaseId,
        ok: false,
        checks: 3,
        problems: [
          {
            path: 'services[0].name',
            region: EAST,
            resource: 'Deployment shop/db',
            message: 'Deployment shop/db does not exist',
          },
        ],
      },
    }),
  },
  { handler: 'prepareRegion', arrange: (w) => ({ releaseId: w.releaseId, region: EAST }) },
  { handler: 'claimNextService', arrange: (w) => ({ releaseId: w.releaseId, region: EAST, lane: 0 }) },
  {
    handler: 'waitForDependency',
    as: 'parked while db runs',
    arrange: async (w) => {
      await setRolloutStatus(w, EAST, 'db', 'IN_PROGRESS', 'lane-0');
      await setRolloutStatus(w, EAST, 'cache', 'COMPLETED');
      return { releaseId: w.releaseId, region: EAST, lane: 1, taskToken: 'token-lane-1' };
    },
  },
  {
    handler: 'waitForDependency',
    as: 'resumed at once: cache is ready',
    arrange: async (w) => {
      await setRolloutStatus(w, EAST, 'db', 'IN_PROGRESS', 'lane-0');
      return { releaseId: w.releaseId, region: EAST, lane: 1, taskToken: 'token-lane-1' };
    },
  },
  {
    handler: 'wakeLanes',
    arrange: async (w) => {
      await w.ports.store.putTaskToken(
        { releaseId: w.releaseId, kind: 'dependency', name: `${EAST}/lane-1` },
        'token-lane-1',
      );
      return { releaseId: w.releaseId, region: EAST };
    },
    answerDiffers: 'it counts the lanes it woke: none the second time',
  },
  { handler: 'startServiceRollout', arrange: (w) => service(w, 'auth') },
  {
    handler: 'checkReadinessGate',
    arrange: async (w) => {
      await run(w, 'startServiceRollout', service(w, 'auth'));
      return service(w, 'auth', { stepIndex: 0 });
    },
  },
  {
    handler: 'prepareCanary',
    arrange: async (w) => {
      await run(w, 'startServiceRollout', service(w, 'auth'));
      return service(w, 'auth', { stepIndex: 0 });
    },
  },
  {
    handler: 'verifyRollout',
    arrange: async (w) => {
      await authAt25(w);
      return service(w, 'auth', { stepIndex: 0, track: 'canary' });
    },
  },
  {
    handler: 'shiftTraffic',
    arrange: async (w) => {
      await run(w, 'startServiceRollout', service(w, 'auth'));
      await run(w, 'prepareCanary', service(w, 'auth', { stepIndex: 0 }));
      return service(w, 'auth', { stepIndex: 0 });
    },
  },
  {
    handler: 'shiftTraffic',
    as: 'replica-ratio traffic',
    arrange: async (w) => {
      await run(w, 'startServiceRollout', service(w, 'web'));
      await run(w, 'prepareCanary', service(w, 'web', { stepIndex: 0 }));
      return service(w, 'web', { stepIndex: 0 });
    },
  },
  {
    handler: 'runAnalysis',
    arrange: async (w) => {
      await authAt25(w);
      w.ports.signals.samples = passingSamples;
      return service(w, 'auth', { stepIndex: 1, windowStart: '2026-11-22T09:58:00.000Z' });
    },
  },
  {
    handler: 'requestApproval',
    arrange: async (w) => {
      await authAt25(w);
      return service(w, 'auth', { stepIndex: 1, taskToken: 'approval-token', reason: 'inconclusive' });
    },
  },
  ...(['stop', 'start'] as const).map(
    (phase): Case => ({
      handler: 'recreateWorkload',
      as: phase,
      arrange: async (w) => {
        await run(w, 'startServiceRollout', service(w, 'db'));
        return service(w, 'db', { stepIndex: 0, phase });
      },
    }),
  ),
  ...(['updateStable', 'returnTraffic', 'retireCanary'] as const).map(
    (phase): Case => ({
      handler: 'promoteCanary',
      as: phase,
      arrange: async (w) => {
        await authAt25(w);
        return service(w, 'auth', { stepIndex: 4, phase });
      },
    }),
  ),
  {
    handler: 'advanceStep',
    arrange: async (w) => {
      await authAt25(w);
      return service(w, 'auth', { stepIndex: 0 });
    },
  },
  {
    handler: 'completeServiceRollout',
    arrange: async (w) => {
      await authAt25(w);
      return service(w, 'auth', { stepIndex: 5 });
    },
  },
  {
    handler: 'failServiceRollout',
    arrange: async (w) => {
      await authAt25(w);
      return service(w, 'auth', { error: { Error: 'AnalysisFailedError', Cause: 'canary errors' } });
    },
  },
  {
    handler: 'beginRollback',
    arrange: async (w) => {
      await authAt25(w);
      await w.ports.workflow.startExecution('serviceRollout', `${w.releaseId}-${EAST}-auth`, {});
      return { releaseId: w.releaseId, reason: 'auth failed analysis' };
    },
  },
  {
    handler: 'returnTrafficToStable',
    arrange: async (w) => {
      await authAt25(w);
      return { releaseId: w.releaseId, region: EAST };
    },
  },
  {
    handler: 'restoreWorkloads',
    arrange: async (w) => {
      await authAt25(w);
      return { releaseId: w.releaseId, region: EAST };
    },
  },
  {
    handler: 'verifyRestored',
    arrange: async (w) => {
      await authAt25(w);
      await run(w, 'returnTrafficToStable', { releaseId: w.releaseId, region: EAST });
      await run(w, 'restoreWorkloads', { releaseId: w.releaseId, region: EAST });
      return { releaseId: w.releaseId, region: EAST };
    },
  },
  {
    handler: 'finishRollback',
    arrange: async (w) => {
      await run(w, 'beginRollback', { releaseId: w.releaseId });
      return { releaseId: w.releaseId, startedAt: w.ports.clock.now().toISOString() };
    },
  },
  { handler: 'beginFailover', arrange: (w) => failover(w) },
  ...(['scaleRegions', 'verifyRegions', 'shiftDnsWeights', 'finishFailover'] as const).map(
    (handler): Case => ({
      handler,
      arrange: async (w) => {
        await run(w, 'beginFailover', failover(w));
        return failover(w);
      },
      ...(handler === 'shiftDnsWeights' && {
        answerDiffers: 'the same UPSERT batch again is a new Route 53 change, with its own id',
      }),
    }),
  ),
  {
    handler: 'failFailover',
    arrange: async (w) => {
      await run(w, 'beginFailover', failover(w));
      return { ...failover(w), error: { Error: 'RolloutStuckError', Cause: 'survivors never became ready' } };
    },
  },
  {
    handler: 'checkDnsSync',
    arrange: async (w) => {
      await run(w, 'beginFailover', failover(w));
      const { changeId } = (await run(w, 'shiftDnsWeights', failover(w))) as { changeId: string };
      return failover(w, { changeId });
    },
  },
  { handler: 'drainRegion', world: drainedWorld, arrange: (w) => drain(w) },
  ...(
    [
      ['verifyDrainScaled'],
      ['removeRegionWeight', 'the same weights again are a new Route 53 change, with its own id'],
      ['verifyDrainedRegion'],
      ['restoreRegionWeight', 'the same weights again are a new Route 53 change, with its own id'],
      ['finishDrain'],
      ['restoreDrainedRegion', 'the second finds the drain restored already, and says it restored nothing'],
    ] as const
  ).map(
    ([handler, answerDiffers]): Case => ({
      handler,
      world: drainedWorld,
      arrange: async (w) => {
        await run(w, 'drainRegion', drain(w));
        if (handler !== 'verifyDrainScaled') await run(w, 'removeRegionWeight', drain(w));
        return drain(w, handler === 'restoreRegionWeight' ? { step: 0 } : {});
      },
      ...(answerDiffers && { answerDiffers }),
    }),
  ),
  { handler: 'sweepReleaseQueue', as: 'the head waits', arrange: (w) => queuedBehind(w, false) },
  {
    handler: 'sweepReleaseQueue',
    as: "the head's turn",
    arrange: (w) => queuedBehind(w, true),
    answerDiffers: 'the first starts the head; the second finds the queue empty',
  },
  {
    // Names the rollback the release machine starts natively: the same name until one has run.
    handler: 'chooseReleaseRollback',
    arrange: (w) => ({ releaseId: w.releaseId }),
  },
  {
    handler: 'onAlarm',
    arrange: () => ({
      id: 'event-1',
      'detail-type': 'CloudWatch Alarm State Change',
      region: EAST,
      detail: {
        alarmName: `auth-${EAST}-canary-errors`,
        state: { value: 'ALARM', reason: 'threshold crossed' },
      },
    }),
    answerDiffers: 'the second delivery is recognised as a duplicate and rolls nothing back',
  },
];

describe('every handler run twice with the same input', () => {
  it('covers every handler in the registry', () => {
    expect(new Set(cases.map((entry) => entry.handler))).toEqual(new Set(Object.keys(handlers)));
  });

  it.each(
    cases.map((entry) => [entry.as ? `${entry.handler} (${entry.as})` : entry.handler, entry] as const),
  )(
    '%s changes nothing the second time',
    async (_name, { handler, world: build = runningWorld, arrange, answerDiffers }) => {
      const world = await build();
      const input = await arrange(world);
      const first = await run(world, handler, input);
      const afterFirst = worldState(world);
      const second = await run(world, handler, input);
      expect(worldState(world)).toEqual(afterFirst);
      if (!answerDiffers) expect(second).toEqual(first);
    },
  );
});
