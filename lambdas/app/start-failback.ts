/**
 * Failing a region back (the API's POST /failback, the rehearsal's operator faults): it reverses
 * the region's most recent failover, which must have ended (succeeded, or failed part-way:
 * failback restores what the record says was there before).
 */
import { NotFoundError } from '../core/errors';
import {
  assertFailoverLockFree,
  type FailoverPorts,
  type FailoverStarted,
  failoverIdFor,
  latestFailoverOf,
  startFailoverExecution,
} from './failover-history';
import { RefusedError } from './refusal';

export async function startFailback(
  ports: FailoverPorts,
  region: string,
  requestedBy: string,
): Promise<FailoverStarted> {
  const last = await latestFailoverOf(ports, region);
  if (!last) throw new NotFoundError(`no failover of ${region} is recorded: there is nothing to fail back`);
  if (last.record.direction === 'failback') {
    throw new RefusedError(
      `${region} was already failed back by ${last.release.releaseId} (${last.release.createdAt})`,
      { failbackId: last.release.releaseId },
    );
  }
  const execution = await ports.workflow.describeExecution(
    ports.workflow.executionArnFor('failover', last.release.releaseId),
  );
  if (execution?.status === 'RUNNING') {
    throw new RefusedError(
      `failover ${last.release.releaseId} of ${region} is still running: fail back once it has ended`,
      { failoverId: last.release.releaseId },
    );
  }
  await assertFailoverLockFree(ports);
  return startFailoverExecution(ports, {
    failoverId: failoverIdFor(ports, 'failback', region),
    region,
    direction: 'failback',
    planReleaseId: last.record.planReleaseId,
    reverses: last.release.releaseId,
    requestedBy,
  });
}
