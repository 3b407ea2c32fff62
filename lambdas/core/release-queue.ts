/**
 * The release queue's rules, with no I/O (app/release-queue.ts reads the facts and acts):
 * the order releases wait in, which one the dispatcher starts when the release lock frees, and
 * whom an emergency release preempts.
 *
 * - Order: emergency releases first, among them by submission; then the rest by submission.
 *   The store keeps entries under this very order (queueSortKey), so its read is the order.
 * - Dispatch: the queue's head takes the lock when it is free. A queued release that already
 *   holds it (a dispatcher took it and stopped before starting it) is finished first, wherever
 *   it stands: it won the lock, and a later emergency does not take it back.
 * - Preemption: only a release that still runs (PENDING, RUNNING or MONITORING) is rolled back
 *   for an emergency; a rollback holding the lock is left alone, as rollback outranks every release.
 */
import type { LockHolder } from './errors';
import type { ReleaseStatus } from './lifecycle';
import { RUNNING_STATUSES } from './rollback-eligibility';

/** The most releases that may wait at once: a queue longer than this is a mistake upstream. */
export const MAX_QUEUED_RELEASES = 20;

/** One release waiting its turn, as the store keeps it. */
export interface QueueEntry {
  releaseId: string;
  /** When it was submitted: its release record's createdAt. */
  queuedAt: string;
  submittedBy?: string;
  /** Present for an emergency release (the plan's metadata.emergency): it goes first. */
  emergency?: { reason: string };
}

/** The entry a queued release waits under, made from its record (both stores make it so). */
export function queueEntryFor(
  release: { releaseId: string; createdAt: string; submittedBy?: string },
  emergency?: { reason: string },
): QueueEntry {
  return {
    releaseId: release.releaseId,
    queuedAt: release.createdAt,
    ...(release.submittedBy !== undefined && { submittedBy: release.submittedBy }),
    ...(emergency && { emergency: { reason: emergency.reason } }),
  };
}

/**
 * The key the store sorts entries by: `0#` for emergencies, `1#` for the rest, then the
 * submission time and the id (ISO times of one format sort as text).
 */
export function queueSortKey(entry: Pick<QueueEntry, 'releaseId' | 'queuedAt' | 'emergency'>): string {
  return `${entry.emergency ? 0 : 1}#${entry.queuedAt}#${entry.releaseId}`;
}

/** The entries in queue order (a copy). */
export function inQueueOrder<Entry extends QueueEntry>(entries: readonly Entry[]): Entry[] {
  const keyed = entries.map((entry) => [queueSortKey(entry), entry] as const);
  return keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

/** 1 for the head; undefined when the release does not wait. */
export function queuePosition(queue: readonly QueueEntry[], releaseId: string): number | undefined {
  const index = queue.findIndex((entry) => entry.releaseId === releaseId);
  return index === -1 ? undefined : index + 1;
}

export type DispatchDecision =
  /** Nobody waits. */
  | { action: 'idle' }
  /** Another release (or its rollback) holds the lock: the head waits behind it. */
  | { action: 'wait'; head: string; holder: LockHolder }
  /** The lock is held by a release cancelled before its turn came (a dispatcher stopped half-way): let it go. */
  | { action: 'free-lock'; holder: LockHolder }
  /** Start this release: take the lock for it, unless it holds it already. */
  | { action: 'dispatch'; releaseId: string; holdsLock: boolean };

/**
 * What the dispatcher does now, from the queue (in order), the lock, and, when a release outside
 * the queue holds the lock, that release's status.
 */
export function decideDispatch(
  queue: readonly QueueEntry[],
  lock: LockHolder | undefined,
  holderStatus?: ReleaseStatus,
): DispatchDecision {
  const head = queue[0];
  if (!head) return { action: 'idle' };
  if (!lock) return { action: 'dispatch', releaseId: head.releaseId, holdsLock: false };
  if (lock.kind === 'release' && queuePosition(queue, lock.releaseId) !== undefined) {
    return { action: 'dispatch', releaseId: lock.releaseId, holdsLock: true };
  }
  if (lock.kind === 'release' && holderStatus === 'CANCELLED') return { action: 'free-lock', holder: lock };
  return { action: 'wait', head: head.releaseId, holder: lock };
}

/**
 * What becomes of the entry of the release about to be dispatched, by its status: `start` it
 * (QUEUED, or PENDING when an earlier dispatch moved it and stopped before the start), or `drop`
 * the entry (it ran already, or was cancelled: nothing of it waits any more).
 */
export function dispatchStep(status: ReleaseStatus | undefined): 'start' | 'drop' {
  return status === 'QUEUED' || status === 'PENDING' ? 'start' : 'drop';
}

export type PreemptionDecision =
  /** Roll this release back first: it holds the lock and still runs. */
  | { action: 'preempt'; releaseId: string }
  /** Nothing to preempt: the lock is free, or held by what an emergency does not stop (`why`). */
  | { action: 'none'; why: string };

/** Whom an emergency release with `preempt` rolls back, from the lock and its holder's status. */
export function decidePreemption(
  lock: LockHolder | undefined,
  holderStatus: ReleaseStatus | undefined,
): PreemptionDecision {
  if (!lock) return { action: 'none', why: 'the release lock is free' };
  if (lock.kind !== 'release' || holderStatus === 'ROLLING_BACK') {
    return {
      action: 'none',
      why: `${lock.releaseId} is rolling back, and a rollback is never preempted: the emergency release waits at the head of the queue`,
    };
  }
  if (holderStatus === undefined || !RUNNING_STATUSES.includes(holderStatus)) {
    return { action: 'none', why: `${lock.releaseId} is ${holderStatus ?? 'unknown'}: nothing of it runs` };
  }
  return { action: 'preempt', releaseId: lock.releaseId };
}

/** The error a preempted release's execution is stopped with (StopExecution runs no Catch). */
export const PREEMPTED_ERROR = 'PreemptedByEmergencyRelease';
