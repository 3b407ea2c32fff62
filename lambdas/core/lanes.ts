/**
 * Lane scheduling within a region: which ready service a lane takes next. List scheduling: of
 * the pending services whose dependencies have all completed (the region's ready set, which the
 * store keeps: completing a service counts its dependents down), the one with the most
 * estimated work after it (its bottom level) goes first; ties go by name, so a rehearsal with
 * the same seed claims the same services. No claim reads the whole region: a lane reads its
 * region's board (LaneBoard), a few ready services and a handful of counters. Free of I/O: the
 * claim itself (a conditional write, so two lanes never take the same service) is in
 * handlers/release.ts.
 */
import type { LaneBoard, ServiceRolloutRecord, ServiceRolloutStatus } from '../ports';

export type LaneDecision =
  /** The lane already holds this service (a retried claim gets its own back). */
  | { outcome: 'own'; service: string }
  /** Services to try to claim, best first: one another lane took meanwhile fails its condition. */
  | { outcome: 'claim'; candidates: string[] }
  /** Services remain unclaimed, none ready: they wait for dependencies to complete. */
  | { outcome: 'wait' }
  /** A service of the region failed, rolled back or was skipped: the lane takes nothing more. */
  | { outcome: 'blocked'; reason: string }
  | { outcome: 'done' };

/** Statuses that stop a region's lanes from taking more (the board's `broken`). */
export const BROKEN_STATUSES: ReadonlySet<ServiceRolloutStatus> = new Set([
  'FAILED',
  'ROLLED_BACK',
  'SKIPPED',
]);

/** Statuses of a rollout a lane is running. */
export const ACTIVE_STATUSES: ReadonlySet<ServiceRolloutStatus> = new Set(['IN_PROGRESS', 'VALIDATING']);

/** How many of the best ready services a claim reads: enough that lanes claiming at once rarely all collide. */
export const CLAIM_CANDIDATES = 5;

export function decideLaneClaim(laneId: string, board: LaneBoard): LaneDecision {
  const own = board.lanes[laneId];
  if (own) return { outcome: 'own', service: own };
  if (board.broken) return { outcome: 'blocked', reason: board.broken };
  if (board.ready.length > 0) return { outcome: 'claim', candidates: [...board.ready] };
  if (board.unclaimed === 0) return { outcome: 'done' };
  return { outcome: 'wait' };
}

/**
 * Whether a lane that just parked should be resumed at once: a service is ready, or no lane is
 * running a service that could complete and wake it (it would wait for ever).
 */
export function parkedLaneShouldWake(board: LaneBoard): boolean {
  return board.ready.length > 0 || Object.keys(board.lanes).length === 0;
}

/**
 * How many of a region's parked lanes to wake after a service finished: all when the region
 * broke or has nothing left to claim (they end), otherwise one per ready service; the lane that
 * finished claims again itself.
 */
export function lanesToWake(board: LaneBoard, parked: number): number {
  if (board.broken || board.unclaimed === 0) return parked;
  return Math.min(parked, board.ready.length);
}

/**
 * The order of the ready set, as one string: most work after it first, then by name. Whole
 * milliseconds, inverted and zero-padded, so the stores sort it as text (DynamoDB sort keys).
 */
export function readyRank(priority: number, service: string): string {
  const inverted = MAX_PRIORITY_MS - Math.min(MAX_PRIORITY_MS, Math.max(0, Math.round(priority * 1000)));
  return `${String(inverted).padStart(RANK_DIGITS, '0')}#${service}`;
}

const RANK_DIGITS = 15;
const MAX_PRIORITY_MS = 10 ** RANK_DIGITS - 1;

/** Rollouts not yet completed: a wave is green when there are none. */
export function unfinishedRollouts(records: readonly ServiceRolloutRecord[]): ServiceRolloutRecord[] {
  return records.filter((record) => record.status !== 'COMPLETED');
}

/** What one rollout update changes on its region's board (both store adapters apply it in the update's transaction). */
export interface BoardChange {
  /** It left PENDING: off the ready set, one fewer unclaimed. */
  claimed: boolean;
  /** A lane now runs it. */
  runs?: { service: string; lane: string };
  /** No lane runs it any more (a no-op where none did). */
  stops?: string;
  /** It broke the region: `service STATUS` (kept only if the region was not broken already). */
  broken?: string;
}

/**
 * The board's part of an update, from the update alone: `statuses` are what the record may be
 * in (the update's condition, or the status read; undefined: any). 'needs the record' when
 * only the current status can tell (whether it leaves PENDING).
 */
export function boardChange(
  service: string,
  patch: Pick<Partial<ServiceRolloutRecord>, 'status' | 'claimedBy'>,
  statuses: readonly ServiceRolloutStatus[] | undefined,
): BoardChange | 'needs the record' | undefined {
  const status = patch.status;
  if (status === undefined) return undefined;
  const may = (predicate: (candidate: ServiceRolloutStatus) => boolean) => statuses?.some(predicate) ?? true;
  const leavesPending = status !== 'PENDING' && may((candidate) => candidate === 'PENDING');
  if (leavesPending && (statuses?.length ?? 0) !== 1) return 'needs the record';
  const active = ACTIVE_STATUSES.has(status);
  const change: BoardChange = {
    claimed: leavesPending,
    ...(active && patch.claimedBy ? { runs: { service, lane: patch.claimedBy } } : {}),
    ...(!active && may((candidate) => ACTIVE_STATUSES.has(candidate)) ? { stops: service } : {}),
    ...(BROKEN_STATUSES.has(status) ? { broken: `${service} ${status}` } : {}),
  };
  return change.claimed || change.runs || change.stops || change.broken ? change : undefined;
}
