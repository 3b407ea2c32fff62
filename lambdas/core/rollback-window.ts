/**
 * The rollback window: after the last wave, each region's alarms are still watched for its
 * window (waves.rollbackWindow, or the region's own), and one entering ALARM within it rolls the
 * whole release back. Every window opens when the last wave ends; the release stays MONITORING,
 * holding the lock, until the longest has ended or a person promotes it.
 */
import type { ResolvedPlan } from './plan/resolve';

export interface RollbackWindow {
  opensAt: string;
  /** When the longest region's window ends: the release becomes SUCCEEDED then. */
  endsAt: string;
  /** Each region's window end (a region with no window ends as it opens). */
  regions: Record<string, string>;
}

/** The windows a plan opens at `now`; undefined when no region has one. */
export function openRollbackWindow(plan: ResolvedPlan, now: Date): RollbackWindow | undefined {
  if (plan.rollbackWindowSeconds <= 0) return undefined;
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
  return {
    opensAt: now.toISOString(),
    endsAt: at(plan.rollbackWindowSeconds),
    regions: Object.fromEntries(
      plan.regions.map((region) => [region.name, at(region.rollbackWindowSeconds)]),
    ),
  };
}

/** Whole seconds of the window left at `now` (0 once it has ended). */
export function windowSecondsLeft(window: Pick<RollbackWindow, 'endsAt'>, now: Date): number {
  return Math.max(0, Math.ceil((Date.parse(window.endsAt) - now.getTime()) / 1000));
}

/**
 * Whether an alarm in `region` at `at` falls within the region's window. A region the window does
 * not name (not in the plan) has none: only the plan's regions are watched.
 */
export function withinRegionWindow(window: RollbackWindow, region: string, at: Date): boolean {
  const endsAt = window.regions[region];
  return endsAt !== undefined && at.getTime() < Date.parse(endsAt);
}
