/**
 * The judge check: canary against stable over a whole analysis window of per-minute samples, as
 * Kayenta's Mann-Whitney classifier judges a canary. For each metric (error rate, p95 latency;
 * higher is worse for both) a one-sided Mann-Whitney U test asks whether the canary's minutes
 * tend to be worse than stable's, and the Hodges-Lehmann shift says by how much. A metric fails
 * only when both hold: the test is significant at its share of α, and the shift lies above the
 * tolerance band around stable. α = 1 − confidence is split evenly over the metrics (Bonferroni),
 * so an equal canary fails a judgement with probability at most 1 − confidence. Pure.
 */
import type { IntervalResult, VersionFigures } from './analysis';
import type { CheckPlan } from './plan/schema';
import { hodgesLehmannShift, type MannWhitneyMethod, mannWhitneyU } from './statistics/mann-whitney';

export type JudgeCheckPlan = Extract<CheckPlan, { type: 'judge' }>;
export type JudgeResult = Exclude<IntervalResult, 'abort'>;

export const JUDGED_METRICS = ['errorRate', 'p95Latency'] as const;
export type JudgedMetricName = (typeof JUDGED_METRICS)[number];

const UNITS: Record<JudgedMetricName, 'points' | 'ms'> = { errorRate: 'points', p95Latency: 'ms' };

/** One metric's judgement, in the units of the metric (error rate in percentage points, p95 in ms). */
export interface JudgedMetric {
  metric: JudgedMetricName;
  unit: 'points' | 'ms';
  critical: boolean;
  result: JudgeResult;
  /** Minutes counted per side. */
  canarySamples: number;
  stableSamples: number;
  /** This metric's share of α: a p at or under it is significant. */
  alpha: number;
  /** The allowed shift of canary over stable: [−t, +t] around stable. */
  band: [number, number];
  /** Absent when there were too few samples to test. */
  u?: number;
  /** One-sided: the evidence that the canary's minutes are worse (higher) than stable's. */
  p?: number;
  method?: MannWhitneyMethod;
  /** Hodges-Lehmann estimate of canary − stable, with its interval at confidence 1 − 2α (so its lower end is the one-sided bound). */
  shift?: number;
  shiftInterval?: [number, number];
}

export interface JudgeVerdict {
  result: JudgeResult;
  detail: string;
  confidence: number;
  /** Percent of tested metrics that passed; absent when none could be tested. */
  score?: number;
  passScore: number;
  minSamples: number;
  minRequests: number;
  metrics: JudgedMetric[];
}

interface MinuteSample {
  canary: VersionFigures;
  stable: VersionFigures;
}

/** The verdict over every per-minute sample of the window so far. */
export function judgeCanary(check: JudgeCheckPlan, samples: readonly MinuteSample[]): JudgeVerdict {
  const alpha = (1 - check.confidence) / JUDGED_METRICS.length;
  const metrics = JUDGED_METRICS.map((metric) => judgeMetric(check, metric, alpha, samples));
  const base = {
    confidence: check.confidence,
    passScore: check.passScore,
    minSamples: check.minSamples,
    minRequests: check.minRequests,
    metrics,
  };
  const tested = metrics.filter((metric) => metric.result !== 'inconclusive');
  const score =
    tested.length > 0
      ? round((100 * tested.filter((m) => m.result === 'pass').length) / tested.length, 2)
      : undefined;
  const scored = { ...base, ...(score !== undefined && { score }) };
  const criticalFailure = metrics.find((metric) => metric.critical && metric.result === 'fail');
  if (criticalFailure) {
    return { ...scored, result: 'fail', detail: `judge: critical ${describeMetric(criticalFailure)}` };
  }
  const untested = metrics.find((metric) => metric.result === 'inconclusive');
  if (untested) {
    return {
      ...scored,
      result: 'inconclusive',
      detail: `judge: too few samples for ${untested.metric}: ${untested.canarySamples} canary and ${untested.stableSamples} stable minute(s) with at least ${check.minRequests} requests (need ${check.minSamples} each)`,
    };
  }
  const failed = metrics.filter((metric) => metric.result === 'fail');
  if (score !== undefined && score < check.passScore) {
    return {
      ...scored,
      result: 'fail',
      detail: `judge: score ${score} under ${check.passScore}: ${failed.map(describeMetric).join('; ')}`,
    };
  }
  return {
    ...scored,
    result: 'pass',
    detail: `judge: score ${score}: ${metrics.map(describeMetric).join('; ')}`,
  };
}

function judgeMetric(
  check: JudgeCheckPlan,
  metric: JudgedMetricName,
  alpha: number,
  samples: readonly MinuteSample[],
): JudgedMetric {
  const canary = sampleValues(samples, 'canary', metric, check.minRequests);
  const stable = sampleValues(samples, 'stable', metric, check.minRequests);
  const base = {
    metric,
    unit: UNITS[metric],
    critical: check[metric].critical,
    canarySamples: canary.length,
    stableSamples: stable.length,
    alpha,
  };
  if (canary.length < check.minSamples || stable.length < check.minSamples) {
    return { ...base, result: 'inconclusive', band: toleranceBand(check, metric, stable) };
  }
  const band = toleranceBand(check, metric, stable);
  const test = mannWhitneyU(canary, stable);
  const estimate = hodgesLehmannShift(canary, stable, 1 - 2 * alpha);
  const worse = test.pGreater <= alpha && estimate.shift > band[1];
  return {
    ...base,
    result: worse ? 'fail' : 'pass',
    band,
    u: test.u,
    p: significant(test.pGreater),
    method: test.method,
    shift: round(estimate.shift, 4),
    shiftInterval: [round(estimate.lower, 4), round(estimate.upper, 4)],
  };
}

/**
 * A side's value per minute: only minutes with a RequestCount of at least minRequests count (no
 * datapoint is no data, never zero), and for p95 only minutes where a target answered.
 */
function sampleValues(
  samples: readonly MinuteSample[],
  side: 'canary' | 'stable',
  metric: JudgedMetricName,
  minRequests: number,
): number[] {
  const values: number[] = [];
  for (const sample of samples) {
    const { requests, errors, p95LatencyMs } = sample[side];
    if (requests === undefined || requests < minRequests) continue;
    if (metric === 'errorRate') values.push(Math.min(100, (errors / requests) * 100));
    else if (p95LatencyMs !== undefined) values.push(p95LatencyMs);
  }
  return values;
}

/** Error rate: ± tolerancePoints. p95: ± tolerance × stable's median p95. */
function toleranceBand(
  check: JudgeCheckPlan,
  metric: JudgedMetricName,
  stable: readonly number[],
): [number, number] {
  const width =
    metric === 'errorRate'
      ? check.errorRate.tolerancePoints
      : check.p95Latency.tolerance * (median(stable) ?? 0);
  return [round(-width, 4), round(width, 4)];
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function describeMetric(metric: JudgedMetric): string {
  const unit = metric.unit === 'points' ? ' points' : ' ms';
  const verdict = metric.result === 'fail' ? 'canary worse' : metric.result;
  if (metric.shift === undefined || metric.shiftInterval === undefined) return `${metric.metric} ${verdict}`;
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value}`;
  return `${metric.metric} ${verdict}: shift ${signed(metric.shift)}${unit} (interval ${metric.shiftInterval[0]}…${metric.shiftInterval[1]}, band ±${metric.band[1]}), U ${metric.u}, p ${metric.p} (α ${significant(metric.alpha)}), n ${metric.canarySamples}/${metric.stableSamples}`;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Three significant digits: a p-value's magnitude is what a reader needs. */
function significant(value: number): number {
  return Number(value.toPrecision(3));
}
