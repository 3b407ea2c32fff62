/**
 * How long the planner expects each strategy to take, from the same step lists the state
 * machines run: waits as written, each rollout action at the plan's stepRolloutEstimate (30 s
 * here), a recreate at two actions (stop, then start), approvals at zero (counted apart).
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../../lambdas/core/plan/load';
import { resolvePlan } from '../../../lambdas/core/plan/resolve';
import { previewRelease, type ServicePreview } from '../../../lambdas/core/planner/preview';
import { rollingBatchPercents } from '../../../lambdas/core/strategy';
import type { Document } from '../plan/documents';

const ALARMS = [{ type: 'cloudwatchAlarms', alarmNames: ['svc-5xx'] }];

/** The preview of one service alone in one region. */
function estimate(service: Document, defaults: Document = {}): ServicePreview {
  const result = checkPlan({
    metadata: { releaseId: 'estimate' },
    defaults: { stepRolloutEstimate: '30s', ...defaults },
    regions: [{ name: 'us-east-1', cluster: 'c', wave: 1 }],
    services: [{ name: 'svc', image: 'svc:2', ...service }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return previewRelease(resolvePlan(result.plan)).waves[0]!.regions[0]!.services[0]!;
}

describe('canary', () => {
  const analysis = { interval: '1m', count: 3, checks: ALARMS };

  it('waits for the metrics an analysis compares: to the next whole minute, and their publication', () => {
    // setWeight 10, analysis 3 × 1m comparing ALB metrics (≤ 60 s to align + 180 + 180 to be
    // published), setWeight 100, promote: 3 × 30 + 420 = 510.
    const canary = estimate({
      strategy: { type: 'canary', steps: [{ setWeight: 10 }, { analysis: {} }, { setWeight: 100 }] },
      analysis: { interval: '1m', count: 3, checks: [{ type: 'compare' }] },
      traffic: {
        type: 'alb',
        loadBalancerName: 'lb',
        port: 443,
        stableTargetGroup: 'svc-stable',
        canaryTargetGroup: 'svc-canary',
      },
    });
    expect(canary.durationSeconds).toBe(510);
  });

  it('adds each weight change, pause, analysis and the promotion', () => {
    // setWeight 10, pause 5m, setWeight 50, analysis 3 × 1m, setWeight 100, promote:
    // 4 actions × 30 s + 300 + 180 = 600.
    const canary = estimate({
      strategy: {
        type: 'canary',
        steps: [
          { setWeight: 10 },
          { pause: { duration: '5m' } },
          { setWeight: 50 },
          { analysis: {} },
          { setWeight: 100 },
        ],
      },
      analysis,
    });
    expect(canary).toMatchObject({ strategy: 'canary', steps: 6, approvals: 0, durationSeconds: 600 });
  });

  it('lets an analysis step set its own length', () => {
    // 3 setWeights + promote = 120; analyses of 2m and 2 × 1m: 120 + 120 + 120 = 360.
    const canary = estimate({
      strategy: {
        type: 'canary',
        steps: [
          { setWeight: 10 },
          { analysis: { duration: '2m' } },
          { setWeight: 50 },
          { analysis: { count: 2 } },
          { setWeight: 100 },
        ],
      },
      analysis,
    });
    expect(canary.durationSeconds).toBe(360);
  });

  it('counts an approval pause apart, at zero seconds', () => {
    const canary = estimate({
      strategy: {
        type: 'canary',
        steps: [{ setWeight: 10 }, { pause: { untilApproved: true } }, { setWeight: 100 }],
      },
    });
    expect(canary).toMatchObject({ approvals: 1, durationSeconds: 90 });
  });
});

describe('blueGreen', () => {
  const analysis = { interval: '1m', duration: '5m', checks: ALARMS };

  it('previews, analyses, waits to promote, switches and keeps blue for the scale-down delay', () => {
    // green up 30 + analysis 300 + promotion delay 120 + switch 30 + scale-down 600 + promote 30.
    const blueGreen = estimate({
      strategy: { type: 'blueGreen', autoPromotionDelay: '2m', scaleDownDelay: '10m' },
      analysis,
    });
    expect(blueGreen).toMatchObject({ strategy: 'blueGreen', approvals: 0, durationSeconds: 1110 });
  });

  it('waits for an approval when no promotion delay is given', () => {
    const blueGreen = estimate({ strategy: { type: 'blueGreen', scaleDownDelay: '10m' }, analysis });
    expect(blueGreen).toMatchObject({ approvals: 1, durationSeconds: 990 });
  });

  it('skips the preview analysis when asked', () => {
    const blueGreen = estimate({
      strategy: {
        type: 'blueGreen',
        previewAnalysis: false,
        autoPromotionDelay: '2m',
        scaleDownDelay: '10m',
      },
    });
    expect(blueGreen.durationSeconds).toBe(810);
  });
});

describe('rolling', () => {
  it('by percent: one action and one analysis per batch, then the promotion', () => {
    // 25 % → 4 batches: 4 × 30 + 4 × (2 × 1 min) + 30 = 630.
    const rolling = estimate({
      strategy: { type: 'rolling', batch: { percent: 25 } },
      analysis: { interval: '1m', count: 2, checks: ALARMS },
    });
    expect(rolling).toMatchObject({ strategy: 'rolling', durationSeconds: 630 });
  });

  it('by size: as many batches as the replicas need', () => {
    // 5 replicas, 2 at a time → 3 batches: 3 × 30 + 30 = 120.
    const strategy = { type: 'rolling', batch: { size: 2 }, analysisPerBatch: false };
    expect(estimate({ replicas: 5, strategy }).durationSeconds).toBe(120);
    // Unknown replicas are taken as 3 → 2 batches: 90.
    expect(estimate({ strategy }).durationSeconds).toBe(90);
  });

  it('updates cumulative percentages of the replicas, ending at 100', () => {
    expect(rollingBatchPercents({ percent: 50 })).toEqual([50, 100]);
    expect(rollingBatchPercents({ percent: 30 })).toEqual([25, 50, 75, 100]);
    expect(rollingBatchPercents({ size: 1 }, 3)).toEqual([33, 66, 100]);
    expect(rollingBatchPercents({ size: 10 }, 4)).toEqual([100]);
    expect(rollingBatchPercents({ size: 1 }, 0)).toEqual([100]);
  });
});

describe('recreate', () => {
  it('is two actions: stop the old, start the new', () => {
    expect(estimate({ strategy: { type: 'recreate' } })).toMatchObject({ steps: 1, durationSeconds: 60 });
  });

  it('scales with the plan’s rollout estimate', () => {
    expect(estimate({ strategy: { type: 'recreate' } }, { stepRolloutEstimate: '45s' }).durationSeconds).toBe(
      90,
    );
  });
});
