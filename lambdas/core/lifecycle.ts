/**
 * The lifecycle of releases (and failover records) and of service rollouts: every status, and
 * from which statuses each may be reached. The store conditions every status change on these
 * tables, so a move the code never makes is refused (ConditionFailedError) by the write itself.
 *
 * Each entry lists the moves the handlers and the API make (see the comments); a status moving
 * to itself is a retried step writing what it already wrote.
 */
import { InvalidInputError } from './errors';

export type ReleaseStatus =
  /** Submitted with `queue` while another release held the lock: waits its turn (app/release-queue.ts). */
  | 'QUEUED'
  /** Taken off the queue by a person before its turn came: nothing of it ran. */
  | 'CANCELLED'
  | 'PENDING'
  | 'RUNNING'
  /** Every wave done; its alarms still watched, the lock still held, until its rollback window ends. */
  | 'MONITORING'
  | 'SUCCEEDED'
  | 'ROLLING_BACK'
  | 'ROLLED_BACK'
  | 'FAILED'
  | 'ABORTED'
  /** Refused by preflight before anything was touched: nothing changed. */
  | 'REFUSED';

export type ServiceRolloutStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'VALIDATING'
  | 'COMPLETED'
  | 'FAILED'
  | 'ROLLED_BACK'
  | 'SKIPPED';

/** To each status, the statuses it may be reached from. */
export const RELEASE_MOVES: { readonly [To in ReleaseStatus]: readonly ReleaseStatus[] } = {
  // Created so by a queued submission; nothing moves back to it.
  QUEUED: [],
  // A person's cancel of a queued release.
  CANCELLED: ['QUEUED', 'CANCELLED'],
  // Created so (a failover record is created RUNNING), or moved so when a queued release's turn comes.
  PENDING: ['QUEUED'],
  // validateRelease.
  RUNNING: ['PENDING'],
  // openRollbackWindow, after the last wave.
  MONITORING: ['RUNNING', 'MONITORING'],
  // finalizeRelease (after the window, or at once without one), finishFailover.
  SUCCEEDED: ['RUNNING', 'MONITORING', 'SUCCEEDED'],
  // The alarm handler and the API's abort (or a preempting emergency release) stop a PENDING,
  // RUNNING or MONITORING release; the ASL's Catch (beginRollback) may follow a failed
  // finalizeRelease; the API rolls back a finished release that left services changed, and a
  // FAILED one again when its rollback was incomplete.
  ROLLING_BACK: ['PENDING', 'RUNNING', 'MONITORING', 'SUCCEEDED', 'FAILED', 'ABORTED'],
  // finishRollback.
  ROLLED_BACK: ['ROLLING_BACK', 'ROLLED_BACK'],
  // refuseRelease (before or after validation), failFailover (also after finishFailover recorded
  // SUCCEEDED but its lock could not be let go), finishRollback when the rollback was incomplete.
  FAILED: ['PENDING', 'RUNNING', 'MONITORING', 'SUCCEEDED', 'ROLLING_BACK', 'FAILED'],
  // No handler writes it now (an abort starts a rollback); ABORTED records are still honoured
  // by the API, so the status stays reachable from where a stop could happen.
  ABORTED: ['PENDING', 'RUNNING'],
  // refuseAfterPreflight.
  REFUSED: ['RUNNING', 'REFUSED'],
};

export const SERVICE_ROLLOUT_MOVES: {
  readonly [To in ServiceRolloutStatus]: readonly ServiceRolloutStatus[];
} = {
  // Written so by validateRelease; nothing moves back to it.
  PENDING: [],
  // claimNextService (from PENDING), startServiceRollout (PENDING, or IN_PROGRESS once claimed),
  // shiftTraffic to a weight of 0 (from VALIDATING too).
  IN_PROGRESS: ['PENDING', 'IN_PROGRESS', 'VALIDATING'],
  // shiftTraffic to a canary weight above 0.
  VALIDATING: ['IN_PROGRESS', 'VALIDATING'],
  // completeServiceRollout.
  COMPLETED: ['IN_PROGRESS', 'VALIDATING', 'COMPLETED'],
  // failServiceRollout: the service-rollout machine's Catch, before it completes.
  FAILED: ['PENDING', 'IN_PROGRESS', 'VALIDATING'],
  // verifyRestored, for every service the release touched (a second rollback finds them so).
  ROLLED_BACK: ['IN_PROGRESS', 'VALIDATING', 'COMPLETED', 'FAILED', 'ROLLED_BACK'],
  // Nothing writes it.
  SKIPPED: [],
};

export const RELEASE_STATUSES = Object.keys(RELEASE_MOVES) as readonly ReleaseStatus[];
export const SERVICE_ROLLOUT_STATUSES = Object.keys(SERVICE_ROLLOUT_MOVES) as readonly ServiceRolloutStatus[];

/** The statuses a release may move to `to` from. */
export function releaseMovesFrom(to: ReleaseStatus): readonly ReleaseStatus[] {
  return RELEASE_MOVES[to];
}

/** The statuses a service rollout may move to `to` from. */
export function serviceRolloutMovesFrom(to: ServiceRolloutStatus): readonly ServiceRolloutStatus[] {
  return SERVICE_ROLLOUT_MOVES[to];
}

/**
 * What a release's status change may start from: the lifecycle's sources, narrowed to the
 * caller's `from` when it names some (naming none is a mistake, not "from anywhere").
 */
export function releaseMoveSources(
  to: ReleaseStatus,
  from?: readonly ReleaseStatus[],
): readonly ReleaseStatus[] {
  if (from?.length === 0) throw new InvalidInputError('from must name at least one status');
  return allowedSources(releaseMovesFrom(to), from);
}

/**
 * What a service-rollout update may start from: with a status in the patch, the lifecycle's
 * sources narrowed to `expect`; without one, `expect` alone (undefined: any).
 */
export function rolloutUpdateSources(
  to: ServiceRolloutStatus | undefined,
  expect?: readonly ServiceRolloutStatus[],
): readonly ServiceRolloutStatus[] | undefined {
  return to ? allowedSources(serviceRolloutMovesFrom(to), expect) : expect;
}

/**
 * What a status change may start from: the caller's `from` (when it names one) narrowed to what
 * the lifecycle allows. Empty: no current status would do.
 */
export function allowedSources<Status extends string>(
  lifecycleFrom: readonly Status[],
  callerFrom?: readonly Status[],
): readonly Status[] {
  return callerFrom ? callerFrom.filter((status) => lifecycleFrom.includes(status)) : lifecycleFrom;
}
