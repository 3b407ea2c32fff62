import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../lambdas/core/plan/load';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import {
  judgeRestored,
  nextReturnWeight,
  type RestoredReading,
  type RestoreJudgement,
  rollbackOrder,
  rollbackReason,
  rollbackScope,
  rollbackStages,
  stableNotReadyReason,
} from '../../lambdas/core/rollback';
import type { ServiceRolloutRecord } from '../../lambdas/ports';

/** The reference platform's dependency graph (examples/platform.yaml). */
const loaded = loadPlan(readFileSync(new URL('../../examples/platform.yaml', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error(`examples/platform.yaml is invalid: ${JSON.stringify(loaded.problems)}`);
const plan = resolvePlan(loaded.plan);
const dependsOn = (service: string) => plan.services.get(service)?.dependsOn ?? [];
const ALL = [...plan.services.keys()];

/** Stages compared as sets: services of one stage are restored together. */
const asSets = (stages: string[][]) => stages.map((stage) => [...stage].sort());

describe('rollbackOrder', () => {
  it('restores every dependent before anything it depends on, on the whole platform', () => {
    const order = rollbackOrder(ALL, dependsOn);
    expect([...order].sort()).toEqual([...ALL].sort());
    for (const service of ALL) {
      for (const dependency of dependsOn(service)) {
        expect(order.indexOf(service), `${service} before ${dependency}`).toBeLessThan(
          order.indexOf(dependency),
        );
      }
    }
  });

  it('orders the platform as hand-computed: the reverse of its rollout order', () => {
    expect(rollbackOrder(ALL, dependsOn)).toEqual([
      'api-gateway',
      'circle-of-experts',
      'bashgod',
      'code-crawler',
      'mcp-memory',
      'mcp-github',
      'mcp-filesystem',
      'grafana',
      'auth',
      'jaeger',
      'prometheus',
      'redis',
      'postgres',
    ]);
  });

  it.each<[string, string[], string[]]>([
    [
      'a chain',
      ['postgres', 'auth', 'mcp-filesystem', 'code-crawler'],
      ['code-crawler', 'mcp-filesystem', 'auth', 'postgres'],
    ],
    [
      'only touched services, in the order their edges demand',
      ['redis', 'mcp-memory', 'auth'],
      ['mcp-memory', 'auth', 'redis'],
    ],
    ['one service', ['grafana'], ['grafana']],
    ['nothing touched', [], []],
  ])('%s', (_name, touched, expected) => {
    expect(rollbackOrder(touched, dependsOn)).toEqual(expected);
  });
});

describe('rollbackStages', () => {
  it('stages the whole platform: each stage after every dependent of its services', () => {
    expect(asSets(rollbackStages(ALL, dependsOn))).toEqual([
      ['api-gateway', 'bashgod', 'grafana', 'jaeger', 'mcp-github'],
      ['circle-of-experts', 'code-crawler', 'prometheus'],
      ['mcp-filesystem', 'mcp-memory'],
      ['auth'],
      ['postgres', 'redis'],
    ]);
  });

  it.each<[string, string[], string[][]]>([
    [
      'a region that got as far as the agents',
      ['postgres', 'redis', 'auth', 'mcp-memory', 'bashgod'],
      [['bashgod'], ['mcp-memory'], ['auth'], ['postgres', 'redis']],
    ],
    [
      'dependencies not touched are not waited for',
      ['auth', 'mcp-github', 'mcp-filesystem'],
      [['mcp-filesystem', 'mcp-github'], ['auth']],
    ],
    [
      'independent services restore together',
      ['jaeger', 'prometheus', 'postgres'],
      [['jaeger', 'postgres', 'prometheus']],
    ],
    ['nothing touched', [], []],
  ])('%s', (_name, touched, expected) => {
    expect(asSets(rollbackStages(touched, dependsOn))).toEqual(expected);
  });

  it('holds the same services as rollbackOrder, in an order consistent with it', () => {
    const stages = rollbackStages(ALL, dependsOn);
    expect(stages.flat().sort()).toEqual([...ALL].sort());
    const stageOf = new Map(
      stages.flatMap((stage, index) => stage.map((service) => [service, index] as const)),
    );
    for (const service of ALL) {
      for (const dependency of dependsOn(service))
        expect(stageOf.get(service)!).toBeLessThan(stageOf.get(dependency)!);
    }
  });
});

describe('judgeRestored', () => {
  const snapshot = {
    existed: true,
    replicas: 4,
    images: { app: 'auth:1.0' },
    canary: { existed: false, replicas: 0 },
  };
  const back = {
    deployment: { images: { app: 'auth:1.0' }, replicas: 4 },
    status: { state: 'complete' as const, message: 'rolled out' },
    canary: { replicas: 0 },
    weights: { stable: 100, canary: 0 },
  };
  it.each<[string, typeof snapshot, RestoredReading, RestoreJudgement]>([
    ['everything as the snapshot says', snapshot, back, { wrong: [], settling: [] }],
    [
      'no load balancer: traffic is not read',
      snapshot,
      { ...back, weights: undefined },
      { wrong: [], settling: [] },
    ],
    ['the Deployment is gone', snapshot, {}, { wrong: ['auth: Deployment missing'], settling: [] }],
    [
      'a Deployment the release created is gone, as it should be',
      { ...snapshot, existed: false },
      { canary: undefined },
      { wrong: [], settling: [] },
    ],
    [
      'the old image and replicas are not back',
      snapshot,
      { ...back, deployment: { images: { app: 'auth:2.0' }, replicas: 6 } },
      { wrong: ['auth: app runs auth:2.0, not auth:1.0', 'auth: 6 replicas, not 4'], settling: [] },
    ],
    [
      'still rolling out: look again later',
      snapshot,
      { ...back, status: { state: 'progressing', message: '2 of 4 updated' } },
      { wrong: [], settling: ['auth: 2 of 4 updated'] },
    ],
    [
      'a rollout that failed needs a person',
      snapshot,
      { ...back, status: { state: 'failed', message: 'ProgressDeadlineExceeded' } },
      { wrong: ['auth: ProgressDeadlineExceeded'], settling: [] },
    ],
    [
      'canary replicas left behind',
      snapshot,
      { ...back, canary: { replicas: 1 } },
      { wrong: ['auth: canary still has 1 replicas'], settling: [] },
    ],
    [
      'a canary that existed before may keep its replicas',
      { ...snapshot, canary: { existed: true, replicas: 1 } },
      { ...back, canary: { replicas: 1 } },
      { wrong: [], settling: [] },
    ],
    [
      'stable does not have all traffic',
      snapshot,
      { ...back, weights: { stable: 90, canary: 10 } },
      { wrong: ['auth: stable has 90 % of traffic'], settling: [] },
    ],
  ])('%s', (_name, snap, reading, judgement) => {
    expect(judgeRestored('auth', snap, reading)).toEqual(judgement);
  });
});

describe('rollbackReason', () => {
  const failed = (service: string, endedAt: string, reason: string) =>
    ({ service, region: 'eu-west-1', status: 'FAILED', endedAt, reason }) as ServiceRolloutRecord;
  it.each<[string, string | undefined, ServiceRolloutRecord[], string]>([
    [
      'the reason given wins',
      'alarm auth-5xx in ALARM',
      [failed('auth', '2', 'x')],
      'alarm auth-5xx in ALARM',
    ],
    [
      'else the first failure, naming its service',
      undefined,
      [failed('web', '2', 'late'), failed('auth', '1', 'gate failed')],
      'auth in eu-west-1: gate failed',
    ],
    [
      'a reason that names its service is kept as it is',
      undefined,
      [failed('auth', '1', 'auth failed analysis')],
      'auth failed analysis',
    ],
    ['nothing known', undefined, [], 'a step failed'],
  ])('%s', (_name, given, records, reason) => {
    expect(rollbackReason(given, records)).toBe(reason);
  });
});

describe('rollbackScope', () => {
  const rollout = (region: string, service: string, status: ServiceRolloutRecord['status']) =>
    ({ region, service, status }) as ServiceRolloutRecord;
  it('covers regions with a touched service, stopping rollouts, then lanes, then the region', () => {
    const scope = rollbackScope(
      'r1',
      [
        { name: 'us-east-1', concurrency: 2, services: ['a', 'b', 'c'] },
        { name: 'eu-west-1', concurrency: 1, services: ['a'] },
      ],
      [
        rollout('us-east-1', 'a', 'COMPLETED'),
        rollout('us-east-1', 'b', 'VALIDATING'),
        rollout('us-east-1', 'c', 'PENDING'),
        rollout('eu-west-1', 'a', 'PENDING'),
      ],
    );
    expect(scope.regions).toEqual(['us-east-1']);
    expect(scope.executions.map((entry) => entry.machine)).toEqual([
      'serviceRollout',
      'serviceLane',
      'serviceLane',
      'regionRollout',
    ]);
  });
});

describe('nextReturnWeight', () => {
  const ramp = { steps: [50, 20, 0] };

  it('moves to the first step below the canary, never above it', () => {
    expect(nextReturnWeight(100, ramp)).toBe(50);
    expect(nextReturnWeight(50, ramp)).toBe(20);
    expect(nextReturnWeight(30, ramp)).toBe(20);
    expect(nextReturnWeight(20, ramp)).toBe(0);
    expect(nextReturnWeight(10, ramp)).toBe(0);
  });

  it('goes to 0 at once without a ramp, and stays at 0', () => {
    expect(nextReturnWeight(75, undefined)).toBe(0);
    expect(nextReturnWeight(0, ramp)).toBe(0);
  });
});

describe('stableNotReadyReason', () => {
  const status = (ready: number, available = ready) => ({ ready, available, message: 'rolling out' });
  const targets = (healthy: number, initial: number) => ({
    name: 'auth-stable',
    targets: [
      ...Array.from({ length: healthy }, (_, index) => ({
        id: `10.0.0.${index}`,
        state: 'healthy' as const,
      })),
      ...Array.from({ length: initial }, (_, index) => ({
        id: `10.0.1.${index}`,
        state: 'initial' as const,
        reason: 'Elb.InitialHealthChecking',
      })),
    ],
  });

  it('is ready when every replica of the snapshot is ready, available and a healthy target', () => {
    expect(stableNotReadyReason('auth', 6, { status: status(6), group: targets(6, 0) })).toBeUndefined();
    expect(stableNotReadyReason('web', 2, { status: status(3) })).toBeUndefined();
  });

  it('counts the fewer of ready and available replicas', () => {
    expect(stableNotReadyReason('auth', 6, { status: status(6, 4), group: targets(6, 0) })).toBe(
      'auth: 4 of 6 stable replicas ready and available (rolling out)',
    );
  });

  it('waits for targets that are not healthy yet: an ALB routes only to healthy ones', () => {
    expect(stableNotReadyReason('auth', 6, { status: status(6), group: targets(4, 2) })).toBe(
      'auth: auth-stable: 4 of 6 targets healthy; 2 initial (Elb.InitialHealthChecking)',
    );
  });
});
