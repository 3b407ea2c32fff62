/**
 * Failing a region over (the API's POST /failover, the rehearsal's operator faults). A failover
 * needs a plan to know the fleet (its services, regions and DNS record): it uses the plan of the
 * most recently submitted release. It is refused while another failover holds the failover
 * lock, and while the region's last failover has not been failed back.
 */
import { InvalidInputError } from '../core/errors';
import { checkPlan } from '../core/plan/check';
import {
  assertFailoverLockFree,
  type FailoverPorts,
  type FailoverStarted,
  failoverIdFor,
  latestFailoverOf,
  latestRelease,
  startFailoverExecution,
} from './failover-history';
import { RefusedError } from './refusal';

export async function startFailover(
  ports: FailoverPorts,
  region: string,
  requestedBy: string,
): Promise<FailoverStarted> {
  const planRelease = await latestRelease(ports);
  if (!planRelease) {
    throw new RefusedError(
      'no release has been submitted yet: a failover uses the latest release plan to know the fleet',
    );
  }
  const checked = checkPlan(await ports.store.getPlanDocument(planRelease.releaseId));
  if (!checked.ok) throw new InvalidInputError(`the plan of release ${planRelease.releaseId} is not valid`);
  const plan = checked.plan;
  if (!plan.dns) {
    throw new InvalidInputError(
      `the latest release plan (${planRelease.releaseId}) has no dns record: there is no traffic to move between regions`,
    );
  }
  const regions = plan.regions.map((entry) => entry.name);
  if (!regions.includes(region)) {
    throw new InvalidInputError(
      `region ${region} is not in the latest release plan (${planRelease.releaseId}); its regions are ${regions.join(', ')}`,
    );
  }
  await assertFailoverLockFree(ports);
  const last = await latestFailoverOf(ports, region);
  if (last?.record.direction === 'failover') {
    throw new RefusedError(
      `${region} is already failed over by ${last.release.releaseId} (${last.release.createdAt}): fail it back first`,
      { failoverId: last.release.releaseId },
    );
  }
  return startFailoverExecution(ports, {
    failoverId: failoverIdFor(ports, 'failover', region),
    region,
    direction: 'failover',
    planReleaseId: planRelease.releaseId,
    requestedBy,
  });
}
