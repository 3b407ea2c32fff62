/**
 * A person rolling a release back: a running one as an abort does, a finished one only while
 * nothing has changed the fleet after it (rules in core/rollback-eligibility.ts).
 */
import { LockHeldError } from '../core/errors';
import { RELEASE_LOCK_SCOPE } from '../core/naming';
import { isFailoverRecord } from '../core/record-kind';
import {
  laterRelease,
  leftChanged,
  mayHaveChangedNothing,
  rollbackEligibility,
} from '../core/rollback-eligibility';
import type { ReleaseRecord } from '../ports';
import { RefusedError } from './refusal';
import { requireRelease } from './release-lookup';
import { type RollbackPorts, type RollbackStarted, rollBackAsDecided } from './start-rollback';

export async function rollbackRelease(
  ports: RollbackPorts,
  releaseId: string,
  actor: string,
): Promise<RollbackStarted> {
  const release = await requireRelease(ports, releaseId);
  const changed = mayHaveChangedNothing(release.status)
    ? await servicesLeftChanged(ports, releaseId)
    : undefined;
  const decision = rollbackEligibility('rollback', release, changed);
  if (decision.verdict === 'roll-back-finished') await assertFleetUnchangedSince(ports, release);
  return rollBackAsDecided(ports, release, decision, `rolled back by ${actor}`, actor);
}

async function servicesLeftChanged(ports: RollbackPorts, releaseId: string): Promise<number> {
  return (await ports.store.listServiceRollouts(releaseId)).filter(leftChanged).length;
}

/**
 * No release holds the lock, and no later release stands in the way (RefusedError naming the
 * first that does).
 */
async function assertFleetUnchangedSince(ports: RollbackPorts, release: ReleaseRecord): Promise<void> {
  const lock = await ports.store.getLock(RELEASE_LOCK_SCOPE);
  if (lock && lock.releaseId !== release.releaseId) throw new LockHeldError(lock);
  let cursor: string | undefined;
  do {
    const page = await ports.store.listReleases({ since: release.createdAt, limit: 100, cursor });
    for (const later of page.items) {
      if (isFailoverRecord(later)) continue;
      const standing = laterRelease(release, later);
      if (standing === 'clear') continue;
      if (
        standing === 'blocks-if-it-left-changes' &&
        (await servicesLeftChanged(ports, later.releaseId)) === 0
      )
        continue;
      throw new RefusedError(
        `release ${later.releaseId} (${later.status}, started ${later.createdAt}) changed the fleet after ${release.releaseId}: roll that one back first`,
        { blockedBy: { releaseId: later.releaseId, status: later.status, createdAt: later.createdAt } },
      );
    }
    cursor = page.cursor;
  } while (cursor);
}
