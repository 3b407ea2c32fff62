/**
 * The release queue's use cases (rules in core/release-queue.ts; no I/O but through ports):
 *
 * - queueRelease: a submission with `queue` (or an emergency release) that cannot start now is
 *   stored QUEUED with its queue entry in one write, audited `release.queued`, announced
 *   `Release Queued`; an emergency with `preempt` first has the lock holder rolled back.
 * - dispatchQueue: when the release lock is free, the head takes it and its execution starts;
 *   called after every place the lock is let go, and each minute by the sweep handler. Every
 *   step is idempotent, and the execution is named by the release id, so dispatchers that race
 *   (or one that stopped half-way and runs again) start the head once.
 * - cancelQueuedRelease: a person takes a queued release off the queue.
 */
import { auditEntry } from '../core/audit';
import { ConditionFailedError, LockHeldError, TransientError } from '../core/errors';
import { releaseLeaseSeconds } from '../core/leases';
import { RELEASE_LOCK_SCOPE } from '../core/naming';
import {
  decideDispatch,
  decidePreemption,
  dispatchStep,
  MAX_QUEUED_RELEASES,
  PREEMPTED_ERROR,
  type QueueEntry,
  queuePosition,
} from '../core/release-queue';
import { RUNNING_STATUSES } from '../core/rollback-eligibility';
import type { LockLease, Ports, ReleaseRecord } from '../ports';
import { acquireAuditedLock, releaseAuditedLock } from './locks';
import { RefusedError } from './refusal';
import { loadReleaseContext } from './release-context';
import { requireRelease } from './release-lookup';
import { startRollback } from './start-rollback';
import { auditBySwitchyard } from './switchyard-audit';

export type DispatchPorts = Pick<Ports, 'store' | 'workflow' | 'clock'>;
export type QueuePorts = Pick<Ports, 'store' | 'workflow' | 'clock' | 'events'>;

export type DispatchOutcome =
  /** Nobody waits. */
  | { outcome: 'idle' }
  /** The head waits behind the lock's holder. */
  | { outcome: 'waiting'; head: string; behind: Pick<LockLease, 'releaseId' | 'kind'> }
  /** The release's execution started (or had started: `alreadyStarted`). */
  | { outcome: 'started'; releaseId: string; alreadyStarted: boolean };

/**
 * Rounds of one dispatch: each starts a release, finds the head waiting, or makes progress (an
 * entry of a release that ran already dropped, a cancelled release's lock let go).
 */
const DISPATCH_ROUNDS = MAX_QUEUED_RELEASES + 2;

export async function dispatchQueue(ports: DispatchPorts): Promise<DispatchOutcome> {
  for (let round = 0; round < DISPATCH_ROUNDS; round++) {
    // The queue first: it is empty most of the time, and then nothing else is read.
    const queue = await ports.store.listQueue();
    if (queue.length === 0) return { outcome: 'idle' };
    const lock = await ports.store.getLock(RELEASE_LOCK_SCOPE);
    const outsider = lock?.kind === 'release' && queuePosition(queue, lock.releaseId) === undefined;
    const holderStatus = outsider ? (await ports.store.getRelease(lock.releaseId))?.status : undefined;
    const decision = decideDispatch(queue, lock, holderStatus);
    switch (decision.action) {
      case 'idle':
        return { outcome: 'idle' };
      case 'wait':
        return {
          outcome: 'waiting',
          head: decision.head,
          behind: { releaseId: decision.holder.releaseId, kind: decision.holder.kind },
        };
      case 'free-lock':
        await releaseAuditedLock(ports, RELEASE_LOCK_SCOPE, decision.holder.releaseId);
        continue;
      case 'dispatch': {
        const started = await startQueued(ports, decision.releaseId, decision.holdsLock);
        if (started) return started;
      }
    }
  }
  throw new TransientError(`the release queue kept changing through ${DISPATCH_ROUNDS} rounds of dispatch`);
}

/**
 * One queued release's turn: the lock, QUEUED → PENDING, the audit, the execution, and only then
 * its entry off the queue, so a dispatcher stopped at any step leaves it where the next finds it.
 * undefined: nothing started this round (its entry dropped, or the lock taken by another first).
 */
async function startQueued(
  ports: DispatchPorts,
  releaseId: string,
  holdsLock: boolean,
): Promise<DispatchOutcome | undefined> {
  const release = await ports.store.getRelease(releaseId);
  if (!release || dispatchStep(release.status) === 'drop') {
    await ports.store.removeFromQueue(releaseId);
    return undefined;
  }
  if (!holdsLock) {
    const context = await loadReleaseContext(ports.store, releaseId);
    try {
      await acquireAuditedLock(
        ports,
        RELEASE_LOCK_SCOPE,
        { releaseId, kind: 'release' },
        releaseLeaseSeconds(context.plan),
        'switchyard',
      );
    } catch (error) {
      if (error instanceof LockHeldError) return undefined;
      throw error;
    }
  }
  if (release.status === 'QUEUED' && !(await moveToPending(ports, releaseId))) return undefined;
  const now = ports.clock.now();
  await auditBySwitchyard(ports, 'release.dequeued', {
    releaseId,
    key: 'release/dequeued',
    detail: { waitedSeconds: Math.max(0, (now.getTime() - Date.parse(release.createdAt)) / 1000) },
  });
  const { alreadyExisted } = await ports.workflow.startExecution('release', releaseId, { releaseId });
  await ports.store.removeFromQueue(releaseId);
  return { outcome: 'started', releaseId, alreadyStarted: alreadyExisted };
}

/** false: it was cancelled meanwhile, and the lock this dispatch took for it is let go. */
async function moveToPending(ports: DispatchPorts, releaseId: string): Promise<boolean> {
  try {
    await ports.store.setReleaseStatus(releaseId, 'PENDING', { from: ['QUEUED'] });
    return true;
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
  // Another dispatcher moved it (carry on), or a person cancelled it.
  if ((await ports.store.getRelease(releaseId))?.status === 'PENDING') return true;
  await releaseAuditedLock(ports, RELEASE_LOCK_SCOPE, releaseId);
  return false;
}

/**
 * A dispatch after the lock was let go by a release's own ending (finalize, refusal, rollback):
 * never fails that ending. The queue's failure is the queue's: the sweep tries again within a
 * minute, and the release that let the lock go has ended either way.
 */
export async function dispatchAfterLockRelease(
  ports: DispatchPorts,
): Promise<DispatchOutcome | { outcome: 'failed'; error: string; message: string }> {
  try {
    return await dispatchQueue(ports);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return { outcome: 'failed', error: failure.name, message: failure.message };
  }
}

/** Lets the release lock go (audited, only if the release holds it), then starts whoever waits. */
export async function releaseLockAndDispatch(ports: DispatchPorts, releaseId: string): Promise<void> {
  await releaseAuditedLock(ports, RELEASE_LOCK_SCOPE, releaseId);
  await dispatchAfterLockRelease(ports);
}

// ── queueing a submission ───────────────────────────────────────────────────

export interface QueueSubmission {
  /** The release record as submission makes it (status is set QUEUED here). */
  release: ReleaseRecord;
  document: unknown;
  emergency?: { reason: string };
  /** Roll back the lock's holder first (an emergency only: submission checked). */
  preempt: boolean;
}

export interface QueuedRelease {
  release: ReleaseRecord;
  created: boolean;
  /** Where it stood when queued (1: the head); absent once it started. */
  position?: number;
}

/**
 * Stores the release QUEUED with its entry, then (for a new one) records and announces it,
 * preempts when asked, and dispatches: the lock may have freed meanwhile, or it may be the
 * head of a queue whose lock is free.
 */
export async function queueRelease(ports: QueuePorts, submission: QueueSubmission): Promise<QueuedRelease> {
  const { releaseId } = submission.release;
  const { created, release } = await ports.store.createRelease(
    { ...submission.release, status: 'QUEUED' },
    submission.document,
    { enqueue: submission.emergency ? { emergency: submission.emergency } : {} },
  );
  if (!created) return answerQueued(ports, release, submission);
  const position = queuePosition(await ports.store.listQueue(), releaseId) ?? 1;
  const lock = await ports.store.getLock(RELEASE_LOCK_SCOPE);
  const preempts = submission.preempt ? await preemptionTarget(ports, lock) : undefined;
  const actor = release.submittedBy ?? 'switchyard';
  const emergency = submission.emergency?.reason;
  const detail = {
    position,
    ...(emergency !== undefined && { emergency }),
    ...(lock && { behind: lock.releaseId }),
    ...(preempts && { preempts: preempts.releaseId }),
  };
  await ports.store.appendAudit(
    auditEntry('release.queued', {
      releaseId,
      key: 'release/queued',
      at: ports.clock.now().toISOString(),
      actor,
      detail,
    }),
  );
  await ports.events.publish([{ detailType: 'Release Queued', releaseId, detail }]);
  if (preempts && emergency !== undefined)
    await preempt(ports, preempts, { by: releaseId, actor, reason: emergency });
  await dispatchAfterLockRelease(ports);
  return { release: (await ports.store.getRelease(releaseId)) ?? release, created: true, position };
}

/**
 * The same queued submission again: the same release. An emergency's preemption is repeated
 * (idempotent), in case the first submission stopped before it.
 */
async function answerQueued(
  ports: QueuePorts,
  release: ReleaseRecord,
  submission: QueueSubmission,
): Promise<QueuedRelease> {
  if (release.status === 'QUEUED' && submission.preempt && submission.emergency) {
    const target = await preemptionTarget(ports, await ports.store.getLock(RELEASE_LOCK_SCOPE));
    if (target) {
      await preempt(ports, target, {
        by: release.releaseId,
        actor: release.submittedBy ?? 'switchyard',
        reason: submission.emergency.reason,
      });
    }
  }
  const position = queuePosition(await ports.store.listQueue(), release.releaseId);
  return { release, created: false, ...(position !== undefined && { position }) };
}

/** The release an emergency rolls back now, if any (core/release-queue.ts decidePreemption). */
async function preemptionTarget(
  ports: Pick<Ports, 'store'>,
  lock: LockLease | undefined,
): Promise<ReleaseRecord | undefined> {
  const holder = lock?.kind === 'release' ? await ports.store.getRelease(lock.releaseId) : undefined;
  const decision = decidePreemption(lock, holder?.status);
  return decision.action === 'preempt' ? holder : undefined;
}

/**
 * Aborts and rolls back the release an emergency preempts, through the one way rollbacks start
 * (its stop runs no Catch: the rollback started here puts the fleet back, then lets the lock
 * go, and the dispatch that follows starts the emergency release).
 */
async function preempt(
  ports: QueuePorts,
  holder: ReleaseRecord,
  by: { by: string; actor: string; reason: string },
): Promise<void> {
  const reason = `preempted by emergency release ${by.by}: ${by.reason}`;
  const detail = { by: by.by, reason: by.reason, from: holder.status };
  const outcome = await startRollback(ports, holder, {
    from: RUNNING_STATUSES,
    reason,
    audit: () => ({
      action: 'release.preempted',
      key: `release/preempted-by/${by.by}`,
      actor: by.actor,
      detail,
    }),
    stopError: PREEMPTED_ERROR,
    // A repeated preemption (the submission sent again) repeats its audit, stop and start: all idempotent.
    isOwnRollback: (current) => current.reason === reason,
  });
  if (outcome.outcome !== 'started') return;
  await ports.events.publish([
    { detailType: 'Release Preempted', releaseId: holder.releaseId, detail: { ...detail, actor: by.actor } },
  ]);
}

// ── cancel ──────────────────────────────────────────────────────────────────

export interface CancelledRelease {
  releaseId: string;
  status: 'CANCELLED';
  /** false when it had been cancelled already. */
  cancelled: boolean;
}

/** Takes a queued release off the queue: QUEUED → CANCELLED with its entry gone, in one write. */
export async function cancelQueuedRelease(
  ports: QueuePorts,
  releaseId: string,
  actor: string,
): Promise<CancelledRelease> {
  const release = await requireRelease(ports, releaseId);
  let cancelled = false;
  if (release.status === 'QUEUED') {
    try {
      await ports.store.setReleaseStatus(releaseId, 'CANCELLED', {
        from: ['QUEUED'],
        reason: `cancelled by ${actor}`,
        leaveQueue: true,
      });
      cancelled = true;
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      // Its turn came meanwhile: the refusal below names what it is now.
      const now = await requireRelease(ports, releaseId);
      if (now.status !== 'CANCELLED') throw notQueued(now);
    }
  } else if (release.status !== 'CANCELLED') {
    throw notQueued(release);
  }
  // Keyed, so a cancel repeated after a crash here records it once.
  await ports.store.appendAudit(
    auditEntry('release.cancelled', {
      releaseId,
      key: 'release/cancelled',
      at: ports.clock.now().toISOString(),
      actor,
    }),
  );
  if (cancelled)
    await ports.events.publish([{ detailType: 'Release Cancelled', releaseId, detail: { actor } }]);
  // A dispatcher may have taken the lock for it just before: let it go, and start the next.
  const lock = await ports.store.getLock(RELEASE_LOCK_SCOPE);
  if (lock?.kind === 'release' && lock.releaseId === releaseId)
    await releaseLockAndDispatch(ports, releaseId);
  return { releaseId, status: 'CANCELLED', cancelled };
}

function notQueued(release: ReleaseRecord): RefusedError {
  const hint = RUNNING_STATUSES.includes(release.status)
    ? ` (switchyard abort ${release.releaseId} stops it and rolls it back)`
    : '';
  return new RefusedError(
    `release ${release.releaseId} is ${release.status}, not QUEUED: only a queued release can be cancelled${hint}`,
    { status: release.status },
  );
}

// ── reading the queue ───────────────────────────────────────────────────────

export interface QueueView {
  /** In queue order, with positions from 1. */
  entries: Array<QueueEntry & { position: number }>;
  /** Who holds the release lock: whom the head waits behind. */
  holder?: Pick<LockLease, 'releaseId' | 'kind' | 'acquiredAt'>;
}

export async function readQueue(ports: Pick<Ports, 'store'>): Promise<QueueView> {
  const [queue, lock] = await Promise.all([ports.store.listQueue(), ports.store.getLock(RELEASE_LOCK_SCOPE)]);
  return {
    entries: queue.map((entry, index) => ({ ...entry, position: index + 1 })),
    ...(lock && { holder: { releaseId: lock.releaseId, kind: lock.kind, acquiredAt: lock.acquiredAt } }),
  };
}
