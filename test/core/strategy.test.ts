import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../lambdas/core/plan/load';
import { type ResolvedService, resolvePlan } from '../../lambdas/core/plan/resolve';
import {
  canaryReplicas,
  estimateStepSeconds,
  type RolloutStep,
  replicaRatioWeights,
  replicasForStep,
  rollingBatchPercents,
  rolloutSteps,
} from '../../lambdas/core/strategy';

/** One service of a minimal valid plan, resolved with the plan's defaults. */
function resolvedService(service: Record<string, unknown>): ResolvedService {
  const checked = checkPlan({
    metadata: { releaseId: 'strategy-test' },
    regions: [{ name: 'us-east-1', cluster: 'c', wave: 1 }],
    services: [{ name: 'web', image: 'web:2', ...service }],
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return resolvePlan(checked.plan).services.get('web')!;
}

const analysis = (length: Record<string, unknown>) => ({
  interval: '1m',
  ...length,
  checks: [{ type: 'http', url: 'https://web.example.com/healthz' }],
});

type SetWeight = Extract<RolloutStep, { kind: 'setWeight' }>;
const weight = (percent: number, canaryReplicaPercent = percent, scaleDownStable = false): SetWeight => ({
  kind: 'setWeight',
  weight: percent,
  canaryReplicaPercent,
  scaleDownStable,
});
const batch = (percent: number): SetWeight => weight(percent, percent, true);

describe('rolloutSteps', () => {
  it.each<[string, Record<string, unknown>, RolloutStep[]]>([
    [
      'canary: weights, a timed pause, an analysis with its count, an approval, then promote',
      {
        strategy: {
          type: 'canary',
          steps: [
            { setWeight: 10 },
            { pause: { duration: '5m' } },
            { setWeight: 50 },
            { analysis: { count: 2 } },
            { pause: { untilApproved: true, timeout: '30m' } },
            { setWeight: 100 },
            { analysis: {} },
          ],
        },
        analysis: analysis({ duration: '10m' }),
      },
      [
        weight(10),
        { kind: 'pause', seconds: 300 },
        weight(50),
        { kind: 'analysis', seconds: 120 },
        { kind: 'approval', timeoutSeconds: 1800, reason: 'canary pause' },
        weight(100),
        { kind: 'analysis', seconds: 600 },
        { kind: 'promote' },
      ],
    ],
    [
      'canary: an analysis step overriding the duration; approval timeout defaults to 1h',
      {
        strategy: {
          type: 'canary',
          steps: [
            { setWeight: 20 },
            { analysis: { duration: '3m' } },
            { pause: { untilApproved: true } },
            { setWeight: 100 },
          ],
        },
        analysis: analysis({ count: 5 }),
      },
      [
        weight(20),
        { kind: 'analysis', seconds: 180 },
        { kind: 'approval', timeoutSeconds: 3600, reason: 'canary pause' },
        weight(100),
        { kind: 'promote' },
      ],
    ],
    [
      'canary without analysis: weights and pauses only',
      {
        strategy: {
          type: 'canary',
          steps: [{ setWeight: 25 }, { pause: { duration: '1m' } }, { setWeight: 100 }],
        },
      },
      [weight(25), { kind: 'pause', seconds: 60 }, weight(100), { kind: 'promote' }],
    ],
    [
      'blue-green: green at 0 % with full replicas, preview analysis, approval, switch, scale-down delay',
      { strategy: { type: 'blueGreen' }, analysis: analysis({ count: 2, interval: '1m' }) },
      [
        weight(0, 100),
        { kind: 'analysis', seconds: 120 },
        { kind: 'approval', timeoutSeconds: 24 * 3600, reason: 'blue-green promotion' },
        weight(100, 100),
        { kind: 'pause', seconds: 600 },
        { kind: 'promote' },
      ],
    ],
    [
      'blue-green: auto-promotion after a delay, no preview analysis, own scale-down delay',
      {
        strategy: {
          type: 'blueGreen',
          previewAnalysis: false,
          autoPromotionDelay: '2m',
          scaleDownDelay: '1m',
        },
        analysis: analysis({ count: 4 }),
      },
      [
        weight(0, 100),
        { kind: 'pause', seconds: 120 },
        weight(100, 100),
        { kind: 'pause', seconds: 60 },
        { kind: 'promote' },
      ],
    ],
    [
      'rolling by percent with analysis after every batch',
      { strategy: { type: 'rolling', batch: { percent: 50 } }, analysis: analysis({ count: 1 }) },
      [
        batch(50),
        { kind: 'analysis', seconds: 60 },
        batch(100),
        { kind: 'analysis', seconds: 60 },
        { kind: 'promote' },
      ],
    ],
    [
      'rolling by size over the service replicas, no analysis per batch',
      {
        replicas: 4,
        strategy: { type: 'rolling', batch: { size: 1 }, analysisPerBatch: false },
        analysis: analysis({ count: 1 }),
      },
      [batch(25), batch(50), batch(75), batch(100), { kind: 'promote' }],
    ],
    [
      'recreate: one step, nothing side by side',
      { strategy: { type: 'recreate', reason: 'single writer' }, analysis: analysis({ count: 1 }) },
      [{ kind: 'recreate' }],
    ],
  ])('%s', (_name, service, expected) => {
    expect(rolloutSteps(resolvedService(service))).toEqual(expected);
  });
});

describe('canaryReplicas', () => {
  it.each([
    // total, weight %, replicas: ceil(total × weight / 100)
    [10, 5, 1],
    [10, 25, 3],
    [10, 50, 5],
    [4, 33, 2],
    [200, 1, 2],
    [6, 100, 6],
    // at least one replica while the weight is above zero
    [3, 1, 1],
    [1, 10, 1],
    // none at zero weight, never more than the total
    [6, 0, 0],
    [0, 50, 0],
    [5, 120, 5],
  ])('%i replicas at %i %% → %i', (total, percent, expected) => {
    expect(canaryReplicas(total, percent)).toBe(expected);
  });
});

describe('replicasForStep', () => {
  it.each<[string, number, SetWeight, { stable: number; canary: number }]>([
    ['a canary surges beside a full stable', 8, weight(25), { stable: 8, canary: 2 }],
    ['a small canary still gets one pod', 8, weight(5), { stable: 8, canary: 1 }],
    ['blue-green green runs at full size before any traffic', 6, weight(0, 100), { stable: 6, canary: 6 }],
    ['a rolling batch scales stable down as much as canary grew', 4, batch(50), { stable: 2, canary: 2 }],
    ['the last rolling batch leaves stable at zero', 4, batch(100), { stable: 0, canary: 4 }],
    ['rolling rounds the new side up', 5, batch(50), { stable: 2, canary: 3 }],
  ])('%s', (_name, total, step, expected) => {
    expect(replicasForStep(total, step)).toEqual(expected);
  });
});

describe('replicaRatioWeights', () => {
  it.each([
    [
      { stable: 3, canary: 1 },
      { stable: 75, canary: 25 },
    ],
    [
      { stable: 2, canary: 1 },
      { stable: 67, canary: 33 },
    ],
    [
      { stable: 1, canary: 2 },
      { stable: 33, canary: 67 },
    ],
    [
      { stable: 0, canary: 4 },
      { stable: 0, canary: 100 },
    ],
    [
      { stable: 4, canary: 0 },
      { stable: 100, canary: 0 },
    ],
    // no pods at all: traffic stays on stable
    [
      { stable: 0, canary: 0 },
      { stable: 100, canary: 0 },
    ],
  ])('%o → %o', (replicas, expected) => {
    const weights = replicaRatioWeights(replicas);
    expect(weights).toEqual(expected);
    expect(weights.stable + weights.canary).toBe(100);
  });
});

describe('rollingBatchPercents', () => {
  it.each<[string, { size: number } | { percent: number }, number | undefined, number[]]>([
    ['percent 25 gives four even batches', { percent: 25 }, undefined, [25, 50, 75, 100]],
    ['percent 30 gives four batches, none above 30 %', { percent: 30 }, undefined, [25, 50, 75, 100]],
    ['percent 100 is one batch', { percent: 100 }, undefined, [100]],
    ['size 2 of 4 replicas', { size: 2 }, 4, [50, 100]],
    ['size 1 of 4 replicas', { size: 1 }, 4, [25, 50, 75, 100]],
    ['a size above the replicas is one batch', { size: 5 }, 4, [100]],
    ['no replicas is still one batch', { size: 1 }, 0, [100]],
    ['replicas default to 3 for the planner', { size: 3 }, undefined, [100]],
  ])('%s', (_name, spec, replicas, expected) => {
    expect(rollingBatchPercents(spec, replicas)).toEqual(expected);
  });

  it.each([10, 20, 25, 30, 34, 40, 50, 60, 99])(
    'no batch of percent %i moves more than that share',
    (percent) => {
      const cumulative = rollingBatchPercents({ percent });
      expect(cumulative.at(-1)).toBe(100);
      cumulative.forEach((value, index) => {
        expect(value - (cumulative[index - 1] ?? 0)).toBeLessThanOrEqual(percent);
      });
    },
  );
});

describe('estimateStepSeconds', () => {
  it.each<[RolloutStep, number]>([
    [{ kind: 'pause', seconds: 300 }, 300],
    [{ kind: 'analysis', seconds: 120 }, 120],
    // a person's approval has no estimate: the planner cannot know it
    [{ kind: 'approval', timeoutSeconds: 3600, reason: 'canary pause' }, 0],
    // stop, then start: two rollouts
    [{ kind: 'recreate' }, 60],
    [weight(10), 30],
    [{ kind: 'promote' }, 30],
  ])('%o → %i s at 30 s a rollout', (step, expected) => {
    expect(estimateStepSeconds(step, 30)).toBe(expected);
  });
});
