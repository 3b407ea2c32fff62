/**
 * Submitting a release (the API's POST /releases, the rehearsal, `serve`): validate the plan, take the lock (refusing while another release holds
 * it), store the plan, and start the release execution named by the release id. Submitting the
 * same id and plan again returns the same release and starts nothing new.
 *
 * With `queue`, a release that finds the lock held (or others already waiting) waits its turn
 * instead (app/release-queue.ts); an emergency release (metadata.emergency) always goes through
 * the queue, to its head, and with `preempt` has the lock's holder rolled back first.
 */
import { canonicalHash } from '../core/canonical-json';
import { InvalidInputError, LockHeldError, PlanInvalidError, ReleaseConflictError } from '../core/errors';
import { releaseLeaseSeconds } from '../core/leases';
import { RELEASE_LOCK_SCOPE } from '../core/naming';
import { checkPlan } from '../core/plan/check';
import { resolvePlan } from '../core/plan/resolve';
import type { ReleasePlan } from '../core/plan/schema';
import type { ReleaseRecord } from '../ports';
import { acquireAuditedLock } from './locks';
import { buildReleaseContext } from './release-context';
import { type QueuePorts, queueRelease, releaseLockAndDispatch } from './release-queue';

export interface SubmittedRelease {
  release: ReleaseRecord;
  executionArn: string;
  /** false when this exact release had already been submitted. */
  created: boolean;
  /** For a release that waits in the queue: its place (1 is the head). */
  position?: number;
}

export interface SubmitOptions {
  /** Wait for the lock in the queue instead of being refused while it is held. */
  queue?: boolean;
  /** An emergency release only: roll back the release holding the lock first. */
  preempt?: boolean;
}

/** The same plan always hashes the same, whatever its key order or formatting. */
export function planHash(plan: unknown): string {
  return canonicalHash(plan);
}

export async function submitRelease(
  ports: QueuePorts,
  document: unknown,
  submittedBy = 'switchyard',
  options: SubmitOptions = {},
): Promise<SubmittedRelease> {
  const checked = checkPlan(document);
  if (!checked.ok) throw new PlanInvalidError(checked.problems);
  const plan: ReleasePlan = checked.plan;
  const releaseId = plan.metadata.releaseId;
  const emergency = plan.metadata.emergency;
  if (options.preempt && !emergency) {
    throw new InvalidInputError(
      `preempt is for emergency releases only: release ${releaseId} has no metadata.emergency.reason`,
    );
  }
  const now = ports.clock.now().toISOString();
  const executionArn = ports.workflow.executionArnFor('release', releaseId);
  const hash = planHash(document);
  const record: ReleaseRecord = {
    releaseId,
    status: 'PENDING',
    planHash: hash,
    createdAt: now,
    updatedAt: now,
    executionArn,
    submittedBy,
    kind: 'release',
  };
  const queued = (release: ReleaseRecord = record) =>
    queueRelease(ports, {
      release,
      document,
      ...(emergency && { emergency: { reason: emergency.reason } }),
      preempt: options.preempt === true,
    }).then((answer) => ({ ...answer, executionArn }));
  const existing = await ports.store.getRelease(releaseId);
  if (existing && existing.planHash !== hash) {
    throw new ReleaseConflictError(`release ${releaseId} already exists with another plan`);
  }
  // Waiting, or taken off the queue: the same release again, and nothing started out of turn.
  if (existing?.status === 'QUEUED' || existing?.status === 'CANCELLED') return queued(existing);
  const wantsQueue = options.queue === true || emergency !== undefined;
  // Emergencies always go through the queue (to its head); others join it only behind others.
  if (!existing && wantsQueue && (emergency || (await ports.store.listQueue()).length > 0)) return queued();
  // The lock is taken here, with a conditional write, before anything is stored or started:
  // of many releases submitted at once exactly one gets it, and the others are refused at the
  // door naming the holder (or, with `queue`, wait). The same release submitted again already
  // holds it (or has ended).
  let tookLock = false;
  if (!existing) {
    const context = buildReleaseContext(releaseId, resolvePlan(plan));
    try {
      await acquireAuditedLock(
        ports,
        RELEASE_LOCK_SCOPE,
        { releaseId, kind: 'release' },
        releaseLeaseSeconds(context.plan),
        submittedBy,
      );
    } catch (error) {
      if (wantsQueue && error instanceof LockHeldError) return queued();
      throw error;
    }
    tookLock = true;
  }
  try {
    const { created, release } = await ports.store.createRelease(record, document);
    await ports.workflow.startExecution('release', releaseId, { releaseId });
    return { release, executionArn, created };
  } catch (error) {
    // Nothing runs for this release: its lock must not keep others out until the lease ends.
    if (tookLock && !(error instanceof ReleaseConflictError)) await releaseLockAndDispatch(ports, releaseId);
    throw error;
  }
}
