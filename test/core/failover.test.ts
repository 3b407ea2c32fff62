import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lambdas/core/errors';
import {
  type FailoverPlan,
  type FailoverRecord,
  failbackRecord,
  failoverScaleTargets,
  judgeScaledRollouts,
  planFailover,
  scaledReplicas,
  weightsByRegion,
  weightsBySetId,
} from '../../lambdas/core/failover';

describe('planFailover', () => {
  it.each<[string, Record<string, number>, string, FailoverPlan]>([
    [
      'two survivors of equal weight absorb the failing region equally',
      { use1: 100, usw2: 100, euw1: 50 },
      'euw1',
      { weights: { euw1: 0, use1: 125, usw2: 125 }, scaleFactors: { use1: 1.25, usw2: 1.25 } },
    ],
    [
      'survivors absorb in proportion to their own weights (100 : 50)',
      { a: 100, b: 50, c: 50 },
      'c',
      { weights: { c: 0, a: 133, b: 67 }, scaleFactors: { a: 4 / 3, b: 4 / 3 } },
    ],
    [
      'weights are capped at Route 53’s 255',
      { a: 255, b: 255 },
      'b',
      { weights: { b: 0, a: 255 }, scaleFactors: { a: 2 } },
    ],
    [
      'survivors all at 0 split the traffic evenly and scale as far as allowed',
      { a: 100, b: 0, c: 0 },
      'a',
      { weights: { a: 0, b: 50, c: 50 }, scaleFactors: { b: 3, c: 3 } },
    ],
    [
      'all at 0 (Route 53 splits evenly): the survivor takes everything, twice its share',
      { a: 0, b: 0 },
      'a',
      { weights: { a: 0, b: 1 }, scaleFactors: { b: 2 } },
    ],
    [
      'a survivor drained on purpose stays at 0 and is not scaled',
      { a: 100, b: 100, drained: 0 },
      'a',
      { weights: { a: 0, b: 200, drained: 0 }, scaleFactors: { b: 2, drained: 1 } },
    ],
    [
      'survivors keep their ratio inside 0–255 (one common factor), and scale by their new share',
      { a: 255, b: 1, c: 254 },
      'c',
      { weights: { c: 0, a: 255, b: 1 }, scaleFactors: { a: 510 / 256, b: 510 / 256 } },
    ],
    [
      'a scale factor is capped (10× wanted, 3× allowed)',
      { a: 90, b: 10 },
      'a',
      { weights: { a: 0, b: 100 }, scaleFactors: { b: 3 } },
    ],
    [
      'failing a region already at 0 changes no survivor',
      { a: 100, b: 100, c: 0 },
      'c',
      { weights: { c: 0, a: 100, b: 100 }, scaleFactors: { a: 1, b: 1 } },
    ],
  ])('%s', (_name, current, failing, expected) => {
    const plan = planFailover(current, failing);
    expect(plan.weights).toEqual(expected.weights);
    expect(Object.keys(plan.scaleFactors).sort()).toEqual(Object.keys(expected.scaleFactors).sort());
    for (const [region, factor] of Object.entries(expected.scaleFactors)) {
      expect(plan.scaleFactors[region]).toBeCloseTo(factor, 9);
    }
  });

  it('takes its cap on scale factors as a parameter', () => {
    expect(planFailover({ a: 90, b: 10 }, 'a', 5).scaleFactors).toEqual({ b: 5 });
    expect(planFailover({ a: 90, b: 10 }, 'a', 20).scaleFactors.b).toBeCloseTo(10, 9);
  });

  it.each<[string, Record<string, number>, string, string]>([
    [
      'the only region',
      { use1: 100 },
      'use1',
      'region use1 is the only region: there is nowhere to fail over to',
    ],
    ['an unknown region', { use1: 100, usw2: 100 }, 'euw1', 'region euw1 has no weighted record'],
  ])('refuses %s', (_name, current, failing, message) => {
    expect(() => planFailover(current, failing)).toThrow(InvalidInputError);
    expect(() => planFailover(current, failing)).toThrow(message);
  });
});

describe('scaledReplicas', () => {
  it.each([
    [4, 1.25, 5],
    [3, 4 / 3, 4],
    [6, 2, 12],
    [5, 1, 5],
    [0, 3, 0],
    // rounds up: 3 × 1.25 = 3.75
    [3, 1.25, 4],
    // float noise does not cost a replica: 50 × 1.1 = 55.000000000000014
    [50, 1.1, 55],
    [10, 2.3000000000000003, 23],
    // never fewer than before
    [4, 0.5, 4],
  ])('%i replicas × %d → %i', (replicas, factor, expected) => {
    expect(scaledReplicas(replicas, factor)).toBe(expected);
  });
});

describe('failoverScaleTargets', () => {
  const services: Record<string, { strategy: { type: string }; failover?: { scale: boolean } }> = {
    web: { strategy: { type: 'canary' } },
    db: { strategy: { type: 'recreate' } },
    batch: { strategy: { type: 'rolling' }, failover: { scale: false } },
  };
  it('scales every survivor service by its region’s factor, except the single writers', () => {
    const targets = failoverScaleTargets(
      { 'eu-west-1': 2, 'ap-south-1': 1.5 },
      (region) => (region === 'eu-west-1' ? ['web', 'db'] : ['web', 'batch']),
      (name) => services[name]!,
    );
    expect(targets).toEqual({
      scale: [
        { region: 'eu-west-1', service: 'web', factor: 2 },
        { region: 'ap-south-1', service: 'web', factor: 1.5 },
      ],
      unscaled: [
        { region: 'eu-west-1', service: 'db', reason: 'strategy recreate' },
        { region: 'ap-south-1', service: 'batch', reason: 'failover.scale false' },
      ],
    });
  });
});

describe('failbackRecord', () => {
  it('restores the weights before the failover and reverses each scaling', () => {
    const failover: FailoverRecord = {
      kind: 'failover',
      region: 'us-east-1',
      direction: 'failover',
      planReleaseId: 'r1',
      weightsBefore: { 'us-east-1': 50, 'eu-west-1': 50 },
      weightsAfter: { 'us-east-1': 0, 'eu-west-1': 100 },
      replicas: [{ region: 'eu-west-1', service: 'web', before: 4, after: 8 }],
    };
    expect(failbackRecord(failover, { 'us-east-1': 0, 'eu-west-1': 100 }, 'r2')).toEqual({
      kind: 'failover',
      region: 'us-east-1',
      direction: 'failback',
      planReleaseId: 'r2',
      weightsBefore: { 'us-east-1': 0, 'eu-west-1': 100 },
      weightsAfter: { 'us-east-1': 50, 'eu-west-1': 50 },
      replicas: [{ region: 'eu-west-1', service: 'web', before: 8, after: 4 }],
    });
  });
});

describe('weights by region and by set identifier', () => {
  const identifiers = new Map([
    ['us-east-1', 'use1'],
    ['eu-west-1', 'euw1'],
  ]);
  it('reads set identifiers as regions (0 for a missing one) and back', () => {
    expect(weightsByRegion({ use1: 10 }, identifiers)).toEqual({ 'us-east-1': 10, 'eu-west-1': 0 });
    expect(weightsBySetId({ 'us-east-1': 0, 'eu-west-1': 20 }, identifiers)).toEqual({ use1: 0, euw1: 20 });
  });
});

describe('judgeScaledRollouts', () => {
  const status = (service: string, state: 'complete' | 'progressing' | 'failed') => ({
    region: 'eu-west-1',
    service,
    state,
    message: state,
  });
  it.each<[string, ReturnType<typeof status>[], { failed?: string; waiting: string[] }]>([
    ['all rolled out', [status('web', 'complete')], { waiting: [] }],
    [
      'some still progressing',
      [status('web', 'progressing'), status('api', 'complete')],
      { waiting: ['web in eu-west-1: progressing'] },
    ],
    [
      'one failed: named, it never will',
      [status('web', 'progressing'), status('api', 'failed')],
      { failed: 'api in eu-west-1: failed', waiting: ['web in eu-west-1: progressing'] },
    ],
  ])('%s', (_name, statuses, judged) => {
    expect(judgeScaledRollouts(statuses)).toEqual(judged);
  });
});
