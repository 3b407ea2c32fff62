/**
 * Draining a region for its release: the other regions are scaled up and take its Route 53
 * weight, as a failover does (failover.ts), the region's services roll out with no DNS traffic,
 * and its weight comes back, in steps if the plan asks. What a drain changed is recorded, so the
 * restore (or a rollback) puts back exactly that.
 */
import type { FailoverRecord } from './failover';
import { seconds } from './plan/resolve';
import type { RegionDrainPlan } from './plan/schema';

/**
 * Polls of GetChange, 15 s apart, before a drain gives up on INSYNC: Route 53 changes are
 * typically INSYNC within 60 s (https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html),
 * so ten minutes means something is wrong.
 */
export const DNS_SYNC_POLL_SECONDS = 15;
export const MAX_DNS_SYNC_CHECKS = 40;
/** Polls the planner counts per INSYNC wait: typically INSYNC within 60 s (see above). */
export const DNS_SYNC_POLLS_ESTIMATE = 4;

/** How a region's drain runs, as the region-rollout state machine reads it. */
export interface DrainSettings {
  /** Percentages of the weight before the drain, the last 100. */
  restoreSteps: number[];
  restoreIntervalSeconds: number;
}

export function drainSettings(drain: RegionDrainPlan): DrainSettings {
  if (drain === true) return { restoreSteps: [100], restoreIntervalSeconds: 0 };
  return { restoreSteps: drain.restoreSteps, restoreIntervalSeconds: seconds(drain.restoreInterval) };
}

/**
 * A drain as recorded: the failover's weights and replicas, the release it belongs to, and the
 * record's TTL read when its weight went to 0 (resolvers may answer from cache that long).
 */
export interface DrainRecord extends Omit<FailoverRecord, 'kind' | 'direction'> {
  kind: 'drain';
  ttlSeconds?: number;
  changeId?: string;
}

/**
 * The weights of one restore step: the drained region at `percent` of its weight before (never
 * rounded down to 0 when it had some), every other region at its weight before.
 */
export function restoreStepWeights(record: Pick<DrainRecord, 'region' | 'weightsBefore'>, percent: number) {
  const before = record.weightsBefore[record.region] ?? 0;
  const partial =
    percent >= 100 ? before : Math.max(before > 0 ? 1 : 0, Math.round((before * percent) / 100));
  return { ...record.weightsBefore, [record.region]: partial };
}

/** Planner seconds of a drain, the waits a person sees in preview: INSYNC allowance, TTL, restore steps. */
export function drainWaitSeconds(
  settings: DrainSettings,
  ttlSeconds: number,
): {
  inSync: number;
  ttl: number;
  restore: number;
} {
  return {
    inSync: DNS_SYNC_POLLS_ESTIMATE * DNS_SYNC_POLL_SECONDS,
    ttl: ttlSeconds,
    restore: (settings.restoreSteps.length - 1) * settings.restoreIntervalSeconds,
  };
}
