/**
 * Step Functions execution names: 1–80 characters of [A-Za-z0-9_-], unique for 90 days.
 * Child names join their parts; a name that would be too long keeps a readable prefix and a
 * hash of the whole, so two long names never collide.
 */
import { createHash } from 'node:crypto';

export const EXECUTION_NAME_MAX = 80;

export function executionName(...parts: string[]): string {
  const joined = parts.join('-').replace(/[^A-Za-z0-9_-]/g, '_');
  if (joined.length <= EXECUTION_NAME_MAX) return joined;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, 12);
  return `${joined.slice(0, EXECUTION_NAME_MAX - hash.length - 1)}-${hash}`;
}

export const serviceRolloutName = (releaseId: string, region: string, service: string) =>
  executionName(releaseId, region, service);
export const regionRolloutName = (releaseId: string, region: string) => executionName(releaseId, region);
/** The record of a release's drain of a region (handlers/drain.ts). */
export const drainRecordId = (releaseId: string, region: string) => executionName(releaseId, region, 'drain');
export const laneName = (releaseId: string, region: string, lane: number) =>
  executionName(releaseId, region, `lane${lane}`);
/**
 * A release's rollback executions, the one builder of their names: `<id>-rollback`, then
 * `<id>-rollback-2`, `-3`… when the release is rolled back again (see app/start-rollback.ts).
 */
export const rollbackName = (releaseId: string, attempt = 1) =>
  attempt === 1
    ? executionName(releaseId, 'rollback')
    : executionName(releaseId, 'rollback', String(attempt));

/** The lock scope a release takes: one release per scope at a time. */
export const RELEASE_LOCK_SCOPE = 'fleet';
/** Failovers and failbacks hold their own scope: one region moves at a time. */
export const FAILOVER_LOCK_SCOPE = 'failover';

/** Suffix of the per-canary error alarms the alarm rule also matches, whatever the prefix. */
export const CANARY_ALARM_SUFFIX = '-canary-errors';

/** The CloudWatch alarm on a canary's errors that rolls its release back at once. */
export const canaryAlarmName = (service: string, region: string) =>
  `${service}-${region}${CANARY_ALARM_SUFFIX}`;

/** What every abort alarm Switchyard makes is named with; IAM grants its writes on this prefix only. */
export const ABORT_ALARM_PREFIX = 'switchyard-abort-';
/**
 * CloudWatch's limit on an alarm name
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
 */
export const ALARM_NAME_MAX = 255;

/**
 * The abort alarm Switchyard makes for one canary: `switchyard-abort-<release>-<region>-<service>`.
 * A name past CloudWatch's limit keeps a readable prefix and a hash of the whole.
 */
export function abortAlarmName(releaseId: string, region: string, service: string): string {
  const joined = `${ABORT_ALARM_PREFIX}${releaseId}-${region}-${service}`;
  if (joined.length <= ALARM_NAME_MAX) return joined;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, 12);
  return `${joined.slice(0, ALARM_NAME_MAX - hash.length - 1)}-${hash}`;
}
