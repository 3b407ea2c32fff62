/**
 * The abort alarm Switchyard makes for each canary (issue 15): which canaries get one, and the
 * limits it alarms on. The alarm itself is made through the AbortAlarms port.
 */
import type { ResolvedService } from './plan/resolve';

/** The plan's abort limits of a canary: from its compare check. */
export interface AbortLimits {
  errorRatePercent?: number;
  p95LatencyMs?: number;
}

/**
 * The abort limits of a canary service, or undefined when it gets no alarm: not a canary, no
 * compare check with an abort limit, or the check says `abortAlarm: false`.
 */
export function abortLimits(service: ResolvedService): AbortLimits | undefined {
  if (service.strategy.type !== 'canary') return undefined;
  for (const check of service.analysis?.checks ?? []) {
    if (check.type !== 'compare' || check.abortAlarm === false) continue;
    const { abortErrorRatePercent, abortP95LatencyMs } = check;
    if (abortErrorRatePercent === undefined && abortP95LatencyMs === undefined) continue;
    return {
      ...(abortErrorRatePercent !== undefined && { errorRatePercent: abortErrorRatePercent }),
      ...(abortP95LatencyMs !== undefined && { p95LatencyMs: abortP95LatencyMs }),
    };
  }
  return undefined;
}
