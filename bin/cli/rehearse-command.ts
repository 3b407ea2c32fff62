/** `switchyard rehearse`: a whole release on this machine, with faults, on virtual time. */

import { dirname, resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { formatDuration } from '../../lambdas/core/duration';
import type { AuditEntry } from '../../lambdas/ports';
import { withDynamoDbLocal } from '../../rehearsal/dynamodb-local';
import type { RehearsedFailover } from '../../rehearsal/failovers';
import { loadFaults } from '../../rehearsal/faults/load';
import type { FaultFile } from '../../rehearsal/faults/schema';
import type { FleetLook, RehearsalProgress } from '../../rehearsal/progress';
import { type RehearsalResult, rehearse } from '../../rehearsal/rehearse';
import { EXIT_BY_RELEASE_STATUS, ExitCode, UserError, worstExitCode } from './errors';
import type { Io } from './io';
import { formatProblems, preflightLines, readPlan, readTextFile } from './plan-file';
import type { RehearseOptions } from './program';
import { LiveProgress } from './rehearse-progress';
import { failoverChanges } from './render-failover';
import { table } from './render-preview';

/** Approvals in a rehearsal are given after five virtual minutes unless --approve-after says. */
const DEFAULT_APPROVE_AFTER_SECONDS = 300;

export async function rehearseCommand(planPath: string, values: RehearseOptions, io: Io): Promise<number> {
  const { plan, resolved } = readPlan(planPath);
  const approveAfter = values.approveAfter ?? DEFAULT_APPROVE_AFTER_SECONDS;
  let faults: ReturnType<typeof loadFaults> | undefined;
  const secondReleasePlans: Record<string, unknown> = {};
  if (values.faults) {
    faults = loadFaults(readTextFile(values.faults, 'fault file'), resolved);
    if (!faults.ok) {
      throw new UserError(
        `${values.faults}: ${faults.problems.length} problem(s)\n${formatProblems(values.faults, faults.problems)}`,
      );
    }
    for (const fault of faults.faults.faults) {
      if (fault.type === 'secondRelease' && fault.plan) {
        secondReleasePlans[fault.plan] = readPlan(resolve(dirname(values.faults), fault.plan)).plan;
      }
    }
  }
  const expected = values.check ? expectedOutcome(values.faults, faults) : undefined;
  const progress = values.json ? undefined : new LiveProgress(resolved, io);
  const run = (client?: DynamoDBClient) =>
    rehearse({
      plan: resolved,
      planDocument: plan,
      ...(faults?.ok && { faults: faults.faults }),
      secondReleasePlans,
      seed: values.seed ?? (faults?.ok ? faults.faults.seed : undefined) ?? 1,
      ...(client && { dynamoDb: client }),
      autoApproveAfterSeconds: approveAfter,
      ...(progress && {
        onAudit: (entry: AuditEntry, elapsed: number, fleet: FleetLook) =>
          progress.update(entry, elapsed, fleet),
        onProgress: (event: RehearsalProgress) => progress.progress(event),
      }),
    });
  const result = await (values.store === 'memory' ? run() : withDynamoDbLocal(run)).finally(() =>
    progress?.finish(),
  );
  if (values.report) {
    const { writeReport } = await import('./report-command');
    await writeReport(result, values.report);
  }
  if (values.json) io.stdout(JSON.stringify(result, null, 2));
  else io.stdout(renderSummary(result) + (values.report ? `\n  report: ${values.report}` : ''));
  const exitCode = rehearsalExitCode(result);
  return expected ? checkOutcome(expected, exitCode, io) : exitCode;
}

type Outcome = NonNullable<FaultFile['expect']>['outcome'];

/** The outcome a rehearsal's exit code stands for, in the words of a fault file's `expect`. */
const OUTCOME_BY_EXIT_CODE: Readonly<Record<number, Outcome>> = {
  [ExitCode.ok]: 'succeeded',
  [ExitCode.rolledBack]: 'rolledBack',
  [ExitCode.needsPerson]: 'failed',
  [ExitCode.refused]: 'refused',
  [ExitCode.refusedByPreflight]: 'refused',
};

/**
 * What --check compares with: the fault file's expect.outcome; a plan rehearsed without faults
 * is expected to succeed. A fault file that expects nothing cannot be checked: refused before
 * anything runs.
 */
function expectedOutcome(
  path: string | undefined,
  faults: ReturnType<typeof loadFaults> | undefined,
): Outcome {
  if (!path || !faults?.ok) return 'succeeded';
  const outcome = faults.faults.expect?.outcome;
  if (!outcome)
    throw new UserError(
      `${path} has no expect.outcome for --check to compare with: add \`expect: { outcome: succeeded | rolledBack | failed | refused }\``,
    );
  return outcome;
}

/** --check: 0 when the rehearsal ended as expected, 7 when not; the line says which. */
function checkOutcome(expected: Outcome, exitCode: number, io: Io): number {
  const actual = OUTCOME_BY_EXIT_CODE[exitCode];
  if (actual === expected) {
    io.stderr(`check passed: the outcome is ${expected}, as expected`);
    return ExitCode.ok;
  }
  io.stderr(
    `check FAILED: expected ${expected}, but the rehearsal ${actual ? `ended ${actual}` : 'failed to run'} (exit ${exitCode})`,
  );
  return ExitCode.checkFailed;
}

/**
 * The worst final state among the releases the rehearsal ran (worstExitCode): the rehearsed one
 * and every second release that started. One refused at submission never ran, so it leaves the
 * code to the others; a release still waiting (STALLED) needs a person, and so does an alarm event
 * the alarm handler never took (dead-lettered): the release it was for went unprotected.
 */
export function rehearsalExitCode(result: RehearsalResult): number {
  const exitOf = (status: string) => EXIT_BY_RELEASE_STATUS[status] ?? ExitCode.needsPerson;
  return worstExitCode([
    exitOf(result.status),
    ...result.secondReleases
      .filter((second) => second.outcome === 'started')
      .map((second) => exitOf(second.status)),
    ...(result.errors.some((error) => error.deadLettered) ? [ExitCode.needsPerson] : []),
  ]);
}

export function renderSummary(result: RehearsalResult): string {
  const lines = [
    '',
    `Release ${result.releaseId}: ${result.status}${result.reason ? ` — ${result.reason}` : ''}`,
  ];
  if (result.preflight && !result.preflight.ok) lines.push(...preflightLines(result.preflight));
  const rows = [['region', 'service', 'status', 'image', 'weights', 'step']];
  for (const [region, services] of Object.entries(result.regions)) {
    for (const [service, state] of Object.entries(services)) {
      rows.push([
        region,
        service,
        state.status,
        state.image ?? '(none)',
        state.weights ? `${state.weights.stable}/${state.weights.canary}` : 'replicas',
        `${state.stepReached}/${state.steps}`,
      ]);
    }
  }
  lines.push(...table(rows).map((line) => `  ${line}`));
  const counters = result.counters;
  lines.push(
    '',
    `  virtual makespan ${formatDuration(counters.makespanSeconds)} (critical path ${formatDuration(counters.criticalPathSeconds)})` +
      (counters.timeToRollbackSeconds !== undefined
        ? `, time to rollback ${formatDuration(counters.timeToRollbackSeconds)}`
        : ''),
    `  ${counters.executions} executions, ${counters.stateTransitions} state transitions, largest history ${counters.maxHistoryEvents} events (${counters.maxHistoryExecution})`,
  );
  for (const second of result.secondReleases) lines.push(...secondReleaseSummary(second));
  lines.push(lockSummary(result.lock));
  for (const [releaseId, sequence] of [
    [result.releaseId, result.auditSequence] as const,
    ...result.secondReleases.flatMap((second) =>
      second.auditSequence ? [[second.releaseId, second.auditSequence] as const] : [],
    ),
  ]) {
    if (sequence.gaps.length > 0)
      lines.push(`  audit of ${releaseId} has gaps: seq ${sequence.gaps.join(', ')} missing`);
  }
  for (const failover of result.failovers) lines.push(...failoverSummary(failover));
  if (counters.injectedFailures > 0)
    lines.push(`  ${counters.injectedFailures} injected operation failure(s)`);
  for (const error of result.errors) lines.push(errorSummary(error));
  return lines.join('\n');
}

/** A second release: refused at the door (by the lock), or what it ended as and why. */
function secondReleaseSummary(second: RehearsalResult['secondReleases'][number]): string[] {
  const head = `  second release ${second.releaseId} at +${formatDuration(second.atSeconds)}: ${second.status}`;
  if (second.outcome === 'refused')
    return [
      `${head} (refused at submission${second.refusedBy === 'lock' ? ': the lock is held' : ''}) — ${second.message}`,
    ];
  const lines = [`${head}${second.reason ? ` — ${second.reason}` : ''}`];
  if (second.preflight && !second.preflight.ok)
    lines.push(...preflightLines(second.preflight).map((line) => `  ${line}`));
  for (const [region, services] of Object.entries(second.regions ?? {})) {
    const changed = Object.entries(services).filter(
      ([, state]) => state.status !== 'UNTOUCHED' && state.status !== 'PENDING',
    );
    if (changed.length === 0) continue;
    lines.push(
      `    ${region}: ${changed.map(([service, state]) => `${service} ${state.status} ${state.image ?? '(none)'}`).join(', ')}`,
    );
  }
  return lines;
}

/** A failure outside the state machines, and what became of it. */
function errorSummary(error: RehearsalResult['errors'][number]): string {
  const what =
    error.source === 'alarmHandler'
      ? `alarm handler (${error.alarmName}) attempt ${error.attempt} failed`
      : `audit entry of ${error.operation} not written`;
  const then = error.deadLettered
    ? ': dead-lettered, the alarm never reached its release'
    : error.retryInSeconds !== undefined
      ? `, retried in ${formatDuration(error.retryInSeconds)}`
      : '';
  return `  ERROR at +${formatDuration(error.atSeconds)}: ${what} — ${error.error}: ${error.message}${then}`;
}

/** The release lock at the end: free, or who still holds it (a leak unless that release still runs). */
function lockSummary(lock: RehearsalResult['lock']): string {
  const taken = lock.history.filter((entry) => entry.action === 'acquired').length;
  const released = lock.history.filter((entry) => entry.action === 'released').length;
  const counts = `taken ${taken} time(s), released ${released} time(s)`;
  return lock.holder
    ? `  lock "${lock.scope}": HELD at the end by ${lock.holder.kind} ${lock.holder.releaseId} since ${lock.holder.acquiredAt} (${counts})`
    : `  lock "${lock.scope}": free at the end (${counts})`;
}

/** A failover or failback the fault file asked for: what it moved, and when. */
function failoverSummary(failover: RehearsedFailover): string[] {
  const offset = (seconds: number | undefined) =>
    seconds === undefined ? undefined : `+${formatDuration(seconds)}`;
  const head =
    `  ${failover.direction} of ${failover.region} at ${offset(failover.atSeconds)}: ${failover.status}` +
    (failover.failoverId ? ` (${failover.failoverId})` : '') +
    (failover.reason ? ` — ${failover.reason}` : '');
  if (!failover.dnsWeightsBefore || !failover.dnsWeightsAfter) return [head];
  const dnsChangedAt = offset(failover.dnsChangedSeconds);
  const replicasChangedAt = offset(failover.replicasChangedSeconds);
  return [
    head,
    ...failoverChanges(
      {
        weightsBefore: failover.dnsWeightsBefore,
        weightsAfter: failover.dnsWeightsAfter,
        replicas: failover.replicaChanges,
        unscaled: failover.unscaled,
        ...(dnsChangedAt && { dnsChangedAt }),
        ...(replicasChangedAt && { replicasChangedAt }),
      },
      '    ',
    ),
  ];
}
