import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../lambdas/core/plan/load';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import { rollbackOrder, rollbackStages } from '../../lambdas/core/rollback';

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
