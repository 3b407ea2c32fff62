/**
 * What the API does to releases: start one, list them, approve what waits for a person, abort
 * a running one, and roll back a finished one. Every action is in the audit before it is
 * reported done, and every one is safe to repeat.
 *
 * Rules for abort and rollback:
 * - abort: a PENDING or RUNNING release is moved to ROLLING_BACK, its execution stopped, and
 *   the rollback started. Aborting a release already ROLLING_BACK answers as the first abort did.
 *   Anything else has nothing running to abort (409).
 * - rollback: of a PENDING or RUNNING release, the same as abort. Of a SUCCEEDED release, or of
 *   a FAILED or ABORTED one that left services changed (a refused release changed nothing),
 *   only when no release holds the lock and no later release has changed the fleet since
 *   (its snapshots would be overwritten): 409 otherwise, naming what stands in the way.
 *   A FAILED release whose rollback was incomplete is rolled back again under a new execution
 *   name (`<id>-rollback-2`…). ROLLED_BACK: nothing left to do (409).
 */
import { ConditionFailedError, InvalidInputError, LockHeldError, NotFoundError } from '../core/errors';
import { RELEASE_LOCK_SCOPE } from '../core/naming';
import { submitRelease } from '../handlers/submit';
import type { ReleaseRecord, ReleaseStatus, ServiceRolloutRecord } from '../ports';
import { executionConsoleUrl } from './console-links';
import { HttpError } from './http';
import {
  type ApiPorts,
  type ExecutionLink,
  isFailoverRecord,
  latestRollback,
  link,
  MAX_ROLLBACK_ATTEMPTS,
  rollbackExecutionName,
} from './release-view';

export const RELEASE_STATUSES: readonly ReleaseStatus[] = [
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'ROLLING_BACK',
  'ROLLED_BACK',
  'FAILED',
  'ABORTED',
  'REFUSED',
];

export interface StartedRelease {
  releaseId: string;
  executionArn: string;
  consoleUrl: string | null;
  status: ReleaseStatus;
  /** false when this release id had already been submitted with this very plan. */
  created: boolean;
}

export async function startRelease(
  ports: ApiPorts,
  document: unknown,
  actor: string,
): Promise<StartedRelease> {
  const { release, executionArn, created } = await submitRelease(ports, document, actor);
  return {
    releaseId: release.releaseId,
    executionArn,
    consoleUrl: executionConsoleUrl(executionArn) ?? null,
    status: release.status,
    created,
  };
}

export interface ReleaseSummary {
  releaseId: string;
  kind: 'release' | 'failover' | 'failback';
  status: ReleaseStatus;
  createdAt: string;
  updatedAt: string;
  submittedBy?: string;
  reason?: string;
}

export async function listReleases(
  ports: ApiPorts,
  query: { status?: ReleaseStatus; since?: string; limit?: number; cursor?: string },
): Promise<{ releases: ReleaseSummary[]; cursor?: string }> {
  const page = await ports.store.listReleases(query);
  return {
    releases: page.items.map((release) => ({
      releaseId: release.releaseId,
      kind: release.kind,
      status: release.status,
      createdAt: release.createdAt,
      updatedAt: release.updatedAt,
      ...(release.submittedBy && { submittedBy: release.submittedBy }),
      ...(release.reason && { reason: release.reason }),
    })),
    ...(page.cursor && { cursor: page.cursor }),
  };
}

// ── approvals ────────────────────────────────────────────────────────────────

export interface ApprovalResult {
  releaseId: string;
  /** Approvals given: their executions go on. */
  approved: string[];
  /** Approvals whose task had already ended (timed out, stopped): nothing was resumed. */
  expired: string[];
}

/** Gives the named approval, or every approval the release waits on when none is named. */
export async function approveRelease(
  ports: ApiPorts,
  releaseId: string,
  approval: string | undefined,
  actor: string,
): Promise<ApprovalResult> {
  await requireRelease(ports, releaseId);
  const waiting = await ports.store.listTaskTokens(releaseId, 'approval');
  const chosen = approval === undefined ? waiting : waiting.filter((entry) => entry.name === approval);
  if (approval !== undefined && chosen.length === 0) {
    const names = waiting.map((entry) => entry.name);
    throw new NotFoundError(
      `release ${releaseId} has no approval named ${approval} waiting${names.length > 0 ? ` (waiting: ${names.join(', ')})` : ''}`,
    );
  }
  const result: ApprovalResult = { releaseId, approved: [], expired: [] };
  for (const entry of chosen) {
    // Taken once: two approvals of the same step resume it once.
    const token = await ports.store.takeTaskToken({ releaseId, kind: 'approval', name: entry.name });
    if (!token) continue;
    const at = ports.clock.now().toISOString();
    const where = approvalPlace(entry.name);
    await ports.store.appendAudit({
      releaseId,
      key: `approval/${entry.name}`,
      at,
      action: 'approval.given',
      actor,
      ...where,
      detail: { approval: entry.name },
    });
    try {
      await ports.workflow.sendTaskSuccess(token, { approvedBy: actor });
      result.approved.push(entry.name);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await ports.store.appendAudit({
        releaseId,
        key: `approval/${entry.name}/expired`,
        at,
        action: 'approval.expired',
        actor,
        ...where,
        detail: { approval: entry.name, reason: error.message },
      });
      result.expired.push(entry.name);
    }
  }
  return result;
}

/** Approvals are named `<region>/<service>/step-<n>` (requestApproval): where the audit files them. */
function approvalPlace(name: string): { region?: string; service?: string } {
  const [region, service, step] = name.split('/');
  return region && service && step ? { region, service } : {};
}

// ── abort and rollback ──────────────────────────────────────────────────────

export interface RollbackStarted {
  releaseId: string;
  status: ReleaseStatus;
  rollback: ExecutionLink;
  /** false when a rollback of this release was already under way. */
  started: boolean;
}

/** Stops a running release, then rolls it back. */
export async function abortRelease(
  ports: ApiPorts,
  releaseId: string,
  actor: string,
): Promise<RollbackStarted> {
  const release = await requireRelease(ports, releaseId);
  if (release.status === 'PENDING' || release.status === 'RUNNING') {
    return stopAndRollBack(ports, release, `aborted by ${actor}`, actor);
  }
  if (release.status === 'ROLLING_BACK') return rollbackUnderWay(ports, release);
  throw new HttpError(
    409,
    'Conflict',
    `release ${releaseId} is ${release.status}: nothing is running to abort` +
      (release.status === 'SUCCEEDED' ? ` (POST /releases/${releaseId}/rollback rolls it back)` : ''),
    { status: release.status },
  );
}

/** Rolls a release back: see the rules at the top of this file. */
export async function rollbackRelease(
  ports: ApiPorts,
  releaseId: string,
  actor: string,
): Promise<RollbackStarted> {
  const release = await requireRelease(ports, releaseId);
  const reason = `rolled back by ${actor}`;
  switch (release.status) {
    case 'PENDING':
    case 'RUNNING':
      return stopAndRollBack(ports, release, reason, actor);
    case 'ROLLING_BACK':
      return rollbackUnderWay(ports, release);
    case 'ROLLED_BACK':
      throw new HttpError(409, 'Conflict', `release ${releaseId} is already rolled back`, {
        status: release.status,
      });
    case 'REFUSED':
      throw new HttpError(
        409,
        'Conflict',
        `release ${releaseId} was refused by preflight and changed nothing: there is nothing to roll back`,
        { status: release.status },
      );
    case 'SUCCEEDED':
    case 'FAILED':
    case 'ABORTED': {
      if (release.status !== 'SUCCEEDED') {
        const changed = (await ports.store.listServiceRollouts(releaseId)).filter(leftChanged);
        if (changed.length === 0) {
          throw new HttpError(
            409,
            'Conflict',
            `release ${releaseId} is ${release.status} and changed nothing: there is nothing to roll back`,
            { status: release.status },
          );
        }
      }
      await assertFleetUnchangedSince(ports, release);
      return moveAndRollBack(ports, release, [release.status], reason, actor);
    }
  }
}

/** Changed by the release and not (yet) restored: what a rollback has to put back. */
function leftChanged(record: ServiceRolloutRecord): boolean {
  return record.status !== 'PENDING' && record.status !== 'SKIPPED' && record.status !== 'ROLLED_BACK';
}

async function stopAndRollBack(
  ports: ApiPorts,
  release: ReleaseRecord,
  reason: string,
  actor: string,
): Promise<RollbackStarted> {
  return moveAndRollBack(ports, release, ['PENDING', 'RUNNING'], reason, actor, async () => {
    const executionArn = release.executionArn ?? ports.workflow.executionArnFor('release', release.releaseId);
    try {
      // Stopping runs no Catch: the rollback below is what puts the fleet back.
      await ports.workflow.stopExecution(executionArn, { error: 'ReleaseAbortedError', cause: reason });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  });
}

/**
 * Moves the release to ROLLING_BACK (only from `from`, so of two simultaneous callers one acts
 * and the other finds the rollback under way), records why, runs `beforeRollback`, and starts
 * the rollback.
 */
async function moveAndRollBack(
  ports: ApiPorts,
  release: ReleaseRecord,
  from: readonly ReleaseStatus[],
  reason: string,
  actor: string,
  beforeRollback?: () => Promise<void>,
): Promise<RollbackStarted> {
  const { releaseId } = release;
  try {
    await ports.store.setReleaseStatus(releaseId, 'ROLLING_BACK', { reason, from });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    const now = await requireRelease(ports, releaseId);
    if (now.status === 'ROLLING_BACK') return rollbackUnderWay(ports, now);
    throw new HttpError(
      409,
      'Conflict',
      `release ${releaseId} changed to ${now.status} meanwhile: try again`,
      {
        status: now.status,
      },
    );
  }
  const at = ports.clock.now().toISOString();
  await ports.store.appendAudit({
    releaseId,
    key: `rollback/requested/${at}`,
    at,
    action: 'rollback.requested',
    actor,
    detail: { reason, from: release.status },
  });
  await beforeRollback?.();
  const rollback = await startRollback(ports, releaseId);
  return {
    releaseId,
    status: 'ROLLING_BACK',
    rollback: link(rollback.executionArn),
    started: rollback.started,
  };
}

/**
 * Starts the release's rollback under the first rollback name not yet used by a finished
 * execution; a running one is the rollback already under way. The input is what the release
 * machine itself passes, so a rollback it has just started is the same execution.
 */
async function startRollback(
  ports: ApiPorts,
  releaseId: string,
): Promise<{ executionArn: string; started: boolean }> {
  const latest = await latestRollback(ports, releaseId);
  if (latest?.status === 'RUNNING') return { executionArn: latest.executionArn, started: false };
  const attempt = (latest?.attempt ?? 0) + 1;
  if (attempt > MAX_ROLLBACK_ATTEMPTS) {
    throw new HttpError(
      409,
      'Conflict',
      `release ${releaseId} has been rolled back ${MAX_ROLLBACK_ATTEMPTS} times without success: it needs a person`,
    );
  }
  const { executionArn, alreadyExisted } = await ports.workflow.startExecution(
    'rollback',
    rollbackExecutionName(releaseId, attempt),
    { releaseId },
  );
  return { executionArn, started: !alreadyExisted };
}

async function rollbackUnderWay(ports: ApiPorts, release: ReleaseRecord): Promise<RollbackStarted> {
  const latest = await latestRollback(ports, release.releaseId);
  if (latest?.status === 'RUNNING' || latest?.status === 'SUCCEEDED') {
    return {
      releaseId: release.releaseId,
      status: release.status,
      rollback: link(latest.executionArn, latest),
      started: false,
    };
  }
  // ROLLING_BACK with no rollback running: its start was lost (a crash between the status
  // change and the start). Starting it now finishes what the first caller began.
  const rollback = await startRollback(ports, release.releaseId);
  return {
    releaseId: release.releaseId,
    status: release.status,
    rollback: link(rollback.executionArn),
    started: rollback.started,
  };
}

/**
 * A finished release may be rolled back only while nothing has changed the fleet after it:
 * no release holds the lock, and every later release changed nothing or was rolled back.
 */
async function assertFleetUnchangedSince(ports: ApiPorts, release: ReleaseRecord): Promise<void> {
  const lock = await ports.store.getLock(RELEASE_LOCK_SCOPE);
  if (lock && lock.releaseId !== release.releaseId) throw new LockHeldError(lock);
  let cursor: string | undefined;
  do {
    const page = await ports.store.listReleases({ since: release.createdAt, limit: 100, cursor });
    for (const later of page.items) {
      if (later.releaseId === release.releaseId || isFailoverRecord(later)) continue;
      if (`${later.createdAt}#${later.releaseId}` <= `${release.createdAt}#${release.releaseId}`) continue;
      if (later.status === 'ROLLED_BACK') continue;
      if (later.status === 'FAILED' || later.status === 'ABORTED') {
        const records = await ports.store.listServiceRollouts(later.releaseId);
        if (!records.some(leftChanged)) continue;
      }
      throw new HttpError(
        409,
        'Conflict',
        `release ${later.releaseId} (${later.status}, started ${later.createdAt}) changed the fleet after ${release.releaseId}: roll that one back first`,
        { blockedBy: { releaseId: later.releaseId, status: later.status, createdAt: later.createdAt } },
      );
    }
    cursor = page.cursor;
  } while (cursor);
}

export async function requireRelease(ports: ApiPorts, releaseId: string): Promise<ReleaseRecord> {
  const release = await ports.store.getRelease(releaseId);
  if (!release) throw new NotFoundError(`no release ${releaseId}`);
  if (isFailoverRecord(release)) {
    throw new InvalidInputError(
      `${releaseId} is a ${release.kind}, not a release: POST /failback reverses a failover`,
    );
  }
  return release;
}
