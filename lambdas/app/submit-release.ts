/**
 * Submitting a release (the API's POST /releases, the rehearsal, `serve`): validate the plan, take the lock (refusing while another release holds
 * it), store the plan, and start the release execution named by the release id. Submitting the
 * same id and plan again returns the same release and starts nothing new.
 */
import { canonicalHash } from '../core/canonical-json';
import { PlanInvalidError, ReleaseConflictError } from '../core/errors';
import { releaseLeaseSeconds } from '../core/leases';
import { RELEASE_LOCK_SCOPE } from '../core/naming';
import { checkPlan } from '../core/plan/check';
import { resolvePlan } from '../core/plan/resolve';
import type { ReleasePlan } from '../core/plan/schema';
import type { Ports, ReleaseRecord } from '../ports';
import { acquireAuditedLock, releaseAuditedLock } from './locks';
import { buildReleaseContext } from './release-context';

export interface SubmittedRelease {
  release: ReleaseRecord;
  executionArn: string;
  /** false when this exact release had already been submitted. */
  created: boolean;
}

/** The same plan always hashes the same, whatever its key order or formatting. */
export function planHash(plan: unknown): string {
  return canonicalHash(plan);
}

export async function submitRelease(
  ports: Pick<Ports, 'store' | 'workflow' | 'clock'>,
  document: unknown,
  submittedBy = 'switchyard',
): Promise<SubmittedRelease> {
  const checked = checkPlan(document);
  if (!checked.ok) throw new PlanInvalidError(checked.problems);
  const plan: ReleasePlan = checked.plan;
  const releaseId = plan.metadata.releaseId;
  const now = ports.clock.now().toISOString();
  const executionArn = ports.workflow.executionArnFor('release', releaseId);
  const hash = planHash(document);
  const existing = await ports.store.getRelease(releaseId);
  if (existing && existing.planHash !== hash) {
    throw new ReleaseConflictError(`release ${releaseId} already exists with another plan`);
  }
  // The lock is taken here, with a conditional write, before anything is stored or started:
  // of many releases submitted at once exactly one gets it, and the others are refused at the
  // door naming the holder. The same release submitted again already holds it (or has ended).
  let tookLock = false;
  if (!existing) {
    const context = buildReleaseContext(releaseId, resolvePlan(plan));
    await acquireAuditedLock(
      ports,
      RELEASE_LOCK_SCOPE,
      { releaseId, kind: 'release' },
      releaseLeaseSeconds(context.plan),
      submittedBy,
    );
    tookLock = true;
  }
  try {
    const { created, release } = await ports.store.createRelease(
      {
        releaseId,
        status: 'PENDING',
        planHash: hash,
        createdAt: now,
        updatedAt: now,
        executionArn,
        submittedBy,
        kind: 'release',
      },
      document,
    );
    await ports.workflow.startExecution('release', releaseId, { releaseId });
    return { release, executionArn, created };
  } catch (error) {
    // Nothing runs for this release: its lock must not keep others out until the lease ends.
    if (tookLock && !(error instanceof ReleaseConflictError)) {
      await releaseAuditedLock(ports, RELEASE_LOCK_SCOPE, releaseId);
    }
    throw error;
  }
}
