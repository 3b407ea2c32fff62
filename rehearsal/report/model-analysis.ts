/**
 * What an analysis was judged on, read from its audit entry's `comparison` (the canary and
 * stable figures per period and the compare check's limits, lambdas/core/analysis-readings.ts)
 * and `window`, on the release's clock. Results from before they were recorded have neither.
 */
import { type AuditEntry, detailOf, number } from './model-detail';
import type { AnalysisSeries, VersionReading } from './model-types';

type Column = Array<number | null>;

const record = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
const column = (value: unknown): Column => (Array.isArray(value) ? (value as Column) : []);

/** Seconds since the release started of an ISO time in the entry's detail. */
function secondsOf(entry: AuditEntry, iso: unknown): number | undefined {
  if (typeof iso !== 'string' || entry.at === undefined) return undefined;
  const epochMs = Date.parse(entry.at) - entry.atSeconds * 1000;
  const atMs = Date.parse(iso);
  return Number.isFinite(epochMs) && Number.isFinite(atMs) ? (atMs - epochMs) / 1000 : undefined;
}

export function analysisWindow(entry: AuditEntry): { fromSeconds: number; toSeconds: number } | undefined {
  const window = record(detailOf(entry).window);
  const fromSeconds = secondsOf(entry, window?.from);
  const toSeconds = secondsOf(entry, window?.to);
  return fromSeconds === undefined || toSeconds === undefined ? undefined : { fromSeconds, toSeconds };
}

export function analysisSeries(entry: AuditEntry): AnalysisSeries | undefined {
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
