/**
 * What an analysis verdict was judged on, in the form its audit entry keeps: the canary and
 * stable figures of each compared period and the compare check's limits. Columns of numbers, not
 * one object per period, and at most MAX_RECORDED_PERIODS periods, so an entry stays small (a
 * release of a thousand services writes thousands of them). Pure.
 */
import type { CheckReading } from './analysis-step';
import type { MetricWindow } from './metric-window';

/** Periods recorded per analysis; a longer window keeps its latest ones (the verdict's end). */
export const MAX_RECORDED_PERIODS = 30;

/** One version's figures per period; null where CloudWatch had no datapoint. */
export interface VersionSeries {
  requests: Array<number | null>;
  /** Errors per request, in percent (the figure the limits are in), to two decimals. */
  errorRatePercent: Array<number | null>;
  /** Whole milliseconds. */
  p95LatencyMs: Array<number | null>;
}

export interface ComparisonLimits {
  maxErrorRateIncreasePoints: number;
  maxP95LatencyRatio: number;
  minRequests: number;
  maxUnhealthyTargets: number;
  abortErrorRatePercent?: number;
  abortP95LatencyMs?: number;
}

export interface RecordedComparison {
  limits: ComparisonLimits;
  /** The length of each period. */
  periodSeconds: number;
  /** Each period's start, in seconds after `from` (the first recorded period's start). */
  from: string;
  offsetsSeconds: number[];
  canary: VersionSeries;
  stable: VersionSeries;
  /** Earlier periods left out (past MAX_RECORDED_PERIODS). */
  omittedPeriods?: number;
}

/** The first compare check's readings, or nothing when no comparison read a period. */
export function recordedComparison(
  readings: readonly CheckReading[],
  window: MetricWindow | undefined,
): RecordedComparison | undefined {
  const reading = readings.find(
    (candidate): candidate is Extract<CheckReading, { type: 'compare' }> => candidate.type === 'compare',
  );
  if (!reading || reading.samples.length === 0) return undefined;
  const samples = reading.samples.slice(-MAX_RECORDED_PERIODS);
  const fromMs = Date.parse(samples[0]!.at);
  const { check } = reading;
  const series = (version: 'canary' | 'stable'): VersionSeries => ({
    requests: samples.map((sample) => sample[version].requests ?? null),
    errorRatePercent: samples.map(({ [version]: figures }) =>
      figures.requests ? round2(Math.min(100, (figures.errors / figures.requests) * 100)) : null,
    ),
    p95LatencyMs: samples.map(({ [version]: figures }) =>
      figures.p95LatencyMs === undefined ? null : Math.round(figures.p95LatencyMs),
    ),
  });
  const omitted = reading.samples.length - samples.length;
  return {
    limits: {
      maxErrorRateIncreasePoints: check.maxErrorRateIncreasePoints,
      maxP95LatencyRatio: check.maxP95LatencyRatio,
      minRequests: check.minRequests,
      maxUnhealthyTargets: check.maxUnhealthyTargets,
      ...(check.abortErrorRatePercent !== undefined && {
        abortErrorRatePercent: check.abortErrorRatePercent,
      }),
      ...(check.abortP95LatencyMs !== undefined && { abortP95LatencyMs: check.abortP95LatencyMs }),
    },
    periodSeconds: window?.periodSeconds ?? periodOf(samples),
    from: samples[0]!.at,
    offsetsSeconds: samples.map((sample) => Math.round((Date.parse(sample.at) - fromMs) / 1000)),
    canary: series('canary'),
    stable: series('stable'),
    ...(omitted > 0 && { omittedPeriods: omitted }),
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Without a window: the spacing of the samples, or one ALB period. */
function periodOf(samples: ReadonlyArray<{ at: string }>): number {
  return samples.length > 1
    ? Math.round((Date.parse(samples[1]!.at) - Date.parse(samples[0]!.at)) / 1000)
    : 60;
}
