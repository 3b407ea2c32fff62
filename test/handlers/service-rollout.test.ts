import { describe, expect, it } from 'vitest';
import {
  AlarmNotOwnedError,
  AnalysisFailedError,
  ReadinessGateFailedError,
  ReleaseAbortedError,
  RolloutNotReadyError,
  RolloutStuckError,
  SharedTargetGroupError,
  TrafficNotReadyError,
  WeightsMismatchError,
} from '../../lambdas/core/errors';
import { abortAlarmName } from '../../lambdas/core/naming';
import type { ComparisonSample, RegisteredTarget } from '../../lambdas/ports';
import { securePodTemplate } from '../support/fakes';
import {
  auditActions,
  COMPARE_CHECK,
  EAST,
  HTTP_CHECK,
  type Json,
  NEW_IMAGE,
  OLD_IMAGE,
  run,
  runningWorld,
  serviceKey,
  type World,
  workload,
} from './world';

const key = serviceKey;

async function started(world: World, service: string): Promise<void> {
  await run(world, 'startServiceRollout', key(world, service));
}

const sample = (canary: [number, number, number], stable: [number, number, number]): ComparisonSample => ({
  at: '2026-11-22T10:00:00.000Z',
  canary: { requests: canary[0], errors: canary[1], p95LatencyMs: canary[2] },
  stable: { requests: stable[0], errors: stable[1], p95LatencyMs: stable[2] },
});
const HEALTHY = sample([1000, 1, 120], [3000, 3, 118]);
const ERRORS = sample([1000, 30, 120], [3000, 3, 118]);
const THIN = sample([20, 0, 120], [3000, 3, 118]);

describe('startServiceRollout', () => {
  it('snapshots the workload and its weights once, and returns the first step', async () => {
    const world = await runningWorld();
    const state = (await run(world, 'startServiceRollout', key(world, 'auth'))) as Json;
    expect(state).toMatchObject({ stepIndex: 0, stepCount: 5, step: { kind: 'setWeight', weight: 25 } });
    const [snapshot] = await world.ports.store.getSnapshots(world.releaseId, EAST);
    expect(snapshot).toMatchObject({
      service: 'auth',
      snapshot: { replicas: 4, images: { auth: OLD_IMAGE('auth') }, weights: { stable: 100, canary: 0 } },
    });
    // a later change to the cluster never replaces the first snapshot
    await world.ports.cluster.scale(workload(EAST, 'auth'), 9);
    await run(world, 'startServiceRollout', key(world, 'auth'));
    expect((await world.ports.store.getSnapshots(world.releaseId, EAST))[0]?.snapshot.replicas).toBe(4);
  });
});

describe('prepareCanary and shiftTraffic', () => {
  it('sizes the canary by ceil(replicas × weight) and moves the ALB weights', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    expect(world.ports.cluster.deployment(workload(EAST, 'auth'), 'canary')).toMatchObject({
      replicas: 1,
      images: { auth: NEW_IMAGE('auth') },
    });
    expect(world.ports.cluster.deployment(workload(EAST, 'auth'))?.replicas).toBe(4);
    const answer = (await run(world, 'shiftTraffic', key(world, 'auth', { stepIndex: 0 }))) as Json;
    // The step is done in the same write: the answer is the next step.
    expect(answer.stepIndex).toBe(1);
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 75, canary: 25 });
    expect(await world.ports.store.getServiceRollout(world.releaseId, EAST, 'auth')).toMatchObject({
      status: 'VALIDATING',
      weights: { stable: 75, canary: 25 },
    });
  });

  it('refuses a read-back that differs from what was asked, and records nothing', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    world.ports.traffic.readBack = () => ({ stable: 90, canary: 10 });
    const shift = run(world, 'shiftTraffic', key(world, 'auth', { stepIndex: 0 }));
    await expect(shift).rejects.toThrow(WeightsMismatchError);
    await expect(shift).rejects.toThrow('asked for 75/25, read back 90/10');
    expect(await auditActions(world)).not.toContain('traffic.shifted');
    expect((await world.ports.store.getServiceRollout(world.releaseId, EAST, 'auth'))?.weights).toEqual({
      stable: 100,
      canary: 0,
    });
  });

  it('without a load balancer, reports the weights the replica ratio gives', async () => {
    const world = await runningWorld();
    await started(world, 'web');
    await run(world, 'prepareCanary', key(world, 'web', { stepIndex: 0 }));
    await run(world, 'shiftTraffic', key(world, 'web', { stepIndex: 0 }));
    // 2 stable replicas and ceil(2 × 25 %) = 1 canary: a third of the pods
    expect((await world.ports.store.getServiceRollout(world.releaseId, EAST, 'web'))?.weights).toEqual({
      stable: 67,
      canary: 33,
    });
    expect(world.ports.traffic.calls).toEqual([]);
  });

  it('moves no traffic once the release is rolling back', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    await world.ports.store.setReleaseStatus(world.releaseId, 'ROLLING_BACK');
    await expect(run(world, 'shiftTraffic', key(world, 'auth', { stepIndex: 0 }))).rejects.toThrow(
      ReleaseAbortedError,
    );
    expect(world.ports.traffic.calls).toEqual([]);
  });
});

describe('verifyRollout', () => {
  it.each([
    ['progressing', RolloutNotReadyError],
    ['failed', RolloutStuckError],
  ] as const)('maps a %s rollout to %s', async (state, error) => {
    const world = await runningWorld();
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    world.ports.cluster.scriptRolloutStatus(workload(EAST, 'auth'), 'canary', [state]);
    await expect(
      run(world, 'verifyRollout', key(world, 'auth', { stepIndex: 0, track: 'canary' })),
    ).rejects.toThrow(error);
  });

  /** The group's targets: every pod of the track's Deployment, in the given states. */
  function groupOf(world: World, track: 'stable' | 'canary', ...states: RegisteredTarget[]) {
    const ips = world.ports.cluster.podIps(EAST, 'auth', track);
    return {
      name: `auth-${track}`,
      targets: ips.map((id, index) => ({ ...(states[index] ?? { state: 'healthy' as const }), id })),
    };
  }

  it('attaches the canary group to the forward action before its readiness is judged', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    expect(world.ports.traffic.attached).toEqual([{ service: 'auth', region: EAST }]);
  });

  it.each([
    [{ state: 'initial', reason: 'Elb.InitialHealthChecking' }, /1 initial \(Elb.InitialHealthChecking\)/],
    [
      {
        state: 'unused',
        reason: 'Target.NotInUse',
        description: 'Target group is not configured to receive traffic',
      },
      /unused \(Target.NotInUse: Target group is not configured/,
    ],
    [{ state: 'unhealthy', reason: 'Target.Timeout' }, /1 unhealthy \(Target.Timeout\)/],
    [
      { state: 'unavailable', reason: 'Target.HealthCheckDisabled' },
      /1 unavailable \(Target.HealthCheckDisabled\)/,
    ],
  ] as const)(
    'holds traffic back while a canary target is %o, naming its state and reason',
    async (health, message) => {
      const world = await runningWorld();
      await started(world, 'auth');
      await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
      world.ports.traffic.scriptHealth('auth', EAST, {
        stable: groupOf(world, 'stable'),
        canary: groupOf(world, 'canary', { id: '', ...health }),
      });
      const verify = run(world, 'verifyRollout', key(world, 'auth', { stepIndex: 0, track: 'canary' }));
      await expect(verify).rejects.toThrow(TrafficNotReadyError);
      await expect(verify).rejects.toThrow(message);
    },
  );

  it('refuses, naming the fix, when the stable group registers canary pods', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    const stable = groupOf(world, 'stable');
    const canary = groupOf(world, 'canary');
    stable.targets.push(...canary.targets);
    world.ports.traffic.scriptHealth('auth', EAST, { stable, canary });
    const verify = run(world, 'verifyRollout', key(world, 'auth', { stepIndex: 0, track: 'canary' }));
    await expect(verify).rejects.toThrow(SharedTargetGroupError);
    await expect(verify).rejects.toThrow(/auth-stable has canary pods registered \(10\.2\.0\.1/);
    await expect(verify).rejects.toThrow(/switchyard.dev\/track: stable/);
  });

  it('ignores draining targets of pods already gone', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    const stable = groupOf(world, 'stable');
    stable.targets.push({ id: '10.9.9.9', state: 'draining', reason: 'Target.DeregistrationInProgress' });
    world.ports.traffic.scriptHealth('auth', EAST, { stable, canary: groupOf(world, 'canary') });
    await expect(
      run(world, 'verifyRollout', key(world, 'auth', { stepIndex: 0, track: 'canary' })),
    ).resolves.toEqual(key(world, 'auth', { stepIndex: 0 }));
  });

  it('passes a complete, healthy rollout on, without its track', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    world.ports.cluster.scriptRolloutStatus(workload(EAST, 'auth'), 'canary', ['progressing', 'complete']);
    const input = key(world, 'auth', { stepIndex: 0, track: 'canary' });
    await expect(run(world, 'verifyRollout', input)).rejects.toThrow(RolloutNotReadyError);
    expect(await run(world, 'verifyRollout', input)).toEqual(key(world, 'auth', { stepIndex: 0 }));
  });
});

describe('runAnalysis', () => {
  async function analysing(change?: (plan: Json) => void): Promise<World> {
    const world = await runningWorld(change);
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    await run(world, 'shiftTraffic', key(world, 'auth', { stepIndex: 0 }));
    return world;
  }
  // The clock reads 10:00: a 2-minute window from 09:55 is complete and published.
  const analyse = (world: World, windowStart = '2026-11-22T09:55:00.000Z') =>
    run(world, 'runAnalysis', key(world, 'auth', { stepIndex: 1, windowStart }));
  const withInconclusive = (inconclusive: 'pause' | 'fail' | 'pass') => (plan: Json) => {
    const defaults = plan.defaults as { analysis: Json };
    defaults.analysis.inconclusive = inconclusive;
  };

  it('passes healthy intervals and counts them', async () => {
    const world = await analysing();
    world.ports.signals.samples = [HEALTHY, HEALTHY];
    const answer = (await analyse(world)) as Json;
    // A pass ends the step in the same write: the answer is the next step.
    expect(answer).toMatchObject({ verdict: 'pass', stepIndex: 2 });
    expect(await world.ports.store.getServiceRollout(world.releaseId, EAST, 'auth')).toMatchObject({
      verdict: 'pass',
      checksPassed: 2,
      checksFailed: 0,
      stepIndex: 2,
    });
    // the window asked for is the one the step planned: its two whole minutes
    expect(world.ports.signals.comparisons).toEqual([
      {
        region: EAST,
        from: new Date('2026-11-22T09:55:00.000Z'),
        to: new Date('2026-11-22T09:57:00.000Z'),
        periodSeconds: 60,
      },
    ]);
    const [entry] = (await world.ports.store.listAudit(world.releaseId)).filter(
      (audit) => audit.action === 'analysis.pass',
    );
    expect(entry?.detail).toMatchObject({
      stepIndex: 1,
      window: { from: '2026-11-22T09:55:00.000Z', to: '2026-11-22T09:57:00.000Z' },
    });
  });

  it('reads only periods old enough to be published: asked early, fewer; asked late, no more', async () => {
    const world = await analysing();
    world.ports.signals.samples = [HEALTHY];
    // From 09:56 only 09:56–09:57 ended 3 minutes before 10:00.
    await analyse(world, '2026-11-22T09:56:00.000Z');
    // From 09:40, the window still ends after its two minutes.
    await analyse(world, '2026-11-22T09:40:00.000Z');
    expect(
      world.ports.signals.comparisons.map(({ from, to }) => [from.toISOString(), to.toISOString()]),
    ).toEqual([
      ['2026-11-22T09:56:00.000Z', '2026-11-22T09:57:00.000Z'],
      ['2026-11-22T09:40:00.000Z', '2026-11-22T09:42:00.000Z'],
    ]);
  });

  it('asks CloudWatch nothing before any period of the window is published, and judges nothing', async () => {
    const world = await analysing();
    world.ports.signals.samples = [HEALTHY, HEALTHY];
    expect(await analyse(world, '2026-11-22T09:58:00.000Z')).toMatchObject({ verdict: 'inconclusive' });
    expect(world.ports.signals.comparisons).toEqual([]);
    const [entry] = (await world.ports.store.listAudit(world.releaseId)).filter(
      (audit) => audit.action === 'analysis.inconclusive',
    );
    expect(entry?.detail).toMatchObject({
      intervals: 0,
      details: ['compare judged nothing: no period of the window is published yet'],
    });
  });

  it('fails an interval with an unhealthy canary target, and does not pass one with no canary data', async () => {
    const world = await analysing();
    const noData = sample([0, 0, 0], [3000, 3, 118]);
    noData.canary = { requests: undefined, errors: 0, p95LatencyMs: undefined };
    const unhealthy = sample([1000, 1, 120], [3000, 3, 118]);
    unhealthy.canary.unhealthyTargets = 1;
    world.ports.signals.samples = [noData, unhealthy];
    await expect(analyse(world)).rejects.toThrow('1 failed interval(s), more than the limit of 0');
    expect(await world.ports.store.getServiceRollout(world.releaseId, EAST, 'auth')).toMatchObject({
      checksPassed: 0,
      checksFailed: 1,
    });
    const [entry] = (await world.ports.store.listAudit(world.releaseId)).filter(
      (audit) => audit.action === 'analysis.fail',
    );
    expect(entry?.detail).toMatchObject({
      inconclusive: 1,
      details: [
        expect.stringContaining('no canary data for the period'),
        expect.stringContaining('1 unhealthy canary target(s) at once (allowed 0)'),
      ],
    });
  });

  it('fails with AnalysisFailedError, and records the verdict before failing', async () => {
    const world = await analysing();
    world.ports.signals.samples = [HEALTHY, ERRORS];
    await expect(analyse(world)).rejects.toThrow(AnalysisFailedError);
    expect(await world.ports.store.getServiceRollout(world.releaseId, EAST, 'auth')).toMatchObject({
      verdict: 'fail',
      checksPassed: 1,
      checksFailed: 1,
      consecutiveFailures: 1,
    });
    expect(await auditActions(world)).toContain('analysis.fail');
  });

  it.each([
    ['pause', 'inconclusive'],
    ['pass', 'pass'],
  ] as const)('with too little canary traffic and inconclusive: %s answers %s', async (policy, verdict) => {
    const world = await analysing(withInconclusive(policy));
    world.ports.signals.samples = [THIN, THIN];
    expect(await analyse(world)).toMatchObject({ verdict });
  });

  it('with too little canary traffic and inconclusive: fail, fails', async () => {
    const world = await analysing(withInconclusive('fail'));
    world.ports.signals.samples = [THIN, THIN];
    await expect(analyse(world)).rejects.toThrow(AnalysisFailedError);
  });

  it('judges probes, alarms and hooks as the latest interval', async () => {
    const world = await analysing((plan) => {
      const defaults = plan.defaults as { analysis: Json };
      defaults.analysis.checks = [
        COMPARE_CHECK,
        HTTP_CHECK,
        { type: 'cloudwatchAlarms', alarmNames: ['auth-latency'] },
        { type: 'lambda', functionName: 'smoke-test' },
      ];
    });
    world.ports.signals.samples = [HEALTHY, HEALTHY];
    world.ports.signals.alarms = { 'auth-latency': 'ALARM' };
    await expect(analyse(world)).rejects.toThrow(/alarms in ALARM: auth-latency/);
  });

  it('a probe that fails fails the analysis', async () => {
    const world = await runningWorld();
    await started(world, 'web');
    world.ports.signals.http = { ok: false, detail: 'status 503, expected 200', latencyMs: 40 };
    await expect(run(world, 'runAnalysis', key(world, 'web', { stepIndex: 1 }))).rejects.toThrow(
      /http https:\/\/web.example.com\/healthz: status 503/,
    );
  });
});

describe('the wait before an analysis', () => {
  it('for compared metrics: to the next whole minute, the window, and 3 minutes to be published', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    world.ports.clock.advance(13.4);
    const state = (await run(world, 'advanceStep', key(world, 'auth', { stepIndex: 0 }))) as Json;
    expect(state).toMatchObject({
      stepIndex: 1,
      step: { kind: 'analysis', seconds: 120, metrics: { intervalSeconds: 60 } },
      windowStart: '2026-11-22T10:01:00.000Z',
      waitSeconds: 47 + 120 + 180,
    });
  });

  it('for probes only: the analysis duration, from now', async () => {
    const world = await runningWorld();
    await started(world, 'web');
    world.ports.clock.advance(13.4);
    const state = (await run(world, 'advanceStep', key(world, 'web', { stepIndex: 0 }))) as Json;
    expect(state).toMatchObject({
      stepIndex: 1,
      step: { kind: 'analysis', seconds: 60 },
      windowStart: '2026-11-22T10:00:13.400Z',
      waitSeconds: 60,
    });
    expect((state.step as Json).metrics).toBeUndefined();
  });
});

describe('checkReadinessGate', () => {
  it('fails an insecure template, naming its blockers', async () => {
    const world = await runningWorld();
    const template = securePodTemplate('auth', OLD_IMAGE('auth')) as { spec: { containers: Json[] } };
    const container = template.spec.containers[0]!;
    container.securityContext = { privileged: true, allowPrivilegeEscalation: true };
    delete container.readinessProbe;
    world.ports.cluster.addDeployment(workload(EAST, 'auth'), {
      replicas: 4,
      image: OLD_IMAGE('auth'),
      template,
    });
    const gate = run(world, 'checkReadinessGate', key(world, 'auth', { stepIndex: 0 }));
    await expect(gate).rejects.toThrow(ReadinessGateFailedError);
    await expect(gate).rejects.toThrow(
      `auth in ${EAST} failed the readiness gate: container auth is privileged; container auth allows privilege escalation; container auth has no readinessProbe: traffic could reach it before it is ready`,
    );
    const [entry] = (await world.ports.store.listAudit(world.releaseId)).filter(
      (audit) => audit.action === 'gate.failed',
    );
    expect(entry?.detail).toMatchObject({
      minScore: 80,
      blockers: expect.arrayContaining(['container auth is privileged']),
    });
  });

  it('passes a hardened template with its score', async () => {
    const world = await runningWorld();
    expect(await run(world, 'checkReadinessGate', key(world, 'auth', { stepIndex: 0 }))).toMatchObject({
      gateScore: 100,
    });
  });

  it('reports but does not stop when the plan does not enforce the gate', async () => {
    const world = await runningWorld((plan) => {
      const auth = (plan.services as Json[]).find((service) => service.name === 'auth')!;
      auth.readiness = { minScore: 80, enforce: false };
    });
    world.ports.cluster.addDeployment(workload(EAST, 'auth'), {
      replicas: 4,
      image: OLD_IMAGE('auth'),
      template: { spec: { containers: [{ name: 'auth', image: OLD_IMAGE('auth') }] } },
    });
    expect(await run(world, 'checkReadinessGate', key(world, 'auth', { stepIndex: 0 }))).toMatchObject({
      gateScore: 0,
    });
    expect(await auditActions(world)).toContain('gate.passed');
  });
});

describe('promotion', () => {
  it('stable takes the new image, then all traffic, then the canary scales to zero', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    await run(world, 'shiftTraffic', key(world, 'auth', { stepIndex: 0 }));
    for (const phase of ['updateStable', 'returnTraffic', 'retireCanary']) {
      await run(world, 'promoteCanary', key(world, 'auth', { stepIndex: 4, phase }));
    }
    expect(world.ports.cluster.deployment(workload(EAST, 'auth'))).toMatchObject({
      replicas: 4,
      images: { auth: NEW_IMAGE('auth') },
    });
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 100, canary: 0 });
    expect(world.ports.cluster.deployment(workload(EAST, 'auth'), 'canary')?.replicas).toBe(0);
    expect(world.ports.cluster.calls.map((call) => call.op)).toEqual([
      'ensureCanary',
      'setImage',
      'scale',
      'removeCanary',
    ]);
  });
});

describe("the canary's abort alarm", () => {
  const abortAlarm = (world: World) => abortAlarmName(world.releaseId, EAST, 'auth');

  it('is made before the first weight, on the canary group against the abort limits, and watched', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    const made = world.ports.abortAlarms.alarms.get(`${EAST}/${abortAlarm(world)}`);
    expect(made?.definition).toMatchObject({
      releaseId: world.releaseId,
      service: 'auth',
      limits: { errorRatePercent: COMPARE_CHECK.abortErrorRatePercent },
      traffic: { canaryTargetGroupArn: expect.stringContaining('auth-canary') },
    });
    expect(await world.ports.store.releasesWatching(abortAlarm(world))).toEqual([world.releaseId]);
    expect(await auditActions(world)).toContain('abort-alarm.created');
    // A later weight makes nothing new.
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 2 }));
    expect(world.ports.abortAlarms.alarms.size).toBe(1);
  });

  it('is deleted when the canary is promoted and the rollout completes', async () => {
    const world = await runningWorld();
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    await run(world, 'completeServiceRollout', key(world, 'auth', { stepIndex: 5 }));
    expect(world.ports.abortAlarms.removed).toEqual([`${EAST}/${abortAlarm(world)}`]);
    expect(await auditActions(world)).toContain('abort-alarm.deleted');
  });

  it('is not made with abortAlarm: false, nor for a service without abort limits', async () => {
    const world = await runningWorld((plan) => {
      const defaults = plan.defaults as { analysis: { checks: Json[] } };
      defaults.analysis.checks = [{ ...COMPARE_CHECK, abortAlarm: false }];
    });
    await started(world, 'auth');
    await run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }));
    await started(world, 'web');
    await run(world, 'prepareCanary', key(world, 'web', { stepIndex: 0 }));
    expect(world.ports.abortAlarms.alarms.size).toBe(0);
  });

  it('refuses, naming the alarm, when an alarm of that name is not Switchyard’s', async () => {
    const world = await runningWorld();
    world.ports.abortAlarms.alarms.set(`${EAST}/${abortAlarm(world)}`, { owned: false });
    await started(world, 'auth');
    await expect(run(world, 'prepareCanary', key(world, 'auth', { stepIndex: 0 }))).rejects.toThrow(
      AlarmNotOwnedError,
    );
  });
});

describe('recreateWorkload', () => {
  it('stops every old pod before starting the new version', async () => {
    const world = await runningWorld();
    await started(world, 'db');
    await run(world, 'recreateWorkload', key(world, 'db', { stepIndex: 0, phase: 'stop' }));
    expect(world.ports.cluster.deployment(workload(EAST, 'db'))?.replicas).toBe(0);
    await run(world, 'recreateWorkload', key(world, 'db', { stepIndex: 0, phase: 'start' }));
    expect(world.ports.cluster.calls).toEqual([
      { op: 'scale', deployment: 'db', track: 'stable', replicas: 0 },
      { op: 'setImage', deployment: 'db', track: 'stable', container: 'db', image: NEW_IMAGE('db') },
      { op: 'scale', deployment: 'db', track: 'stable', replicas: 1 },
    ]);
  });
});
