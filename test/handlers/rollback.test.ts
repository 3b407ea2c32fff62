import { describe, expect, it } from 'vitest';
import {
  LockHeldError,
  RollbackIncompleteError,
  StableNotReadyError,
  TransientClusterError,
} from '../../lambdas/core/errors';
import { abortAlarmName, RELEASE_LOCK_SCOPE } from '../../lambdas/core/naming';
import type { ClusterCall } from '../support/fakes';
import {
  auditActions,
  EAST,
  type Json,
  NEW_IMAGE,
  OLD_IMAGE,
  run,
  runningWorld,
  serviceKey,
  WEST,
  type World,
  workload,
} from './world';

const key = serviceKey;
const region = (world: World, name = EAST) => ({ releaseId: world.releaseId, region: name });

/**
 * us-east-1 mid-release: db recreated on the new image and completed, auth's canary at 25 % of
 * traffic, web's canary up (replica ratio); cache never started.
 */
async function midRelease(change?: (plan: Json) => void): Promise<World> {
  const world = await runningWorld(change);
  await run(world, 'startServiceRollout', key(world, 'db'));
  await run(world, 'recreateWorkload', key(world, 'db', { stepIndex: 0, phase: 'stop' }));
  await run(world, 'recreateWorkload', key(world, 'db', { stepIndex: 0, phase: 'start' }));
  await run(world, 'completeServiceRollout', key(world, 'db', { stepIndex: 1 }));
  for (const service of ['auth', 'web']) {
    await run(world, 'startServiceRollout', key(world, service));
    await run(world, 'prepareCanary', key(world, service, { stepIndex: 0 }));
    await run(world, 'shiftTraffic', key(world, service, { stepIndex: 0 }));
  }
  world.ports.cluster.calls.length = 0;
  world.ports.traffic.calls.length = 0;
  return world;
}

async function rollBack(world: World): Promise<void> {
  await run(world, 'beginRollback', { releaseId: world.releaseId, reason: 'auth failed analysis' });
  await run(world, 'returnTrafficToStable', region(world));
  await run(world, 'restoreWorkloads', region(world));
}

describe('beginRollback', () => {
  it('takes the lock over from the release, stops what still acts and names the touched regions', async () => {
    const world = await midRelease();
    const rollout = await world.ports.workflow.startExecution(
      'serviceRollout',
      `${world.releaseId}-${EAST}-auth`,
      {},
    );
    const answer = (await run(world, 'beginRollback', {
      releaseId: world.releaseId,
      reason: 'alarm',
    })) as Json;
    expect(answer.regions).toEqual([region(world)]);
    expect(await world.ports.store.getLock(RELEASE_LOCK_SCOPE)).toMatchObject({
      releaseId: world.releaseId,
      kind: 'rollback',
    });
    expect((await world.ports.store.getRelease(world.releaseId))?.status).toBe('ROLLING_BACK');
    expect(world.ports.workflow.stopped.map((entry) => [entry.executionArn, entry.error])).toEqual([
      [rollout.executionArn, 'ReleaseAbortedError'],
    ]);
  });

  it('does not take over a lock held by another rollback', async () => {
    const world = await midRelease();
    await world.ports.store.acquireLock(RELEASE_LOCK_SCOPE, { releaseId: 'other', kind: 'rollback' }, 600);
    await expect(run(world, 'beginRollback', { releaseId: world.releaseId })).rejects.toThrow(LockHeldError);
  });
});

describe('rollback order', () => {
  it('puts traffic back on stable for every touched service before any workload changes', async () => {
    const world = await midRelease();
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    await run(world, 'returnTrafficToStable', region(world));
    expect(world.ports.traffic.calls).toEqual([
      { service: 'auth', region: EAST, weights: { stable: 100, canary: 0 } },
    ]);
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 100, canary: 0 });
    // db and web have no load balancer: their canary pods are their canary traffic
    expect(world.ports.cluster.calls).toEqual([
      { op: 'removeCanary', deployment: 'db', mode: 'scaleToZero' },
      { op: 'removeCanary', deployment: 'web', mode: 'scaleToZero' },
    ]);
    expect(world.ports.cluster.deployment(workload(EAST, 'web'), 'canary')?.replicas).toBe(0);
  });

  it('restores dependents before their dependencies, and only touched services', async () => {
    const world = await midRelease();
    await rollBack(world);
    const restored = world.ports.cluster.calls
      .filter((call): call is Extract<ClusterCall, { op: 'restore' }> => call.op === 'restore')
      .map((call) => call.deployment);
    expect(restored).toEqual(['web', 'auth', 'db']);
    const audit = await world.ports.store.listAudit(world.releaseId);
    const traffic = audit.findIndex((entry) => entry.action === 'rollback.traffic-restored');
    const workloads = audit.findIndex((entry) => entry.action === 'rollback.workloads-restored');
    expect(traffic).toBeGreaterThan(-1);
    expect(workloads).toBeGreaterThan(traffic);
    expect(audit[workloads]?.detail).toEqual({ order: ['web', 'auth', 'db'] });
  });

  it('stops at the first stage that fails, so no dependency is restored under a dependent', async () => {
    const world = await midRelease();
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    world.ports.cluster.failingRestores.add('web');
    await expect(run(world, 'restoreWorkloads', region(world))).rejects.toThrow(TransientClusterError);
    const restored = world.ports.cluster.calls
      .filter((call) => call.op === 'restore')
      .map((call) => call.deployment);
    expect(restored).toEqual([]);
    expect(await auditActions(world)).not.toContain('rollback.workloads-restored');
  });
});

describe('returnTrafficToStable: stable ready first', () => {
  it('moves no traffic while stable is not ready at its replicas, and names what is left', async () => {
    const world = await midRelease();
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    world.ports.cluster.scriptRolloutStatus(workload(EAST, 'auth'), 'stable', ['progressing']);
    const returning = run(world, 'returnTrafficToStable', region(world));
    await expect(returning).rejects.toThrow(StableNotReadyError);
    await expect(returning).rejects.toThrow(
      /auth: 0 of 4 stable replicas ready and available .*Left as it was: auth keeps 25 % on its canary, web keeps \d+ % on its canary/,
    );
    expect(world.ports.traffic.calls).toEqual([]);
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 75, canary: 25 });
    expect(world.ports.cluster.deployment(workload(EAST, 'web'), 'canary')?.replicas).toBeGreaterThan(0);
    expect(await auditActions(world)).not.toContain('rollback.traffic-restored');
  });

  it('moves no traffic while stable targets are not healthy in their target group', async () => {
    const world = await midRelease();
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    const target = (state: 'healthy' | 'unhealthy', id: string) => ({
      id,
      state,
      ...(state === 'unhealthy' && { reason: 'Target.FailedHealthChecks' }),
    });
    world.ports.traffic.scriptHealth('auth', EAST, {
      stable: {
        name: 'auth-stable',
        targets: [
          target('healthy', '10.0.0.1'),
          target('healthy', '10.0.0.2'),
          target('unhealthy', '10.0.0.3'),
          target('unhealthy', '10.0.0.4'),
        ],
      },
      canary: { name: 'auth-canary', targets: [target('healthy', '10.0.1.1')] },
    });
    await expect(run(world, 'returnTrafficToStable', region(world))).rejects.toThrow(
      'auth: auth-stable: 2 of 4 targets healthy; 2 unhealthy (Target.FailedHealthChecks)',
    );
    expect(world.ports.traffic.calls).toEqual([]);
  });

  it('scales a stable that has fewer replicas than its snapshot back up before traffic returns', async () => {
    const world = await midRelease();
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    await world.ports.cluster.scale(workload(EAST, 'auth'), 1, 'stable');
    world.ports.cluster.calls.length = 0;
    await run(world, 'returnTrafficToStable', region(world));
    expect(world.ports.cluster.calls[0]).toEqual({
      op: 'scale',
      deployment: 'auth',
      replicas: 4,
      track: 'stable',
    });
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 100, canary: 0 });
    const scaled = (await world.ports.store.listAudit(world.releaseId)).find(
      (entry) => entry.action === 'rollback.stable-scaled',
    );
    expect(scaled).toMatchObject({ service: 'auth', region: EAST, detail: { from: 1, to: 4 } });
  });
});

describe('returnTrafficToStable: a ramp', () => {
  const withRamp = (steps: number[]) => (plan: Json) => {
    const auth = (plan.services as Json[]).find((service) => service.name === 'auth')!;
    auth.rollback = { ramp: { steps, interval: '45s' } };
  };

  it("steps the canary's weight down, one step per call, and says how long to hold each", async () => {
    const world = await midRelease(withRamp([50, 10, 0]));
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    // 50 is above auth's 25 %: a ramp never gives the canary more traffic.
    expect(await run(world, 'returnTrafficToStable', region(world))).toEqual({
      ...region(world),
      waitSeconds: 45,
    });
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 90, canary: 10 });
    // web has no load balancer: its canary goes at once
    expect(world.ports.cluster.deployment(workload(EAST, 'web'), 'canary')?.replicas).toBe(0);
    expect(await auditActions(world)).not.toContain('rollback.traffic-restored');
    expect(await run(world, 'returnTrafficToStable', region(world))).toEqual({
      ...region(world),
      waitSeconds: 0,
    });
    expect(world.ports.traffic.calls.map((call) => call.weights)).toEqual([
      { stable: 90, canary: 10 },
      { stable: 100, canary: 0 },
    ]);
    const audit = await world.ports.store.listAudit(world.releaseId);
    const stepped = audit.filter((entry) => entry.action === 'rollback.traffic-stepped');
    expect(stepped.map((entry) => entry.detail)).toEqual([
      { stable: 90, canary: 10, from: 25, holdSeconds: 45 },
    ]);
    expect(audit.map((entry) => entry.action)).toContain('rollback.traffic-restored');
  });

  it('checks stable again before each step', async () => {
    const world = await midRelease(withRamp([10, 0]));
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    await run(world, 'returnTrafficToStable', region(world));
    world.ports.cluster.scriptRolloutStatus(workload(EAST, 'auth'), 'stable', ['progressing']);
    await expect(run(world, 'returnTrafficToStable', region(world))).rejects.toThrow(
      'Left as it was: auth keeps 10 % on its canary',
    );
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 90, canary: 10 });
  });
});

describe('verifyRestored', () => {
  it('marks each touched service ROLLED_BACK once everything is as its snapshot', async () => {
    const world = await midRelease();
    await rollBack(world);
    expect(await run(world, 'verifyRestored', region(world))).toEqual({ ...region(world), verified: 3 });
    expect(world.ports.cluster.deployment(workload(EAST, 'db'))).toMatchObject({
      replicas: 1,
      images: { db: OLD_IMAGE('db') },
    });
    const statuses = Object.fromEntries(
      (await world.ports.store.listServiceRollouts(world.releaseId, EAST)).map((record) => [
        record.service,
        record.status,
      ]),
    );
    expect(statuses).toEqual({
      db: 'ROLLED_BACK',
      auth: 'ROLLED_BACK',
      web: 'ROLLED_BACK',
      cache: 'PENDING',
    });
  });

  it('raises RollbackIncompleteError naming what differs from the snapshot', async () => {
    const world = await midRelease();
    await rollBack(world);
    // someone redeploys auth's new image and moves traffic after the restore
    await world.ports.cluster.setImage(workload(EAST, 'auth'), 'auth', NEW_IMAGE('auth'));
    world.ports.traffic.readBack = (_target, asked) => asked;
    await world.ports.traffic.setWeights(
      {
        service: 'auth',
        region: EAST,
        alb: {
          type: 'alb',
          loadBalancerName: 'internal',
          port: 443,
          stableTargetGroup: 'auth-stable',
          canaryTargetGroup: 'auth-canary',
        },
      },
      { stable: 90, canary: 10 },
    );
    const verify = run(world, 'verifyRestored', region(world));
    await expect(verify).rejects.toThrow(RollbackIncompleteError);
    await expect(verify).rejects.toThrow(
      `${EAST}: auth: auth runs ${NEW_IMAGE('auth')}, not ${OLD_IMAGE('auth')}; auth: stable has 90 % of traffic`,
    );
    expect((await world.ports.store.getServiceRollout(world.releaseId, EAST, 'auth'))?.status).not.toBe(
      'ROLLED_BACK',
    );
  });

  it('leaves a region the release never touched alone', async () => {
    const world = await midRelease();
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    expect(await run(world, 'returnTrafficToStable', region(world, WEST))).toEqual({
      ...region(world, WEST),
      waitSeconds: 0,
    });
    expect(await run(world, 'verifyRestored', region(world, WEST))).toMatchObject({ verified: 0 });
    expect(world.ports.traffic.calls).toEqual([]);
  });
});

describe('finishRollback', () => {
  it('ends ROLLED_BACK, frees the lock and stops watching alarms', async () => {
    const world = await midRelease();
    await rollBack(world);
    await run(world, 'verifyRestored', region(world));
    world.ports.clock.advance(90);
    const startedAt = new Date(world.ports.clock.now().getTime() - 90_000).toISOString();
    expect(await run(world, 'finishRollback', { releaseId: world.releaseId, startedAt })).toEqual({
      releaseId: world.releaseId,
      status: 'ROLLED_BACK',
    });
    expect(await world.ports.store.getLock(RELEASE_LOCK_SCOPE)).toBeUndefined();
    expect(await world.ports.store.releasesWatching(`auth-${EAST}-canary-errors`)).toEqual([]);
    const abortAlarm = abortAlarmName(world.releaseId, EAST, 'auth');
    expect(await world.ports.store.releasesWatching(abortAlarm)).toEqual([]);
    // The abort alarm auth's canary got at its first weight is deleted; web (no compare check) had none.
    expect(world.ports.abortAlarms.removed).toEqual([`${EAST}/${abortAlarm}`]);
    expect([...world.ports.abortAlarms.alarms.keys()]).toEqual([]);
    const [completed] = (await world.ports.store.listAudit(world.releaseId)).filter(
      (entry) => entry.action === 'rollback.completed',
    );
    expect(completed?.detail).toEqual({ seconds: 90 });
  });

  it('ends FAILED, asking for a person, when the rollback could not complete', async () => {
    const world = await midRelease();
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    const answer = await run(world, 'finishRollback', {
      releaseId: world.releaseId,
      error: {
        Error: 'RollbackIncompleteError',
        Cause: '{"errorMessage":"us-east-1: auth: Deployment missing"}',
      },
    });
    expect(answer).toEqual({
      releaseId: world.releaseId,
      status: 'FAILED',
      reason: 'rollback incomplete, needs a person: us-east-1: auth: Deployment missing',
    });
    expect(world.ports.events.published.at(-1)?.detailType).toBe('Release Failed');
  });
});
