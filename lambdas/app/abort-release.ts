/** Aborting a release: a running one is stopped, then rolled back (rules in core/rollback-eligibility.ts). */
import { rollbackEligibility } from '../core/rollback-eligibility';
import { requireRelease } from './release-lookup';
import { type RollbackPorts, type RollbackStarted, rollBackAsDecided } from './start-rollback';

export async function abortRelease(
  ports: RollbackPorts,
  releaseId: string,
  actor: string,
): Promise<RollbackStarted> {
  const release = await requireRelease(ports, releaseId);
  return rollBackAsDecided(
    ports,
    release,
    rollbackEligibility('abort', release),
    `aborted by ${actor}`,
    actor,
  );
}
