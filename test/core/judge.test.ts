/**
 * The judge check's verdict from per-minute samples, and how it joins the other checks of an
 * analysis: a judge decides over the whole window, so its fail fails the analysis whatever the
 * failure limit, and too few samples is inconclusive (the plan's policy then decides).
 */
import { describe, expect, it } from 'vitest';
import type { VersionFigures } from '../../lambdas/core/analysis';
import { judgeAnalysisStep } from '../../lambdas/core/analysis-step';
import { type JudgeCheckPlan, judgeCanary } from '../../lambdas/core/judge';
import { Analysis, JudgeCheck } from '../../lambdas/core/plan/schema';

const judge = (overrides: Record<string, unknown> = {}): JudgeCheckPlan =>
  JudgeCheck.parse({ type: 'judge', ...overrides }) as JudgeCheckPlan;

/** A minute of `requests` with errors at `errorPercent` and this p95. */
const minute = (
  requests: number | undefined,
  errorPercent: number,
  p95LatencyMs: number,
): VersionFigures => ({
  requests,
  errors: requests === undefined ? 0 : (requests * errorPercent) / 100,
  p95LatencyMs: requests === undefined ? undefined : p95LatencyMs,
});

/** `count` minutes; each side's values wobble by `index` so there are no ties. */
function window(
  count: number,
  canary: { errorPercent: number; p95: number; requests?: number | undefined },
  stable: { errorPercent: number; p95: number; requests?: number | undefined } = {
    errorPercent: 0.2,
    p95: 100,
  },
) {
  const wobble = (index: number, phase: number) => 0.01 * Math.sin(index * 1.7 + phase);
  return Array.from({ length: count }, (_, index) => ({
    canary: minute(
      'requests' in canary ? canary.requests : 10_000,
      canary.errorPercent + wobble(index, 0),
      canary.p95 * (1 + wobble(index, 1)),
    ),
    stable: minute(
      'requests' in stable ? stable.requests : 10_000,
      stable.errorPercent + wobble(index, 2),
      stable.p95 * (1 + wobble(index, 3)),
    ),
  }));
}

describe('judgeCanary', () => {
  it('passes an equal canary, giving U, p, the shift and its band for each metric', () => {
    const verdict = judgeCanary(judge(), window(15, { errorPercent: 0.2, p95: 100 }));
    expect(verdict.result).toBe('pass');
    expect(verdict.score).toBe(100);
    const errorRate = verdict.metrics.find((metric) => metric.metric === 'errorRate')!;
    expect(errorRate).toMatchObject({
      canarySamples: 15,
      stableSamples: 15,
      band: [-0.1, 0.1],
      method: 'exact',
    });
    expect(errorRate.p).toBeGreaterThan(errorRate.alpha);
    expect(Math.abs(errorRate.shift!)).toBeLessThan(0.1);
  });

  it('fails a canary 0.3 points worse on its error rate, a critical metric', () => {
    const verdict = judgeCanary(judge(), window(15, { errorPercent: 0.5, p95: 100 }));
    expect(verdict.result).toBe('fail');
    expect(verdict.detail).toMatch(/^judge: critical errorRate canary worse: shift \+0\.(29|30)\d* points/);
    // Complete separation, 15 against 15: U = 225, exact p = 1 / C(30, 15).
    const errorRate = verdict.metrics[0]!;
    expect(errorRate.u).toBe(225);
    // (reported to three significant digits)
    expect(errorRate.p).toBe(Number((1 / 155117520).toPrecision(3)));
  });

  it('passes a canary that is significantly worse but within the tolerance band', () => {
    const verdict = judgeCanary(
      judge({ errorRate: { tolerancePoints: 0.5 } }),
      window(15, { errorPercent: 0.5, p95: 100 }),
    );
    expect(verdict.metrics[0]).toMatchObject({ result: 'pass' });
    expect(verdict.metrics[0]!.p).toBeLessThan(0.01);
    expect(verdict.result).toBe('pass');
  });

  it('never fails a canary for being better', () => {
    expect(judgeCanary(judge(), window(15, { errorPercent: 0, p95: 50 })).result).toBe('pass');
  });

  it('scores non-critical metrics: a slow canary fails at passScore 100, passes at 50', () => {
    const slower = window(15, { errorPercent: 0.2, p95: 130 });
    const strict = judgeCanary(judge(), slower);
    expect(strict).toMatchObject({ result: 'fail', score: 50 });
    expect(strict.metrics[1]).toMatchObject({
      metric: 'p95Latency',
      result: 'fail',
      critical: false,
    });
    // ±10 % of stable's median p95 (about 100 ms).
    expect(strict.metrics[1]!.band[1]).toBeCloseTo(10, 0);
    expect(judgeCanary(judge({ passScore: 50 }), slower)).toMatchObject({ result: 'pass', score: 50 });
    // Marked critical, the latency fails the judgement on its own, whatever the score.
    expect(judgeCanary(judge({ passScore: 50, p95Latency: { critical: true } }), slower).result).toBe('fail');
  });

  it('is inconclusive with fewer than minSamples minutes on a side, whatever the canary does', () => {
    const verdict = judgeCanary(judge(), window(9, { errorPercent: 5, p95: 900 }));
    expect(verdict.result).toBe('inconclusive');
    expect(verdict.detail).toBe(
      'judge: too few samples for errorRate: 9 canary and 9 stable minute(s) with at least 50 requests (need 10 each)',
    );
    expect(verdict.score).toBeUndefined();
  });

  it('counts only minutes with a RequestCount datapoint of at least minRequests', () => {
    const quiet = window(15, { errorPercent: 0.2, p95: 100, requests: 49 });
    expect(judgeCanary(judge(), quiet).metrics[0]).toMatchObject({
      result: 'inconclusive',
      canarySamples: 0,
    });
    const missing = window(15, { errorPercent: 0.2, p95: 100, requests: undefined });
    expect(judgeCanary(judge(), missing).metrics[0]).toMatchObject({ canarySamples: 0, stableSamples: 15 });
    expect(judgeCanary(judge({ minRequests: 49 }), quiet).result).toBe('pass');
  });
});

describe('a judge among the checks of an analysis', () => {
  const analysis = (failureLimit: number) =>
    Analysis.parse({ duration: '15m', failureLimit, checks: [{ type: 'judge' }] });

  it('fails the analysis on a judge fail, though compare intervals passed within the failure limit', () => {
    const samples = window(15, { errorPercent: 0.5, p95: 100 }).map((sample, index) => ({
      ...sample,
      at: new Date(index * 60_000).toISOString(),
    }));
    const plan = analysis(3);
    const compare = Analysis.parse({ duration: '15m', checks: [{ type: 'compare' }] }).checks[0]!;
    const outcome = judgeAnalysisStep(plan, [
      { type: 'compare', check: compare as Extract<typeof compare, { type: 'compare' }>, samples },
      { type: 'judge', check: plan.checks[0] as JudgeCheckPlan, samples },
    ]);
    expect(outcome.judgement).toMatchObject({ verdict: 'fail', passed: 15, failed: 0 });
    expect(outcome.judgement.reason).toMatch(/^judge: critical errorRate/);
  });

  it('leaves too few samples inconclusive, for the policy to decide', () => {
    const samples = window(5, { errorPercent: 0.2, p95: 100 }).map((sample, index) => ({
      ...sample,
      at: new Date(index * 60_000).toISOString(),
    }));
    const plan = analysis(0);
    const outcome = judgeAnalysisStep(plan, [
      { type: 'judge', check: plan.checks[0] as JudgeCheckPlan, samples },
    ]);
    expect(outcome.judgement.verdict).toBe('inconclusive');
    // The default policy pauses for approval.
    expect(outcome.verdict).toBe('inconclusive');
    const failing = { ...plan, inconclusive: 'fail' as const };
    expect(
      judgeAnalysisStep(failing, [{ type: 'judge', check: plan.checks[0] as JudgeCheckPlan, samples }])
        .verdict,
    ).toBe('fail');
  });
});
