/**
 * Failover and failback of a region, started through the API.
 *
 * - Failover needs a plan to know the fleet (its services, regions and DNS record): it uses the
 *   plan of the most recently submitted release. It is refused while another failover holds the
 *   failover lock, and while the region's last failover has not been failed back.
 * - Failback reverses the region's most recent failover, which must have ended (succeeded, or
 *   failed part-way: failback restores what the record says was there before).
 *
 * Ids are `failover-<region>-<UTC time>` / `failback-<region>-<UTC time>` to the second, and are
 * also the execution names: the same request twice within a second starts one execution.
 */
import { InvalidInputError, LockHeldError, NotFoundError } from '../core/errors';
import { executionName } from '../core/naming';
import { checkPlan } from '../core/plan/check';
import { FAILOVER_LOCK_SCOPE, type FailoverRecord } from '../handlers/failover';
import type { ReleaseRecord } from '../ports';
import { HttpError } from './http';
import { type ApiPorts, type ExecutionLink, isFailoverRecord, link } from './release-view';

export interface FailoverStarted {
  failoverId: string;
  direction: 'failover' | 'failback';
  region: string;
  planReleaseId: string;
  reverses?: string;
  /** Who asked for it: named in its record and audit. */
  requestedBy: string;
  execution: ExecutionLink;
  /** false when the same request had already started this execution. */
  started: boolean;
}

/** How far back the API looks for releases and failovers, in pages of 100. */
const MAX_PAGES = 20;

export async function startFailover(
  ports: ApiPorts,
  region: string,
  requestedBy: string,
): Promise<FailoverStarted> {
  const planRelease = await latestRelease(ports);
  if (!planRelease) {
    throw new HttpError(
      409,
      'Conflict',
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
    throw new HttpError(
      409,
      'Conflict',
      `${region} is already failed over by ${last.release.releaseId} (${last.release.createdAt}): fail it back first`,
      { failoverId: last.release.releaseId },
    );
  }
  const failoverId = executionName('failover', region, compactTime(ports.clock.now()));
  return start(ports, {
    failoverId,
    region,
    direction: 'failover',
    planReleaseId: planRelease.releaseId,
    requestedBy,
  });
}

export async function startFailback(
  ports: ApiPorts,
  region: string,
  requestedBy: string,
): Promise<FailoverStarted> {
  const last = await latestFailoverOf(ports, region);
  if (!last) throw new NotFoundError(`no failover of ${region} is recorded: there is nothing to fail back`);
  if (last.record.direction === 'failback') {
    throw new HttpError(
      409,
      'Conflict',
      `${region} was already failed back by ${last.release.releaseId} (${last.release.createdAt})`,
      { failbackId: last.release.releaseId },
    );
  }
  const execution = await ports.workflow.describeExecution(
    ports.workflow.executionArnFor('failover', last.release.releaseId),
  );
  if (execution?.status === 'RUNNING') {
    throw new HttpError(
      409,
      'Conflict',
      `failover ${last.release.releaseId} of ${region} is still running: fail back once it has ended`,
      { failoverId: last.release.releaseId },
    );
  }
  await assertFailoverLockFree(ports);
  const failoverId = executionName('failback', region, compactTime(ports.clock.now()));
  return start(ports, {
    failoverId,
    region,
    direction: 'failback',
    planReleaseId: last.record.planReleaseId,
    reverses: last.release.releaseId,
    requestedBy,
  });
}

async function start(
  ports: ApiPorts,
  input: Omit<FailoverStarted, 'execution' | 'started'>,
): Promise<FailoverStarted> {
  const { executionArn, alreadyExisted } = await ports.workflow.startExecution('failover', input.failoverId, {
    ...input,
  });
  return { ...input, execution: link(executionArn), started: !alreadyExisted };
}

async function assertFailoverLockFree(ports: ApiPorts): Promise<void> {
  const lock = await ports.store.getLock(FAILOVER_LOCK_SCOPE);
  if (lock) throw new LockHeldError(lock);
}

/** The most recently submitted release (not a failover record), newest first. */
async function latestRelease(ports: ApiPorts): Promise<ReleaseRecord | undefined> {
  for await (const release of newestFirst(ports)) {
    if (!isFailoverRecord(release)) return release;
  }
  return undefined;
}

/** The region's most recent failover or failback, with what it recorded. */
async function latestFailoverOf(
  ports: ApiPorts,
  region: string,
): Promise<{ release: ReleaseRecord; record: FailoverRecord } | undefined> {
  for await (const release of newestFirst(ports)) {
    if (!isFailoverRecord(release)) continue;
    const record = (await ports.store.getPlanDocument(release.releaseId)) as FailoverRecord | undefined;
    if (record?.kind === 'failover' && record.region === region) return { release, record };
  }
  return undefined;
}

async function* newestFirst(ports: ApiPorts): AsyncGenerator<ReleaseRecord> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, cursor: next } = await ports.store.listReleases({ limit: 100, cursor });
    yield* items;
    if (!next) return;
    cursor = next;
  }
}

/** `2026-01-05T09:00:00.000Z` → `20260105T090000Z`: valid in an execution name. */
function compactTime(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}
