/**
 * Submitting a release: validate the plan, store it, refuse while another release holds the
 * lock, and start the release execution named by the release id. Submitting the same id and
 * plan again returns the same release and starts nothing new.
 */
import { createHash } from 'node:crypto';
import { LockHeldError, PlanInvalidError } from '../core/errors';
import { RELEASE_LOCK_SCOPE } from '../core/naming';
import { checkPlan } from '../core/plan/check';
import type { ReleasePlan } from '../core/plan/schema';
import type { Ports, ReleaseRecord } from '../ports';

export interface SubmittedRelease {
  release: ReleaseRecord;
  executionArn: string;
  /** false when this exact release had already been submitted. */
  created: boolean;
}

/** The same plan always hashes the same, whatever its key order or formatting. */
export function planHash(plan: unknown): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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
  const existing = await ports.store.getRelease(releaseId);
  if (!existing) {
    // Refuse before storing anything: the answer names who holds the lock and since when.
    const lock = await ports.store.getLock(RELEASE_LOCK_SCOPE);
    if (lock && lock.releaseId !== releaseId) throw new LockHeldError(lock);
  }
  const { created, release } = await ports.store.createRelease(
    {
      releaseId,
      status: 'PENDING',
      planHash: planHash(document),
      createdAt: now,
      updatedAt: now,
      executionArn,
      submittedBy,
    },
    document,
  );
  await ports.workflow.startExecution('release', releaseId, { releaseId });
  return { release, executionArn, created };
}
