import { describe, expect, it } from 'vitest';
import {
  judgeTargetGroup,
  judgeTrackReady,
  type RegisteredTarget,
  TARGET_HEALTH_STATES,
  targetOutcome,
  tracksSharingGroups,
} from '../../lambdas/core/target-health';

const healthy = (id: string): RegisteredTarget => ({ id, state: 'healthy' });

describe('targetOutcome', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
  it('names an outcome for every state the ELB API reports', () => {
    expect(TARGET_HEALTH_STATES.map((state) => [state, targetOutcome({ state })])).toEqual([
      ['initial', 'registering'],
      ['healthy', 'serving'],
      ['unhealthy', 'failingHealthChecks'],
      ['unhealthy.draining', 'leaving'],
      ['unused', 'notRegistered'],
      ['draining', 'leaving'],
      ['unavailable', 'unverifiable'],
    ]);
    expect(targetOutcome({ state: 'unused', reason: 'Target.NotInUse' })).toBe('notInUse');
  });
});

describe('judgeTargetGroup', () => {
  it('is ready once every expected target is healthy, draining ones aside', () => {
    const targets = [healthy('a'), healthy('b'), { id: 'c', state: 'draining' as const }];
    expect(judgeTargetGroup('web-canary', targets, 2)).toEqual({
      ready: true,
      message: 'web-canary: 2 healthy targets',
    });
  });

  it('is not ready while one target of several is still initial, and says so with its reason', () => {
    const targets = [
      healthy('a'),
      { id: 'b', state: 'initial' as const, reason: 'Elb.InitialHealthChecking' },
    ];
    expect(judgeTargetGroup('web-canary', targets, 2)).toEqual({
      ready: false,
      outcome: 'registering',
      message: 'web-canary: 1 of 2 targets healthy; 1 initial (Elb.InitialHealthChecking)',
    });
  });

  it('puts a group nothing forwards to first: it explains why nothing is healthy', () => {
    const targets: RegisteredTarget[] = [
      { id: 'a', state: 'initial', reason: 'Elb.RegistrationInProgress' },
      { id: 'b', state: 'unused', reason: 'Target.NotInUse' },
    ];
    expect(judgeTargetGroup('web-canary', targets, 2)).toMatchObject({ ready: false, outcome: 'notInUse' });
  });

  it('counts missing registrations when every registered target is healthy', () => {
    expect(judgeTargetGroup('web-canary', [healthy('a')], 3)).toEqual({
      ready: false,
      outcome: 'tooFewTargets',
      message: 'web-canary: 1 of 3 expected targets registered and healthy',
    });
  });
});

describe('tracksSharingGroups', () => {
  const groups = (stable: RegisteredTarget[], canary: RegisteredTarget[]) => ({
    stable: { name: 'web-stable', targets: stable },
    canary: { name: 'web-canary', targets: canary },
  });
  const pods = { stable: ['10.0.0.1', '10.0.0.2'], canary: ['10.0.1.1'] };

  it('finds nothing when each group holds only its own pods', () => {
    expect(
      tracksSharingGroups(groups([healthy('10.0.0.1'), healthy('10.0.0.2')], [healthy('10.0.1.1')]), pods),
    ).toEqual([]);
  });

  it('names canary pods in the stable group, and stable pods in the canary group', () => {
    expect(
      tracksSharingGroups(
        groups([healthy('10.0.0.1'), healthy('10.0.1.1')], [healthy('10.0.1.1'), healthy('10.0.0.2')]),
        pods,
      ),
    ).toEqual([
      'web-stable has canary pods registered (10.0.1.1)',
      'web-canary has stable pods registered (10.0.0.2)',
    ]);
  });

  it('names targets that are no pod of the service, and ignores ones leaving', () => {
    expect(
      tracksSharingGroups(
        groups([healthy('10.0.0.1'), healthy('10.9.9.9'), { id: '10.8.8.8', state: 'draining' }], []),
        pods,
      ),
    ).toEqual(['web-stable has targets that are not stable pods (10.9.9.9)']);
  });
});

describe('judgeTrackReady', () => {
  const where = { service: 'auth', region: 'us-east-1', track: 'canary' } as const;
  const healthy = (ids: string[]) => ids.map((id) => ({ id, port: 8080, state: 'healthy' as const }));
  const groups = (stable: string[], canary: string[], canaryTargets = healthy(canary)) => ({
    health: {
      stable: { name: 'auth-stable', targets: healthy(stable) },
      canary: { name: 'auth-canary', targets: canaryTargets },
    },
    podIps: { stable, canary },
  });
  const complete = { state: 'complete' as const, message: 'rolled out', desired: 2 };

  it.each([
    [
      'a stuck rollout',
      { ...complete, state: 'failed' as const, message: 'ProgressDeadlineExceeded' },
      undefined,
      'RolloutStuckError',
    ],
    [
      'a rollout still progressing',
      { ...complete, state: 'progressing' as const },
      groups([], []),
      'RolloutNotReadyError',
    ],
    ['a complete rollout with no traffic', complete, undefined, undefined],
    ['a complete rollout of no pods', { ...complete, desired: 0 }, groups([], []), undefined],
    [
      'a canary pod in the stable group',
      complete,
      {
        ...groups(['10.0.0.1'], ['10.0.0.2', '10.0.0.3']),
        health: groups(['10.0.0.1', '10.0.0.2'], ['10.0.0.2', '10.0.0.3']).health,
      },
      'SharedTargetGroupError',
    ],
    [
      'one desired pod not yet a target',
      complete,
      groups(['10.0.0.1'], ['10.0.0.2', '10.0.0.3'], healthy(['10.0.0.2'])),
      'TrafficNotReadyError',
    ],
    [
      'every desired pod a healthy target of its own group',
      complete,
      groups(['10.0.0.1'], ['10.0.0.2', '10.0.0.3']),
      undefined,
    ],
  ])('%s', (_case, rollout, given, expected) => {
    expect(judgeTrackReady(where, rollout, given)?.name).toBe(expected);
  });
});
