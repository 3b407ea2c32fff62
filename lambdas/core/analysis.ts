/**
 * Judging a window of observations. Each interval's checks give a result; the worst decides
 * the interval; the failure limit, consecutive failures and inconclusive share decide the run.
 */
import type { CheckPlan } from './plan/schema';

export type IntervalResult = 'pass' | 'fail' | 'inconclusive' | 'abort';
export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface CheckObservation {
  check: string;
  result: IntervalResult;
  detail: string;
}

const SEVERITY: Record<IntervalResult, number> = { pass: 0, inconclusive: 1, fail: 2, abort: 3 };

export function worstOf(results: readonly IntervalResult[]): IntervalResult {
  return results.reduce<IntervalResult>(
    (worst, result) => (SEVERITY[result] > SEVERITY[worst] ? result : worst),
    'pass',
  );
}

export interface VersionFigures {
  /** undefined: no data for the period (no RequestCount datapoint), which is not zero requests. */
  requests: number | undefined;
  /** Requests that failed at or on the way to a target: its 5xx and the connections it refused. */
  errors: number;
  p95LatencyMs: number | undefined;
  /** The most targets unhealthy at once in the period, when known. */
  unhealthyTargets?: number | undefined;
}

/**
 * One interval of a canary-vs-stable comparison. Unhealthy canary targets fail it whatever the
 * traffic; otherwise no data, or too few canary requests, is never pass or fail.
 */
export function judgeComparison(
  check: Extract<CheckPlan, { type: 'compare' }>,
  canary: VersionFigures,
  stable: VersionFigures,
): CheckObservation {
  const errorRate = (figures: VersionFigures) =>
    figures.requests ? Math.min(100, (figures.errors / figures.requests) * 100) : 0;
  const canaryRate = errorRate(canary);
  const stableRate = errorRate(stable);
  const name = 'compare';
  if (canary.requests) {
    if (check.abortErrorRatePercent !== undefined && canaryRate > check.abortErrorRatePercent) {
      return {
        check: name,
        result: 'abort',
        detail: `canary error rate ${fixed(canaryRate)} % passed the ${check.abortErrorRatePercent} % abort limit`,
      };
    }
    if (check.abortP95LatencyMs !== undefined && (canary.p95LatencyMs ?? 0) > check.abortP95LatencyMs) {
      return {
        check: name,
        result: 'abort',
        detail: `canary p95 ${Math.round(canary.p95LatencyMs ?? 0)} ms passed the ${check.abortP95LatencyMs} ms abort limit`,
      };
    }
  }
  const maxUnhealthy = check.maxUnhealthyTargets;
  if ((canary.unhealthyTargets ?? 0) > maxUnhealthy) {
    return {
      check: name,
      result: 'fail',
      detail: `${canary.unhealthyTargets} unhealthy canary target(s) at once (allowed ${maxUnhealthy})`,
    };
  }
  if (canary.requests === undefined) {
    return { check: name, result: 'inconclusive', detail: 'no canary data for the period' };
  }
  if (canary.requests < check.minRequests) {
    return {
      check: name,
      result: 'inconclusive',
      detail: `only ${canary.requests} canary requests (need ${check.minRequests})`,
    };
  }
  if (stable.requests === undefined || stable.requests < check.minRequests) {
    // At 100 % there is no stable traffic to compare with: only absolute limits can judge.
    const hasLimits = check.abortErrorRatePercent !== undefined || check.abortP95LatencyMs !== undefined;
    return hasLimits
      ? {
          check: name,
          result: 'pass',
          detail: `no stable traffic to compare; canary within its absolute limits (${fixed(canaryRate)} % errors)`,
        }
      : {
          check: name,
          result: 'inconclusive',
          detail:
            stable.requests === undefined
              ? 'no stable data to compare with'
              : `only ${stable.requests} stable requests to compare with`,
        };
  }
  if (canaryRate - stableRate > check.maxErrorRateIncreasePoints) {
    return {
      check: name,
      result: 'fail',
      detail: `canary error rate ${fixed(canaryRate)} % vs stable ${fixed(stableRate)} % (allowed +${check.maxErrorRateIncreasePoints} points)`,
    };
  }
  if (canary.p95LatencyMs !== undefined && stable.p95LatencyMs !== undefined && stable.p95LatencyMs > 0) {
    const ratio = canary.p95LatencyMs / stable.p95LatencyMs;
    if (ratio > check.maxP95LatencyRatio) {
      return {
        check: name,
        result: 'fail',
        detail: `canary p95 ${Math.round(canary.p95LatencyMs)} ms is ${fixed(ratio)}× stable's ${Math.round(stable.p95LatencyMs)} ms (allowed ${check.maxP95LatencyRatio}×)`,
      };
    }
  }
  return {
    check: name,
    result: 'pass',
    detail: `canary ${fixed(canaryRate)} % errors, p95 ${Math.round(canary.p95LatencyMs ?? 0)} ms; stable ${fixed(stableRate)} %, p95 ${Math.round(stable.p95LatencyMs ?? 0)} ms`,
  };
}

function fixed(value: number): string {
  return value.toFixed(2);
}

export interface AnalysisLimits {
  failureLimit: number;
  consecutiveFailureLimit?: number;
}

export interface AnalysisJudgement {
  verdict: Verdict;
  intervals: number;
  passed: number;
  failed: number;
  inconclusive: number;
  consecutiveFailures: number;
  reason: string;
}

/**
 * The verdict over all intervals so far: fail at once on an abort, or when failures pass the
 * limit (or run consecutively to the consecutive limit); inconclusive when more intervals were
 * inconclusive than conclusive; otherwise pass.
 */
export function judgeAnalysis(
  intervals: readonly IntervalResult[],
  limits: AnalysisLimits,
): AnalysisJudgement {
  let failed = 0;
  let passed = 0;
  let inconclusive = 0;
  let consecutive = 0;
  let longestRun = 0;
  for (const result of intervals) {
    if (result === 'abort') {
      return {
        verdict: 'fail',
        intervals: intervals.length,
        passed,
        failed: failed + 1,
        inconclusive,
        consecutiveFailures: consecutive + 1,
        reason: 'an abort threshold was passed',
      };
    }
    if (result === 'fail') {
      failed++;
      consecutive++;
      longestRun = Math.max(longestRun, consecutive);
    } else {
      consecutive = 0;
      if (result === 'pass') passed++;
      else inconclusive++;
    }
  }
  const base = {
    intervals: intervals.length,
    passed,
    failed,
    inconclusive,
    consecutiveFailures: consecutive,
  };
  if (failed > limits.failureLimit) {
    return {
      ...base,
      verdict: 'fail',
      reason: `${failed} failed interval(s), more than the limit of ${limits.failureLimit}`,
    };
  }
  if (limits.consecutiveFailureLimit !== undefined && longestRun >= limits.consecutiveFailureLimit) {
    return {
      ...base,
      verdict: 'fail',
      reason: `${longestRun} consecutive failed intervals (limit ${limits.consecutiveFailureLimit})`,
    };
  }
  if (intervals.length === 0 || inconclusive > passed + failed) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `${inconclusive} of ${intervals.length} interval(s) inconclusive`,
    };
  }
  return {
    ...base,
    verdict: 'pass',
    reason: `${passed} of ${intervals.length} interval(s) passed, ${failed} failed`,
  };
}
