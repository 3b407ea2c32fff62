/**
 * The judge check end to end: examples/judge.yaml on the local engine (the real ASL files and
 * handlers) against the simulated fleet, whose CloudWatch the real adapter reads minute by minute.
 *
 * - A canary 0.3 points worse than stable (0.5 % against 0.2 %) passes every compare interval
 *   (their limit is +0.5 points) and is failed by the judge, which rolls the release back.
 * - An equal canary passes the judge at every one of SEEDS seeds.
 * - Too little traffic for a minute to count is inconclusive, never a pass or fail, and the
 *   analysis's `inconclusive: fail` policy then fails it.
 */

import { describe, expect, it } from 'vitest';
import type { JudgeVerdict } from '../../../lambdas/core/judge';
import type { RehearsalResult } from '../../../rehearsal/rehearse';
import { buildReportModel } from '../../../rehearsal/report/model';
import { renderReport } from '../../../rehearsal/report/render';
import { rehearseExample } from '../fixtures/rehearsal';

/** Seeds the equal canary is rehearsed at: each gives other traffic, latencies and noise. */
const SEEDS = 20;

function analyses(result: RehearsalResult) {
  return result.audit.filter((entry) => entry.action.startsWith('analysis.'));
}

function judgeOf(entry: { detail?: Record<string, unknown> }): JudgeVerdict {
  return entry.detail?.judge as JudgeVerdict;
}

describe('judge: a canary 0.3 points worse than stable', () => {
  it('passes every compare interval, fails the judge on its error rate, and rolls back', async () => {
    const result = await rehearseExample('judge.yaml', 'faults/judge/slightly-worse.yaml');
    expect(result.status, result.reason).toBe('ROLLED_BACK');
    const [first, ...later] = analyses(result);
    expect(later).toEqual([]);
    expect(first).toMatchObject({ action: 'analysis.fail', service: 'checkout' });
    // compare: 15 one-minute intervals, each within +0.5 points.
    expect(first!.detail).toMatchObject({ intervals: 15, passed: 15, failed: 0 });
    const judge = judgeOf(first!);
    expect(judge.result).toBe('fail');
    const errorRate = judge.metrics.find((metric) => metric.metric === 'errorRate')!;
    expect(errorRate).toMatchObject({ result: 'fail', critical: true, canarySamples: 15, stableSamples: 15 });
    expect(errorRate.p).toBeLessThanOrEqual(errorRate.alpha);
    expect(errorRate.alpha).toBeCloseTo(0.01, 12); // (1 − 0.98) over two metrics
    expect(errorRate.shift).toBeGreaterThan(0.25);
    expect(errorRate.shift).toBeLessThan(0.35);
    expect(errorRate.band).toEqual([-0.1, 0.1]);
    expect(judge.metrics.find((metric) => metric.metric === 'p95Latency')!.result).toBe('pass');

    // The HTML report shows the same verdict, per metric.
    const [reported] = buildReportModel(result).analyses;
    expect(reported!.judge).toMatchObject({ result: 'fail', confidence: 0.98 });
    expect(reported!.judge!.metrics.map((metric) => [metric.metric, metric.result, metric.u])).toEqual(
      judge.metrics.map((metric) => [metric.metric, metric.result, metric.u]),
    );
    const page = renderReport(result);
    expect(page).toContain(
      `<td>errorRate (critical)</td><td class="num">15 / 15</td><td class="num">${errorRate.u}</td><td class="num">${errorRate.p} (0.01)</td>`,
    );
  }, 120_000);
});

describe('judge: an equal canary', () => {
  it(`passes the judge at each of ${SEEDS} seeds`, async () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = await rehearseExample('judge.yaml', 'faults/judge/equal.yaml', seed);
      const judged = analyses(result).map(judgeOf);
      // Two analysis steps (20 % and 50 %), each judged once.
      if (result.status !== 'SUCCEEDED' || judged.length !== 2 || judged.some((j) => j.result !== 'pass')) {
        failures.push(`seed ${seed}: ${result.status} ${judged.map((j) => j.detail).join(' | ')}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});

describe('judge: too few samples', () => {
  it('is inconclusive, never a pass or fail, and the analysis policy decides', async () => {
    // 5 requests a second: the canary's 20 % is 60 requests a minute, under minRequests (100).
    const result = await rehearseExample('judge.yaml', 'faults/judge/too-little-traffic.yaml');
    // inconclusive: fail in the plan.
    expect(result.status, result.reason).toBe('ROLLED_BACK');
    const [first] = analyses(result);
    expect(first).toMatchObject({ action: 'analysis.fail', detail: { verdict: 'inconclusive' } });
    const judge = judgeOf(first!);
    expect(judge.result).toBe('inconclusive');
    for (const metric of judge.metrics) {
      expect(metric).toMatchObject({ result: 'inconclusive', canarySamples: 0 });
      expect(metric.p).toBeUndefined();
    }
    expect(judge.detail).toContain('too few samples');
  }, 120_000);
});
