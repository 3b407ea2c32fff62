/**
 * What an analysis was judged on, read from its audit entry's `comparison` (the canary and
 * stable figures per period and the compare check's limits, lambdas/core/analysis-readings.ts)
 * and `window`, on the release's clock. Results from before they were recorded have neither.
 */
import { JUDGED_METRICS, type JudgedMetric } from '../../lambdas/core/judge';
import { type AuditEntry, detailOf, number } from './model-detail';
import type { AnalysisSeries, JudgeSummary, VersionReading } from './model-types';

type Column = Array<number | null>;
/** An analysis verdict's audit entry, or an interrupted analysis the rehearsal read back: when, and its detail. */
type Recorded = Pick<AuditEntry, 'at' | 'atSeconds' | 'detail'>;

const record = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
const column = (value: unknown): Column => (Array.isArray(value) ? (value as Column) : []);

/** Seconds since the release started of an ISO time in the entry's detail. */
function secondsOf(entry: Recorded, iso: unknown): number | undefined {
  if (typeof iso !== 'string' || entry.at === undefined) return undefined;
  const epochMs = Date.parse(entry.at) - entry.atSeconds * 1000;
  const atMs = Date.parse(iso);
  return Number.isFinite(epochMs) && Number.isFinite(atMs) ? (atMs - epochMs) / 1000 : undefined;
}

export function analysisWindow(entry: Recorded): { fromSeconds: number; toSeconds: number } | undefined {
  const window = record(detailOf(entry).window);
  const fromSeconds = secondsOf(entry, window?.from);
  const toSeconds = secondsOf(entry, window?.to);
  return fromSeconds === undefined || toSeconds === undefined ? undefined : { fromSeconds, toSeconds };
}

export function analysisSeries(entry: Recorded): AnalysisSeries | undefined {
  const comparison = record(detailOf(entry).comparison);
  const limits = record(comparison?.limits);
  const fromSeconds = secondsOf(entry, comparison?.from);
  const maxErrorRateIncreasePoints = number(limits?.maxErrorRateIncreasePoints);
  const maxP95LatencyRatio = number(limits?.maxP95LatencyRatio);
  if (
    !comparison ||
    fromSeconds === undefined ||
    maxErrorRateIncreasePoints === undefined ||
    !maxP95LatencyRatio
  )
    return undefined;
  const version = (name: 'canary' | 'stable') => {
    const figures = record(comparison[name]);
    return {
      requests: column(figures?.requests),
      errorRatePercent: column(figures?.errorRatePercent),
      p95LatencyMs: column(figures?.p95LatencyMs),
    };
  };
  const canary = version('canary');
  const stable = version('stable');
  const reading = (figures: ReturnType<typeof version>, index: number): VersionReading => {
    const requests = number(figures.requests[index]);
    const errorRatePercent = number(figures.errorRatePercent[index]);
    const p95LatencyMs = number(figures.p95LatencyMs[index]);
    return {
      ...(requests !== undefined && { requests }),
      ...(errorRatePercent !== undefined && { errorRatePercent }),
      ...(p95LatencyMs !== undefined && { p95LatencyMs }),
    };
  };
  const abortErrorRatePercent = number(limits?.abortErrorRatePercent);
  const abortP95LatencyMs = number(limits?.abortP95LatencyMs);
  const omittedPeriods = number(comparison.omittedPeriods);
  return {
    limits: {
      maxErrorRateIncreasePoints,
      maxP95LatencyRatio,
      minRequests: number(limits?.minRequests) ?? 0,
      ...(abortErrorRatePercent !== undefined && { abortErrorRatePercent }),
      ...(abortP95LatencyMs !== undefined && { abortP95LatencyMs }),
    },
    periodSeconds: number(comparison.periodSeconds) ?? 60,
    periods: column(comparison.offsetsSeconds).flatMap((offset, index) => {
      const at = number(offset);
      return at === undefined
        ? []
        : [{ atSeconds: fromSeconds + at, canary: reading(canary, index), stable: reading(stable, index) }];
    }),
    ...(omittedPeriods !== undefined && { omittedPeriods }),
  };
}

const VERDICTS: ReadonlySet<unknown> = new Set(['pass', 'fail', 'inconclusive']);
const METRIC_NAMES: ReadonlySet<unknown> = new Set(JUDGED_METRICS);
const pair = (value: unknown): [number, number] | undefined =>
  Array.isArray(value) && value.length === 2 && value.every((item) => typeof item === 'number')
    ? [value[0] as number, value[1] as number]
    : undefined;

/** A judge check's verdict from the entry's `judge`, or nothing when it has none. */
export function analysisJudge(entry: Recorded): JudgeSummary | undefined {
  const judge = record(detailOf(entry).judge);
  const confidence = number(judge?.confidence);
  if (!judge || !VERDICTS.has(judge.result) || confidence === undefined || !Array.isArray(judge.metrics))
    return undefined;
  const score = number(judge.score);
  const metrics = judge.metrics.flatMap((raw): JudgedMetric[] => {
    const metric = record(raw);
    const canarySamples = number(metric?.canarySamples);
    const stableSamples = number(metric?.stableSamples);
    const alpha = number(metric?.alpha);
    const band = pair(metric?.band);
    if (
      !metric ||
      !METRIC_NAMES.has(metric.metric) ||
      !VERDICTS.has(metric.result) ||
      canarySamples === undefined ||
      stableSamples === undefined ||
      alpha === undefined ||
      !band
    )
      return [];
    const u = number(metric.u);
    const p = number(metric.p);
    const shift = number(metric.shift);
    const shiftInterval = pair(metric.shiftInterval);
    return [
      {
        metric: metric.metric as JudgedMetric['metric'],
        unit: metric.unit === 'points' ? 'points' : 'ms',
        critical: metric.critical === true,
        result: metric.result as JudgeSummary['result'],
        canarySamples,
        stableSamples,
        alpha,
        band,
        ...(u !== undefined && { u }),
        ...(p !== undefined && { p }),
        ...(shift !== undefined && { shift }),
        ...(shiftInterval && { shiftInterval }),
      },
    ];
  });
  return {
    result: judge.result as JudgeSummary['result'],
    confidence,
    ...(score !== undefined && { score }),
    metrics,
  };
}
