/**
 * How long a lock's lease lasts. A lease outlives the longest stretch between its renewals; the
 * store's TTL only cleans up after a holder that is gone.
 */
import type { ResolvedPlan } from './plan/resolve';
import { previewRelease } from './planner/preview';

/** The least a release holds the lock for between renewals (each region's start renews it). */
export const RELEASE_LEASE_SECONDS = 6 * 3600;

/** A rollback's lease: it takes over the release's lock, and renews it as it goes. */
export const ROLLBACK_LEASE_SECONDS = 2 * 3600;

const leaseByPlan = new WeakMap<ResolvedPlan, number>();

/**
 * Twice the planner's estimate of the whole release, and at least six hours: approvals and slow
 * rollouts stretch a release past its estimate; then its rollback window, through which it holds
 * the lock. Kept per plan object, as the estimate walks it.
 */
export function releaseLeaseSeconds(plan: ResolvedPlan): number {
  let seconds = leaseByPlan.get(plan);
  if (seconds === undefined) {
    seconds =
      Math.max(RELEASE_LEASE_SECONDS, Math.ceil(2 * previewRelease(plan).totals.makespanSeconds)) +
      plan.rollbackWindowSeconds;
    leaseByPlan.set(plan, seconds);
  }
  return seconds;
}
