import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lambdas/core/errors';
import { type FailoverPlan, planFailover, scaledReplicas } from '../../lambdas/core/failover';

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
