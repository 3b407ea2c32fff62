/**
 * Whether a release may be rolled back, decided from what the store and the workflow say, with
 * no I/O of its own (app/abort-release.ts, app/rollback-release.ts and app/start-rollback.ts
 * read the facts and act on the decision).
 *
 * - abort: a PENDING, RUNNING or MONITORING release is stopped and rolled back. A QUEUED or
 *   CANCELLED one has nothing to abort or roll back (a queued one is cancelled instead). One already ROLLING_BACK
 *   answers as the first abort did. Anything else has nothing running to abort.
 * - rollback: of a PENDING or RUNNING release, the same as abort. Of a SUCCEEDED release, or of
 *   a FAILED or ABORTED one that left services changed (a refused release changed nothing),
 *   only while no release holds the lock and no later release has changed the fleet since (its
 *   snapshots would be overwritten). ROLLED_BACK: nothing left to do.
 * - A release whose rollback ended without success is rolled back again under the next name
 *   (`<id>-rollback-2`…), up to MAX_ROLLBACK_ATTEMPTS.
 */
import type { ExecutionDescription, ReleaseRecord, ReleaseStatus, ServiceRolloutRecord } from '../ports';

/** What a person (or the API for one) asks of a release. */
export type RollbackRequest = 'abort' | 'rollback';

export type RollbackEligibility =
  /** Running: move it to ROLLING_BACK from `from`, stop its execution, start the rollback. */
  | { verdict: 'stop-and-roll-back'; from: readonly ReleaseStatus[] }
  /** A rollback is already under way: answer with it (restarting it if its start was lost). */
  | { verdict: 'under-way' }
  /** Finished: roll back from `from` once the fleet is found unchanged since the release. */
  | { verdict: 'roll-back-finished'; from: readonly ReleaseStatus[] }
  /** Nothing to do: `message` says why. */
  | { verdict: 'refused'; message: string };

/** Statuses with an execution still running: abort stops it (MONITORING: in its rollback window). */
export const RUNNING_STATUSES: readonly ReleaseStatus[] = ['PENDING', 'RUNNING', 'MONITORING'];

/** Ended releases that may have changed nothing: whether they did is read from their service rollouts. */
export function mayHaveChangedNothing(status: ReleaseStatus): boolean {
  return status === 'FAILED' || status === 'ABORTED';
}

/**
 * The decision for one request. `servicesLeftChanged` is how many of the release's services it
 * changed and did not restore; it matters only where mayHaveChangedNothing(status).
 */
export function rollbackEligibility(
  request: RollbackRequest,
  release: Pick<ReleaseRecord, 'releaseId' | 'status'>,
  servicesLeftChanged?: number,
): RollbackEligibility {
  const { releaseId, status } = release;
  if (RUNNING_STATUSES.includes(status)) return { verdict: 'stop-and-roll-back', from: RUNNING_STATUSES };
  if (status === 'ROLLING_BACK') return { verdict: 'under-way' };
  if (status === 'QUEUED' || status === 'CANCELLED') {
    return {
      verdict: 'refused',
      message:
        `release ${releaseId} is ${status}: nothing of it has run` +
        (status === 'QUEUED' ? ` (switchyard cancel ${releaseId} takes it off the queue)` : ''),
    };
  }
  if (request === 'abort') {
    return {
      verdict: 'refused',
      message:
        `release ${releaseId} is ${status}: nothing is running to abort` +
        (status === 'SUCCEEDED' ? ` (switchyard rollback ${releaseId} rolls it back)` : ''),
    };
  }
  switch (status) {
    case 'ROLLED_BACK':
      return { verdict: 'refused', message: `release ${releaseId} is already rolled back` };
    case 'REFUSED':
      return {
        verdict: 'refused',
        message: `release ${releaseId} was refused by preflight and changed nothing: there is nothing to roll back`,
      };
    case 'FAILED':
    case 'ABORTED':
      if (!servicesLeftChanged) {
        return {
          verdict: 'refused',
          message: `release ${releaseId} is ${status} and changed nothing: there is nothing to roll back`,
        };
      }
      return { verdict: 'roll-back-finished', from: [status] };
    default:
      return { verdict: 'roll-back-finished', from: [status] };
  }
}

/** Changed by the release and not (yet) restored: what a rollback has to put back. */
export function leftChanged(record: Pick<ServiceRolloutRecord, 'status'>): boolean {
  return record.status !== 'PENDING' && record.status !== 'SKIPPED' && record.status !== 'ROLLED_BACK';
}

/**
 * Whether a release submitted after `release` keeps it from being rolled back: `blocks` unless
 * it was rolled back; one that ended FAILED or ABORTED blocks only if it left services changed.
 * Releases not after it (at the same time: by id) are `clear`.
 */
export function laterRelease(
  release: Pick<ReleaseRecord, 'releaseId' | 'createdAt'>,
  later: Pick<ReleaseRecord, 'releaseId' | 'createdAt' | 'status'>,
): 'clear' | 'blocks' | 'blocks-if-it-left-changes' {
  if (later.releaseId === release.releaseId) return 'clear';
  if (`${later.createdAt}#${later.releaseId}` <= `${release.createdAt}#${release.releaseId}`) return 'clear';
  if (later.status === 'ROLLED_BACK') return 'clear';
  return mayHaveChangedNothing(later.status) ? 'blocks-if-it-left-changes' : 'blocks';
}

/** More rollbacks of one release than this is a person retrying in a loop: refuse beyond it. */
export const MAX_ROLLBACK_ATTEMPTS = 10;

/** The release's last rollback execution, by the attempt its name carries. */
export interface LatestRollback {
  attempt: number;
  status: ExecutionDescription['status'];
}

export type NextRollback =
  /** The rollback under way is the one: start nothing. */
  | { action: 'join'; attempt: number }
  | { action: 'start'; attempt: number }
  | { action: 'refuse'; message: string };

/**
 * Which rollback execution a start means: the running one if there is one, otherwise the first
 * attempt whose name no finished execution has taken.
 */
export function nextRollback(releaseId: string, latest: LatestRollback | undefined): NextRollback {
  if (latest?.status === 'RUNNING') return { action: 'join', attempt: latest.attempt };
  const attempt = (latest?.attempt ?? 0) + 1;
  if (attempt > MAX_ROLLBACK_ATTEMPTS) {
    return {
      action: 'refuse',
      message: `release ${releaseId} has been rolled back ${MAX_ROLLBACK_ATTEMPTS} times without success: it needs a person`,
    };
  }
  return { action: 'start', attempt };
}

/**
 * A release found ROLLING_BACK: a rollback running or done is the answer; with none (its start
 * was lost between the status change and the start), starting it finishes what was begun.
 */
export function rollbackUnderWayIsDone(latest: LatestRollback | undefined): boolean {
  return latest?.status === 'RUNNING' || latest?.status === 'SUCCEEDED';
}
