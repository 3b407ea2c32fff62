import { describe, expect, it } from 'vitest';
import { MAX_RECORDED_PERIODS, recordedComparison } from '../../lambdas/core/analysis-readings';
import type { CheckReading } from '../../lambdas/core/analysis-step';
import type { CheckPlan } from '../../lambdas/core/plan/schema';
import type { ComparisonSample } from '../../lambdas/ports';

const compare: Extract<CheckPlan, { type: 'compare' }> = {
  type: 'compare',
  maxErrorRateIncreasePoints: 0.5,
  maxP95LatencyRatio: 1.1,
  minRequests: 100,
  maxUnhealthyTargets: 0,
  abortErrorRatePercent: 5,
};
const minute = (index: number) => new Date(Date.UTC(2026, 0, 5, 9, index)).toISOString();
const sample = (index: number, canaryErrors: number): ComparisonSample => ({
  at: minute(index),
  canary: { requests: 300, errors: canaryErrors, p95LatencyMs: 130.6 },
  stable: { requests: 3000, errors: 6, p95LatencyMs: 120 },
});
const window = { from: new Date(minute(0)), to: new Date(minute(3)), periodSeconds: 60 };

describe('recordedComparison', () => {
  it("keeps each period's canary and stable figures as columns, with the check's limits", () => {
    const quiet: ComparisonSample = {
      at: minute(2),
      canary: { requests: undefined, errors: 0, p95LatencyMs: undefined },
      stable: { requests: 3000, errors: 6, p95LatencyMs: 120 },
    };
    const readings: CheckReading[] = [
      { type: 'cloudwatchAlarms', states: { 'auth-errors': 'OK' } },
      { type: 'compare', check: compare, samples: [sample(0, 0), sample(1, 24), quiet] },
    ];
    expect(recordedComparison(readings, window)).toEqual({
      limits: {
        maxErrorRateIncreasePoints: 0.5,
        maxP95LatencyRatio: 1.1,
        minRequests: 100,
        maxUnhealthyTargets: 0,
        abortErrorRatePercent: 5,
      },
      periodSeconds: 60,
      from: minute(0),
      offsetsSeconds: [0, 60, 120],
      // No datapoint is null, never 0.
      canary: { requests: [300, 300, null], errorRatePercent: [0, 8, null], p95LatencyMs: [131, 131, null] },
      stable: {
        requests: [3000, 3000, 3000],
        errorRatePercent: [0.2, 0.2, 0.2],
        p95LatencyMs: [120, 120, 120],
      },
    });
  });

  it('keeps the latest periods of a long window and counts the rest', () => {
    const samples = Array.from({ length: MAX_RECORDED_PERIODS + 5 }, (_, index) => sample(index, index));
    const recorded = recordedComparison([{ type: 'compare', check: compare, samples }], undefined)!;
    expect(recorded.offsetsSeconds).toHaveLength(MAX_RECORDED_PERIODS);
    expect(recorded.from).toBe(minute(5));
    expect(recorded.omittedPeriods).toBe(5);
    expect(recorded.periodSeconds).toBe(60);
  });

  it('records nothing when no comparison read a period', () => {
    expect(
      recordedComparison([{ type: 'compareSkipped', detail: 'no traffic yet' }], window),
    ).toBeUndefined();
    expect(recordedComparison([{ type: 'compare', check: compare, samples: [] }], window)).toBeUndefined();
  });
});
