import { describe, expect, it } from 'vitest';
import {
  type AnalysisLimits,
  type IntervalResult,
  judgeAnalysis,
  judgeComparison,
  type VersionFigures,
  worstOf,
} from '../../lambdas/core/analysis';
import type { CheckPlan } from '../../lambdas/core/plan/schema';

type CompareCheck = Extract<CheckPlan, { type: 'compare' }>;

/** The schema's defaults: +0.5 points of errors, p95 up to 1.1×, 100 canary requests. */
const compare = (overrides: Partial<CompareCheck> = {}): CompareCheck => ({
  type: 'compare',
  maxErrorRateIncreasePoints: 0.5,
  maxP95LatencyRatio: 1.1,
  minRequests: 100,
  maxUnhealthyTargets: 0,
  ...overrides,
});

const figures = (
  requests: number | undefined,
  errors: number,
  p95LatencyMs?: number,
  unhealthyTargets?: number,
): VersionFigures => ({ requests, errors, p95LatencyMs, unhealthyTargets });
/** A period CloudWatch has no RequestCount datapoint for. */
const NO_DATA = figures(undefined, 0);

const withAborts = compare({ abortErrorRatePercent: 5, abortP95LatencyMs: 2000 });

describe('judgeComparison', () => {
  it.each<[string, CompareCheck, VersionFigures, VersionFigures, IntervalResult]>([
    // error rate: the difference in percentage points, not a ratio
    [
      '1.0 % vs 0.5 %: exactly +0.5 points passes',
      compare(),
      figures(1000, 10, 200),
      figures(1000, 5, 200),
      'pass',
    ],
    ['1.1 % vs 0.5 %: +0.6 points fails', compare(), figures(1000, 11, 200), figures(1000, 5, 200), 'fail'],
    [
      '3 % vs 2.6 %: +0.4 points passes though 15 % worse',
      compare(),
      figures(1000, 30, 200),
      figures(1000, 26, 200),
      'pass',
    ],
    [
      'a looser limit of 2 points',
      compare({ maxErrorRateIncreasePoints: 2 }),
      figures(500, 15, 200),
      figures(500, 5, 200),
      'pass',
    ],
    ['a canary better than stable passes', compare(), figures(1000, 0, 150), figures(1000, 20, 200), 'pass'],
    // p95: a ratio to stable's p95
    [
      'p95 220 ms vs 200 ms: exactly 1.1× passes',
      compare(),
      figures(1000, 0, 220),
      figures(1000, 0, 200),
      'pass',
    ],
    ['p95 221 ms vs 200 ms fails', compare(), figures(1000, 0, 221), figures(1000, 0, 200), 'fail'],
    [
      'p95 2× allowed by its check',
      compare({ maxP95LatencyRatio: 2 }),
      figures(1000, 0, 390),
      figures(1000, 0, 200),
      'pass',
    ],
    [
      'no p95 measured on one side: latency cannot fail it',
      compare(),
      figures(1000, 0, undefined),
      figures(1000, 0, 200),
      'pass',
    ],
    // too few canary requests: inconclusive, whatever the figures say
    [
      '99 canary requests, all errors',
      compare(),
      figures(99, 99, 9000),
      figures(1000, 0, 200),
      'inconclusive',
    ],
    ['99 clean canary requests', compare(), figures(99, 0, 100), figures(1000, 0, 200), 'inconclusive'],
    [
      'no canary requests at all',
      withAborts,
      figures(0, 0, undefined),
      figures(1000, 0, 200),
      'inconclusive',
    ],
    [
      'a lower minimum of 10 requests judges 10',
      compare({ minRequests: 10 }),
      figures(10, 1, 200),
      figures(1000, 0, 200),
      'fail',
    ],
    // abort thresholds: absolute, judged on any canary traffic, worse than fail
    [
      '6 % canary errors past the 5 % abort limit',
      withAborts,
      figures(1000, 60, 200),
      figures(1000, 58, 200),
      'abort',
    ],
    [
      '5 % canary errors is not past the limit',
      withAborts,
      figures(1000, 50, 200),
      figures(1000, 48, 200),
      'pass',
    ],
    [
      'p95 2.5 s past the 2 s abort limit',
      withAborts,
      figures(1000, 0, 2500),
      figures(1000, 0, 2400),
      'abort',
    ],
    [
      'an abort limit judges even a thin interval',
      withAborts,
      figures(20, 10, 200),
      figures(1000, 0, 200),
      'abort',
    ],
    // at 100 % there is no stable traffic to compare with
    [
      'no stable traffic, within the absolute limits',
      withAborts,
      figures(1000, 10, 300),
      figures(0, 0, undefined),
      'pass',
    ],
    [
      'no stable traffic, past an absolute limit',
      withAborts,
      figures(1000, 80, 300),
      figures(0, 0, undefined),
      'abort',
    ],
    [
      'no stable traffic and no absolute limits',
      compare(),
      figures(1000, 0, 200),
      figures(0, 0, undefined),
      'inconclusive',
    ],
    [
      'too little stable traffic to compare with',
      compare(),
      figures(1000, 0, 200),
      figures(50, 0, 200),
      'inconclusive',
    ],
    // no data is not zero requests: it is never a pass
    ['no canary data, however healthy stable is', compare(), NO_DATA, figures(1000, 0, 200), 'inconclusive'],
    ['no canary data, with absolute limits', withAborts, NO_DATA, figures(1000, 0, 200), 'inconclusive'],
    ['no stable data and no absolute limits', compare(), figures(1000, 0, 200), NO_DATA, 'inconclusive'],
    [
      'no stable data: the canary within its absolute limits',
      withAborts,
      figures(1000, 3, 200),
      NO_DATA,
      'pass',
    ],
    // errors include connections the load balancer could not make to the canary's targets
    [
      'every canary request refused: an abort past the limit',
      withAborts,
      figures(1000, 1000),
      figures(1000, 2, 200),
      'abort',
    ],
    [
      'every canary request refused, no abort limit',
      compare(),
      figures(1000, 1000),
      figures(1000, 2, 200),
      'fail',
    ],
    // unhealthy canary targets fail the interval, whatever the traffic says
    ['an unhealthy canary target', compare(), figures(1000, 0, 200, 1), figures(1000, 0, 200, 0), 'fail'],
    [
      'an unhealthy canary target and no canary data',
      compare(),
      figures(undefined, 0, undefined, 1),
      figures(1000, 0, 200),
      'fail',
    ],
    [
      'an unhealthy canary target under too little traffic',
      compare(),
      figures(20, 0, 200, 2),
      figures(1000, 0, 200),
      'fail',
    ],
    [
      'unhealthy targets within the allowance',
      compare({ maxUnhealthyTargets: 1 }),
      figures(1000, 0, 200, 1),
      figures(1000, 0, 200),
      'pass',
    ],
    [
      'unhealthy stable targets are not the canary’s',
      compare(),
      figures(1000, 0, 200, 0),
      figures(1000, 0, 200, 3),
      'pass',
    ],
  ])('%s', (_name, check, canary, stable, expected) => {
    const observation = judgeComparison(check, canary, stable);
    expect(observation.result).toBe(expected);
    expect(observation.check).toBe('compare');
    expect(observation.detail).not.toBe('');
  });

  it('explains a failure with both rates and the allowance', () => {
    expect(judgeComparison(compare(), figures(1000, 11, 200), figures(1000, 5, 200)).detail).toBe(
      'canary error rate 1.10 % vs stable 0.50 % (allowed +0.5 points)',
    );
    expect(judgeComparison(compare(), figures(99, 0, 100), figures(1000, 0, 200)).detail).toBe(
      'only 99 canary requests (need 100)',
    );
    expect(judgeComparison(compare(), NO_DATA, figures(1000, 0, 200)).detail).toBe(
      'no canary data for the period',
    );
    expect(judgeComparison(compare(), figures(1000, 0, 200, 2), figures(1000, 0, 200)).detail).toBe(
      '2 unhealthy canary target(s) at once (allowed 0)',
    );
  });
});

describe('judgeAnalysis', () => {
  const P: IntervalResult = 'pass';
  const F: IntervalResult = 'fail';
  const I: IntervalResult = 'inconclusive';
  const A: IntervalResult = 'abort';

  it.each<[string, IntervalResult[], AnalysisLimits, 'pass' | 'fail' | 'inconclusive']>([
    ['all passed', [P, P, P], { failureLimit: 0 }, 'pass'],
    ['one failure with no tolerance', [P, F, P], { failureLimit: 0 }, 'fail'],
    ['one failure within a limit of 1', [P, F, P], { failureLimit: 1 }, 'pass'],
    ['two failures past a limit of 1', [F, P, F], { failureLimit: 1 }, 'fail'],
    [
      'two failures in a row reach a consecutive limit of 2',
      [P, F, F, P],
      { failureLimit: 5, consecutiveFailureLimit: 2 },
      'fail',
    ],
    [
      'two failures apart stay under a consecutive limit of 2',
      [F, P, F, P],
      { failureLimit: 5, consecutiveFailureLimit: 2 },
      'pass',
    ],
    ['an abort fails at once, whatever the limits', [P, A, P], { failureLimit: 10 }, 'fail'],
    ['more inconclusive intervals than conclusive ones', [I, P, I], { failureLimit: 0 }, 'inconclusive'],
    ['inconclusive as many as conclusive is still a verdict', [I, P], { failureLimit: 0 }, 'pass'],
    [
      'inconclusive majority, failures within their limit',
      [I, I, I, F, P],
      { failureLimit: 1 },
      'inconclusive',
    ],
    ['a failure past the limit beats an inconclusive majority', [I, I, I, F], { failureLimit: 0 }, 'fail'],
    ['nothing observed yet', [], { failureLimit: 0 }, 'inconclusive'],
  ])('%s', (_name, intervals, limits, verdict) => {
    expect(judgeAnalysis(intervals, limits).verdict).toBe(verdict);
  });

  it('counts each kind of interval and the trailing run of failures', () => {
    expect(judgeAnalysis([P, F, I, F, F], { failureLimit: 5 })).toMatchObject({
      verdict: 'pass',
      intervals: 5,
      passed: 1,
      failed: 3,
      inconclusive: 1,
      consecutiveFailures: 2,
    });
    expect(judgeAnalysis([F, F, P], { failureLimit: 5 }).consecutiveFailures).toBe(0);
  });

  it('stops counting at an abort and says why', () => {
    expect(judgeAnalysis([P, F, A, P, P], { failureLimit: 3 })).toMatchObject({
      verdict: 'fail',
      intervals: 5,
      passed: 1,
      failed: 2,
      consecutiveFailures: 2,
      reason: 'an abort threshold was passed',
    });
  });

  it('names the limit that failed it', () => {
    expect(judgeAnalysis([F, F], { failureLimit: 1 }).reason).toBe(
      '2 failed interval(s), more than the limit of 1',
    );
    expect(judgeAnalysis([F, F, F], { failureLimit: 5, consecutiveFailureLimit: 3 }).reason).toBe(
      '3 consecutive failed intervals (limit 3)',
    );
  });
});

describe('worstOf', () => {
  it.each<[IntervalResult[], IntervalResult]>([
    [[], 'pass'],
    [['pass', 'pass'], 'pass'],
    [['pass', 'inconclusive'], 'inconclusive'],
    [['inconclusive', 'fail', 'pass'], 'fail'],
    [['fail', 'abort', 'pass'], 'abort'],
  ])('%o → %s', (results, expected) => {
    expect(worstOf(results)).toBe(expected);
  });
});
