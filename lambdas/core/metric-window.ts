/**
 * The window of load balancer metrics an analysis judges: whole periods from the first whole
 * minute at or after the traffic shift it judges, up to the last period that is complete and old
 * enough to have been published. Pure: callers pass the times.
 *
 * Elastic Load Balancing measures and sends its metrics in 60-second intervals, and only while
 * requests flow (standard resolution):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 * For standard-resolution metrics a period must be a multiple of 60 seconds:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html
 * and CloudWatch rounds a recent StartTime down to the whole minute, stamping each datapoint with
 * the start of its period:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */

/** The ALB's reporting period: no metric of it is finer. */
export const METRIC_PERIOD_SECONDS = 60;

/**
 * How long after a period ends analysis waits for it to be published. AWS documents that ALB
 * metrics are sent per 60-second interval, not how long CloudWatch takes to show them; one-minute
 * metrics typically appear about two minutes after their period, and the simulated CloudWatch
 * publishes each minute one to two minutes after it ends. Three minutes keeps a minute of margin
 * over that, so a period read is always a period published — missing then means no data.
 */
export const PUBLICATION_ALLOWANCE_SECONDS = 180;

const PERIOD_MS = METRIC_PERIOD_SECONDS * 1000;

/** Whether an analysis interval is a period ALB metrics can be read at: whole minutes, at least one. */
export function isWholeMinutes(seconds: number): boolean {
  return (
    Number.isInteger(seconds) && seconds >= METRIC_PERIOD_SECONDS && seconds % METRIC_PERIOD_SECONDS === 0
  );
}

function requireWholeMinutes(intervalSeconds: number): void {
  if (!isWholeMinutes(intervalSeconds)) {
    throw new RangeError(
      `an analysis interval must be a whole number of minutes (got ${intervalSeconds} s): validate the plan first`,
    );
  }
}

/** The first whole minute at or after `at`: a window judging a change made at `at` starts there. */
export function firstWholeMinute(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / PERIOD_MS) * PERIOD_MS);
}

/** How many intervals an analysis of `durationSeconds` judges: enough to cover it, at least one. */
export function intervalCount(durationSeconds: number, intervalSeconds: number): number {
  return Math.max(1, Math.ceil(durationSeconds / intervalSeconds));
}

export interface MetricWindowPlan {
  /** Where the judged periods start. */
  windowStart: Date;
  /** How long the Wait before the analysis lasts: every period is complete and published after it. */
  waitSeconds: number;
}

/**
 * The window of an analysis that starts at `now`, just after its traffic shift, and its Wait: up
 * to the next whole minute, then the window's intervals, then the publication allowance.
 */
export function planMetricWindow(
  now: Date,
  durationSeconds: number,
  intervalSeconds: number,
): MetricWindowPlan {
  requireWholeMinutes(intervalSeconds);
  const windowStart = firstWholeMinute(now);
  const windowEnd =
    windowStart.getTime() + intervalCount(durationSeconds, intervalSeconds) * intervalSeconds * 1000;
  return {
    windowStart,
    waitSeconds: Math.ceil((windowEnd - now.getTime()) / 1000) + PUBLICATION_ALLOWANCE_SECONDS,
  };
}

/** The longest Wait planMetricWindow gives (a whole minute to align): what the planner estimates. */
export function metricWaitEstimateSeconds(durationSeconds: number, intervalSeconds: number): number {
  return (
    METRIC_PERIOD_SECONDS +
    intervalCount(durationSeconds, intervalSeconds) * intervalSeconds +
    PUBLICATION_ALLOWANCE_SECONDS
  );
}

export interface MetricWindow {
  from: Date;
  to: Date;
  periodSeconds: number;
}

/**
 * The periods an analysis reads at `now`: from `windowStart`, its intervals, but none that ends
 * less than the publication allowance before `now` — so none that may be unpublished. Without a
 * `windowStart`, the latest such window. Asked early, it is shorter (or empty); the Wait before
 * the analysis sees that it is not.
 */
export function readableWindow(options: {
  windowStart?: Date | undefined;
  now: Date;
  durationSeconds: number;
  intervalSeconds: number;
}): MetricWindow {
  const { now, durationSeconds, intervalSeconds } = options;
  requireWholeMinutes(intervalSeconds);
  const intervalMs = intervalSeconds * 1000;
  const planned = intervalCount(durationSeconds, intervalSeconds);
  const publishedUntil = now.getTime() - PUBLICATION_ALLOWANCE_SECONDS * 1000;
  const from =
    options.windowStart?.getTime() ??
    Math.floor(publishedUntil / PERIOD_MS) * PERIOD_MS - planned * intervalMs;
  const readable = Math.max(0, Math.floor((publishedUntil - from) / intervalMs));
  return {
    from: new Date(from),
    to: new Date(from + Math.min(planned, readable) * intervalMs),
    periodSeconds: intervalSeconds,
  };
}
