/**
 * The one way a release's rollback starts, whoever asks: the alarm handler, the API's abort and
 * rollback, and the release machine's failure path (whose `Roll Back Release` state starts the
 * execution natively, with `.sync`, so the release ends once its rollback has: it gets the
 * execution's name and input from chooseRollbackExecution).
 *
 * Every rollback execution of a release is named by core/naming's rollbackName and takes
 * `{ releaseId }`, so two callers that race start one execution between them.
 */

import { auditEntry } from '../core/audit';
import { ConditionFailedError, NotFoundError } from '../core/errors';
import { rollbackName } from '../core/naming';
import {
  MAX_ROLLBACK_ATTEMPTS,
  nextRollback,
  type RollbackEligibility,
  rollbackUnderWayIsDone,
} from '../core/rollback-eligibility';
import type { ExecutionDescription, NewAuditEntry, Ports, ReleaseRecord, ReleaseStatus } from '../ports';
import { RefusedError } from './refusal';

export type RollbackPorts = Pick<Ports, 'store' | 'workflow' | 'clock'>;

/** The release's last rollback execution (the highest attempt whose name is taken), if any. */
export async function latestRollback(
  ports: Pick<Ports, 'workflow'>,
  releaseId: string,
): Promise<(ExecutionDescription & { attempt: number }) | undefined> {
  let latest: (ExecutionDescription & { attempt: number }) | undefined;
  for (let attempt = 1; attempt <= MAX_ROLLBACK_ATTEMPTS; attempt++) {
    const arn = ports.workflow.executionArnFor('rollback', rollbackName(releaseId, attempt));
    const described = await ports.workflow.describeExecution(arn);
    if (!described) break;
    latest = { ...described, attempt };
  }
  return latest;
}

export interface RollbackExecution {
  name: string;
  input: { releaseId: string };
  executionArn: string;
  /** true when this is the rollback already running: starting it again starts nothing. */
  running: boolean;
}

/**
 * The rollback execution a start means now: the running one, else the first name no finished
 * execution has taken. RefusedError after MAX_ROLLBACK_ATTEMPTS unsuccessful ones.
 */
export async function chooseRollbackExecution(
  ports: Pick<Ports, 'workflow'>,
  releaseId: string,
): Promise<RollbackExecution> {
  const next = nextRollback(releaseId, await latestRollback(ports, releaseId));
  if (next.action === 'refuse') throw new RefusedError(next.message);
  const name = rollbackName(releaseId, next.attempt);
  return {
    name,
    input: { releaseId },
    executionArn: ports.workflow.executionArnFor('rollback', name),
    running: next.action === 'join',
  };
}

/** Starts the rollback execution chooseRollbackExecution names (nothing when one is running). */
export async function startRollbackExecution(
  ports: Pick<Ports, 'workflow'>,
  releaseId: string,
): Promise<{ executionArn: string; started: boolean }> {
  const execution = await chooseRollbackExecution(ports, releaseId);
  if (execution.running) return { executionArn: execution.executionArn, started: false };
  const { executionArn, alreadyExisted } = await ports.workflow.startExecution(
    'rollback',
    execution.name,
    execution.input,
  );
  return { executionArn, started: !alreadyExisted };
}

export interface RollbackStart {
  /** The statuses the release is moved to ROLLING_BACK from, by a conditional write. */
  from: readonly ReleaseStatus[];
  /** Why, as the release record's reason. */
  reason: string;
  /** The audit entry saying who asked, written once the release is ROLLING_BACK. */
  audit: (at: string) => Omit<NewAuditEntry, 'releaseId' | 'at'>;
  /**
   * The error the release's own execution is stopped with; none for a finished release.
   * Stopping runs no Catch: the rollback started here is what puts the fleet back.
   */
  stopError?: string;
  /**
   * Whether a release found ROLLING_BACK was moved there by this same request (an earlier
   * delivery that failed half-way): its audit, stop and start are then repeated, all idempotent.
   */
  isOwnRollback?: (release: ReleaseRecord) => boolean;
}

export type RollbackStartOutcome =
  | { outcome: 'started'; executionArn: string; started: boolean }
  /** Already ROLLING_BACK by someone else's request. */
  | { outcome: 'under-way'; release: ReleaseRecord }
  /** Its status is none of `from` (read again after a lost race). */
  | { outcome: 'not-eligible'; release: ReleaseRecord };

/**
 * Moves the release to ROLLING_BACK (only from `from`, so of two simultaneous callers one acts
 * and the other finds the rollback under way), records who asked, stops the release's execution,
 * and starts the rollback.
 */
export async function startRollback(
  ports: RollbackPorts,
  release: ReleaseRecord,
  request: RollbackStart,
): Promise<RollbackStartOutcome> {
  const { releaseId } = release;
  let movedHere = false;
  let current = release;
  if (request.from.includes(release.status)) {
    try {
      await ports.store.setReleaseStatus(releaseId, 'ROLLING_BACK', {
        reason: request.reason,
        from: request.from,
      });
      movedHere = true;
    } catch (error) {
      // Another caller, or the release's own failure, moved it first.
      if (!(error instanceof ConditionFailedError)) throw error;
      current = (await ports.store.getRelease(releaseId)) ?? release;
    }
  }
  if (!movedHere) {
    if (current.status !== 'ROLLING_BACK') return { outcome: 'not-eligible', release: current };
    if (!request.isOwnRollback?.(current)) return { outcome: 'under-way', release: current };
  }
  const at = ports.clock.now().toISOString();
  const { action, ...fields } = request.audit(at);
  await ports.store.appendAudit(auditEntry(action, { releaseId, at, ...fields }));
  if (request.stopError) {
    const executionArn = release.executionArn ?? ports.workflow.executionArnFor('release', releaseId);
    try {
      await ports.workflow.stopExecution(executionArn, { error: request.stopError, cause: request.reason });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  return { outcome: 'started', ...(await startRollbackExecution(ports, releaseId)) };
}

/** What a person's abort or rollback answers: the release and its rollback execution. */
export interface RollbackStarted {
  releaseId: string;
  status: ReleaseStatus;
  rollback: { executionArn: string; described?: ExecutionDescription };
  /** false when a rollback of this release was already under way. */
  started: boolean;
}

/**
 * Acts on a person's request as rollbackEligibility decided: refuses (RefusedError), answers with
 * the rollback under way, or starts one, recording `rollback.requested`.
 */
export async function rollBackAsDecided(
  ports: RollbackPorts,
  release: ReleaseRecord,
  decision: RollbackEligibility,
  reason: string,
  actor: string,
): Promise<RollbackStarted> {
  if (decision.verdict === 'refused') throw new RefusedError(decision.message, { status: release.status });
  if (decision.verdict === 'under-way') return rollbackUnderWay(ports, release);
  const outcome = await startRollback(ports, release, {
    from: decision.from,
    reason,
    audit: (at) => ({
      action: 'rollback.requested',
      key: `rollback/requested/${at}`,
      actor,
      detail: { reason, from: release.status },
    }),
    ...(decision.verdict === 'stop-and-roll-back' && { stopError: 'ReleaseAbortedError' }),
  });
  if (outcome.outcome === 'under-way') return rollbackUnderWay(ports, outcome.release);
  if (outcome.outcome === 'not-eligible') {
    throw new RefusedError(
      `release ${release.releaseId} changed to ${outcome.release.status} meanwhile: try again`,
      { status: outcome.release.status },
    );
  }
  return {
    releaseId: release.releaseId,
    status: 'ROLLING_BACK',
    rollback: { executionArn: outcome.executionArn },
    started: outcome.started,
  };
}

/**
 * A release found ROLLING_BACK: the rollback running (or done) is the answer. With none, its
 * start was lost (a crash between the status change and the start): starting it now finishes
 * what the first caller began.
 */
async function rollbackUnderWay(ports: RollbackPorts, release: ReleaseRecord): Promise<RollbackStarted> {
  const latest = await latestRollback(ports, release.releaseId);
  if (latest && rollbackUnderWayIsDone(latest)) {
    return {
      releaseId: release.releaseId,
      status: release.status,
      rollback: { executionArn: latest.executionArn, described: latest },
      started: false,
    };
  }
  const rollback = await startRollbackExecution(ports, release.releaseId);
  return {
    releaseId: release.releaseId,
    status: release.status,
    rollback: { executionArn: rollback.executionArn },
    started: rollback.started,
  };
}
