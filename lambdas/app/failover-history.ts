/**
 * What failover and failback read before they start, and how they start: the latest release
 * plan, the region's last failover or failback, the failover lock, and the execution itself.
 *
 * Ids are `failover-<region>-<UTC time>` / `failback-<region>-<UTC time>` to the second, and are
 * also the execution names: the same request twice within a second starts one execution.
 */
import { LockHeldError } from '../core/errors';
import type { FailoverRecord } from '../core/failover';
import { executionName, FAILOVER_LOCK_SCOPE } from '../core/naming';
import { isFailoverRecord } from '../core/record-kind';
import type { Ports, ReleaseRecord } from '../ports';

export type FailoverPorts = Pick<Ports, 'store' | 'workflow' | 'clock'>;

export interface FailoverStarted {
  failoverId: string;
  direction: 'failover' | 'failback';
  region: string;
  planReleaseId: string;
  reverses?: string;
  /** Who asked for it: named in its record and audit. */
  requestedBy: string;
  execution: { executionArn: string };
  /** false when the same request had already started this execution. */
  started: boolean;
}

/** How far back a failover looks for releases and failovers, in pages of 100. */
const MAX_PAGES = 20;

/** A new failover's or failback's id, which is also its execution's name. */
export function failoverIdFor(
  ports: Pick<Ports, 'clock'>,
  direction: FailoverStarted['direction'],
  region: string,
): string {
  return executionName(direction, region, compactTime(ports.clock.now()));
}

/** Starts the failover machine: its name is the id, its input the request. */
export async function startFailoverExecution(
  ports: Pick<Ports, 'workflow'>,
  input: Omit<FailoverStarted, 'execution' | 'started'>,
): Promise<FailoverStarted> {
  const { executionArn, alreadyExisted } = await ports.workflow.startExecution('failover', input.failoverId, {
    ...input,
  });
  return { ...input, execution: { executionArn }, started: !alreadyExisted };
}

export async function assertFailoverLockFree(ports: Pick<Ports, 'store'>): Promise<void> {
  const lock = await ports.store.getLock(FAILOVER_LOCK_SCOPE);
  if (lock) throw new LockHeldError(lock);
}

/** The most recently submitted release (not a failover record). */
export async function latestRelease(ports: Pick<Ports, 'store'>): Promise<ReleaseRecord | undefined> {
  for await (const release of newestFirst(ports)) {
    if (!isFailoverRecord(release)) return release;
  }
  return undefined;
}

/** The region's most recent failover or failback, with what it recorded. */
export async function latestFailoverOf(
  ports: Pick<Ports, 'store'>,
  region: string,
): Promise<{ release: ReleaseRecord; record: FailoverRecord } | undefined> {
  for await (const release of newestFirst(ports)) {
    if (!isFailoverRecord(release)) continue;
    const record = (await ports.store.getPlanDocument(release.releaseId)) as FailoverRecord | undefined;
    if (record?.kind === 'failover' && record.region === region) return { release, record };
  }
  return undefined;
}

async function* newestFirst(ports: Pick<Ports, 'store'>): AsyncGenerator<ReleaseRecord> {
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
