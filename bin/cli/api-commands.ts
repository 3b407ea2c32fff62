/**
 * CLI commands over the Switchyard HTTP API: start (--queue, --preempt), status (--watch), list,
 * cancel, approve, promote, abort, rollback, failover, failback. Each takes --api <url> (default $SWITCHYARD_API, else the local
 * `switchyard serve`) and --json (the API's answer as is).
 *
 * Exit codes: 0 done (or the release SUCCEEDED), 3 rolled back, 4 failed, 5 refused (409: a
 * lock is held, or the queue is full), 2 bad input (4xx, or a refusal of what cannot apply),
 * 1 the API failed or could not be reached.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FailoverStarted } from '../../lambdas/api/failover';
import type { FailoverView, ReleaseView } from '../../lambdas/api/release-view';
import type {
  ApprovalResult,
  QueuedSummary,
  ReleaseSummary,
  RollbackStarted,
  StartedRelease,
} from '../../lambdas/api/releases';
import type { CancelledRelease } from '../../lambdas/app/release-queue';
import type { Promoted } from '../../lambdas/app/rollback-window';
import { formatDuration } from '../../lambdas/core/duration';
import { parseDocumentText } from '../../lambdas/core/plan/load';
import type { PreflightReport } from '../../lambdas/core/preflight';
import { type ApiAnswer, ApiClient, DEFAULT_API_URL, resolveApiUrl } from './api-client';
import { EXIT_BY_RELEASE_STATUS, ExitCode, UserError } from './errors';
import type { Io } from './io';
import { preflightLines, readPlan } from './plan-file';
import type { ApiOptions, ApproveOptions, ListOptions, StartOptions, WatchOptions } from './program';
import { failoverChanges } from './render-failover';
import { table } from './render-preview';

import { renderView } from './render-release';
import { watch } from './watch';

export { renderView } from './render-release';
export type ApiIo = Io;

/** How often `status --watch` asks, in seconds. */
const DEFAULT_WATCH_INTERVAL_SECONDS = 2;

export const apiCommands = {
  async start(planPath: string, values: StartOptions, io: Io): Promise<number> {
    // Checked here first, so problems come with their lines; the API checks again.
    const { plan, text } = readPlan(planPath);
    const parsed = parseDocumentText(text);
    if (!parsed.ok) throw new UserError(`${planPath}: cannot read the plan`);
    if (values.preempt && !plan.metadata.emergency) {
      throw new UserError(
        `${planPath}: --preempt is for emergency releases only: give the plan metadata.emergency.reason (why it cannot wait), or leave --preempt out`,
      );
    }
    const client = clientFor(values.api);
    const answer = await client.post('/releases', parsed.raw, {
      ...(values.queue && { queue: 'true' }),
      ...(values.preempt && { preempt: 'true' }),
    });
    if (answer.status >= 400) return refuse(answer, io, values.json);
    const started = answer.body as StartedRelease;
    if (values.json && !values.watch) {
      io.stdout(JSON.stringify(started, null, 2));
      return ExitCode.ok;
    }
    if (!values.json) {
      const queued = started.status === 'QUEUED';
      io.stdout(
        [
          queued
            ? `release ${started.releaseId} ${started.created ? 'queued' : 'was already queued'} at #${started.position ?? '?'}: it starts when the lock is free and its turn comes` +
              ` (switchyard cancel ${started.releaseId} takes it off)`
            : started.created
              ? `release ${started.releaseId} started (${started.status})`
              : `release ${started.releaseId} was already submitted with this plan: it is ${started.status}`,
          `  execution  ${started.executionArn}`,
          ...(started.consoleUrl ? [`  console    ${started.consoleUrl}`] : []),
          ...(values.watch ? [] : [`  follow it: ${followCommand(client, started.releaseId)}`]),
        ].join('\n'),
      );
    }
    if (!values.watch) return ExitCode.ok;
    return watch(client, started.releaseId, io, watchInterval(values.interval), values.json ?? false);
  },

  async preflight(planPath: string, values: ApiOptions, io: Io): Promise<number> {
    const { text } = readPlan(planPath);
    const parsed = parseDocumentText(text);
    if (!parsed.ok) throw new UserError(`${planPath}: cannot read the plan`);
    const answer = await clientFor(values.api).post('/plans/preflight', parsed.raw);
    if (answer.status >= 400) return refuse(answer, io, values.json);
    const report = answer.body as PreflightReport;
    if (values.json) io.stdout(JSON.stringify(report, null, 2));
    else if (report.ok)
      io.stdout(`${planPath}: preflight passed — ${report.checks} checks, nothing in the way`);
    else io.stdout([`${planPath}:`, ...preflightLines(report)].join('\n').trimEnd());
    return report.ok ? ExitCode.ok : ExitCode.refusedByPreflight;
  },

  async status(releaseId: string, values: WatchOptions, io: Io): Promise<number> {
    const client = clientFor(values.api);
    if (values.watch) {
      return watch(client, releaseId, io, watchInterval(values.interval), values.json ?? false);
    }
    const answer = await client.get(releasePath(releaseId));
    if (answer.status >= 400) return refuse(answer, io, values.json);
    const view = answer.body as ReleaseView | FailoverView;
    io.stdout(values.json ? JSON.stringify(view, null, 2) : renderView(view, view.audit.entries, releaseId));
    return EXIT_BY_RELEASE_STATUS[view.status] ?? ExitCode.ok;
  },

  async list(values: ListOptions, io: Io): Promise<number> {
    const client = clientFor(values.api);
    const answer = await client.get('/releases', {
      status: values.status,
      since: values.since,
      limit: values.limit === undefined ? undefined : String(values.limit),
      cursor: values.cursor,
    });
    if (answer.status >= 400) return refuse(answer, io, values.json);
    // `queue` is absent from an API older than the queue.
    const page = answer.body as { releases: ReleaseSummary[]; cursor?: string; queue?: QueuedSummary[] };
    if (values.json) {
      io.stdout(JSON.stringify(page, null, 2));
      return ExitCode.ok;
    }
    if (page.releases.length === 0) {
      io.stdout('no releases');
      return ExitCode.ok;
    }
    const places = new Map((page.queue ?? []).map((entry) => [entry.releaseId, entry]));
    const rows = [['queue', 'release', 'kind', 'status', 'created', 'by', 'reason']];
    for (const release of page.releases) {
      const place = places.get(release.releaseId);
      rows.push([
        place ? `#${place.position}` : '',
        release.releaseId,
        release.kind,
        release.status === 'MONITORING' && release.rollbackWindow
          ? `MONITORING until ${release.rollbackWindow.endsAt}`
          : release.status,
        release.createdAt,
        release.submittedBy ?? '',
        release.reason ?? '',
      ]);
    }
    io.stdout(table(rows).join('\n'));
    const waiting = queueLine(page.queue ?? []);
    if (waiting) io.stdout(waiting);
    if (page.cursor) io.stdout(`more: switchyard list --cursor ${page.cursor}${apiOption(client)}`);
    return ExitCode.ok;
  },

  async cancel(releaseId: string, values: ApiOptions, io: Io): Promise<number> {
    const answer = await clientFor(values.api).post(`${releasePath(releaseId)}/cancel`);
    if (answer.status >= 400) return refuse(answer, io, values.json);
    const result = answer.body as CancelledRelease;
    if (values.json) io.stdout(JSON.stringify(result, null, 2));
    else
      io.stdout(
        result.cancelled
          ? `release ${releaseId} cancelled: taken off the queue, nothing of it ran`
          : `release ${releaseId} was already cancelled`,
      );
    return ExitCode.ok;
  },

  async approve(releaseId: string, values: ApproveOptions, io: Io): Promise<number> {
    const client = clientFor(values.api);
    const answer = await client.post(
      `${releasePath(releaseId)}/approve`,
      values.approval === undefined ? undefined : { approval: values.approval },
    );
    if (answer.status >= 400) return refuse(answer, io, values.json);
    const result = answer.body as ApprovalResult;
    if (values.json) {
      io.stdout(JSON.stringify(result, null, 2));
      return ExitCode.ok;
    }
    if (result.approved.length === 0 && result.expired.length === 0) {
      io.stdout(`nothing of release ${releaseId} was waiting for approval`);
    }
    for (const name of result.approved) io.stdout(`approved ${name}`);
    for (const name of result.expired) io.stdout(`${name} was no longer waiting (its task had ended)`);
    return ExitCode.ok;
  },

  promote: (releaseId: string, values: ApiOptions, io: Io) =>
    releaseAction<Promoted>('promote', releaseId, values, io, (result, client) => [
      `release ${releaseId} promoted by ${result.promotedBy}: its rollback window closes now, ${formatDuration(result.secondsLeft)} early (it ended at ${result.rollbackWindow.endsAt})`,
      `  follow it: ${followCommand(client, releaseId)}`,
    ]),

  abort: (releaseId: string, values: ApiOptions, io: Io) => rollbackCommand('abort', releaseId, values, io),
  rollback: (releaseId: string, values: ApiOptions, io: Io) =>
    rollbackCommand('rollback', releaseId, values, io),
  failover: (region: string, values: ApiOptions, io: Io) => failoverCommand('failover', region, values, io),
  failback: (region: string, values: ApiOptions, io: Io) => failoverCommand('failback', region, values, io),
};

/** POST /releases/{id}/<action>: the answer as JSON with --json, else the lines `render` makes of it. */
async function releaseAction<Answer>(
  action: string,
  releaseId: string,
  values: ApiOptions,
  io: Io,
  render: (result: Answer, client: ApiClient) => string[],
): Promise<number> {
  const client = clientFor(values.api);
  const answer = await client.post(`${releasePath(releaseId)}/${action}`);
  if (answer.status >= 400) return refuse(answer, io, values.json);
  const result = answer.body as Answer;
  io.stdout(values.json ? JSON.stringify(result, null, 2) : render(result, client).join('\n'));
  return ExitCode.ok;
}

function rollbackCommand(
  action: 'abort' | 'rollback',
  releaseId: string,
  values: ApiOptions,
  io: Io,
): Promise<number> {
  return releaseAction<RollbackStarted>(action, releaseId, values, io, (result, client) => [
    result.started ? `release ${releaseId} is rolling back` : `release ${releaseId} was already rolling back`,
    `  rollback  ${result.rollback.executionArn}`,
    ...(result.rollback.consoleUrl ? [`  console   ${result.rollback.consoleUrl}`] : []),
    `  follow it: ${followCommand(client, releaseId)}`,
  ]);
}

async function failoverCommand(
  direction: 'failover' | 'failback',
  region: string,
  values: ApiOptions,
  io: Io,
): Promise<number> {
  const client = clientFor(values.api);
  const answer = await client.post(`/${direction}`, { region });
  if (answer.status >= 400) return refuse(answer, io, values.json);
  const result = answer.body as FailoverStarted;
  if (values.json) {
    io.stdout(JSON.stringify(result, null, 2));
    return ExitCode.ok;
  }
  const planned = await plannedFailover(client, result.failoverId);
  io.stdout(
    [
      `${direction} of ${region} ${result.started ? 'started' : 'was already started'}: ${result.failoverId}` +
        (result.reverses ? ` (reverses ${result.reverses})` : ''),
      `  fleet as planned by release ${result.planReleaseId}`,
      `  execution  ${result.execution.executionArn}`,
      ...(result.execution.consoleUrl ? [`  console    ${result.execution.consoleUrl}`] : []),
      ...(planned
        ? [
            ...(planned.status === 'FAILED'
              ? [`  FAILED${planned.reason ? `: ${planned.reason}` : ''}`]
              : []),
            ...failoverChanges(planned),
          ]
        : [
            `  not planned yet: its DNS weights and replica changes show in switchyard status ${result.failoverId}`,
          ]),
      `  follow it: ${followCommand(client, result.failoverId)}`,
    ].join('\n'),
  );
  return ExitCode.ok;
}

/** How long `failover` / `failback` wait for the execution to record what it will change. */
const FAILOVER_PLAN_WAIT_MS = 20_000;
const FAILOVER_PLAN_POLL_MS = 1_000;

/**
 * The failover's view once its first step has recorded the plan (weights, replicas): the start
 * answer comes before the execution has run, so the CLI asks until the record exists.
 */
async function plannedFailover(client: ApiClient, failoverId: string): Promise<FailoverView | undefined> {
  const deadline = Date.now() + FAILOVER_PLAN_WAIT_MS;
  for (;;) {
    const answer = await client.get(releasePath(failoverId), { auditAfter: 0, auditLimit: 1 });
    if (answer.status === 200 && (answer.body as FailoverView).kind === 'failover') {
      return answer.body as FailoverView;
    }
    // 404 until the record is written; anything else will not change by waiting.
    if (answer.status !== 404 || Date.now() + FAILOVER_PLAN_POLL_MS > deadline) return undefined;
    await sleep(FAILOVER_PLAN_POLL_MS);
  }
}

// ── plumbing ────────────────────────────────────────────────────────────────

export function clientFor(api: string | undefined): ApiClient {
  return new ApiClient(resolveApiUrl(api));
}

export function releasePath(releaseId: string): string {
  return `/releases/${encodeURIComponent(releaseId)}`;
}

function watchInterval(seconds: number | undefined): number {
  return (seconds ?? DEFAULT_WATCH_INTERVAL_SECONDS) * 1000;
}

function apiOption(client: ApiClient): string {
  const url = client.base.href.replace(/\/$/, '');
  return url === DEFAULT_API_URL ? '' : ` --api ${url}`;
}

function followCommand(client: ApiClient, releaseId: string): string {
  return `switchyard status ${releaseId} --watch${apiOption(client)}`;
}

interface ErrorBody {
  error?: string;
  message?: string;
  problems?: Array<{ path: string; message: string }>;
  errorId?: string;
}

/** The queue in order, on one line: `queue: #1 hotfix (emergency: …), #2 shop-2` (nothing if empty). */
function queueLine(queue: readonly QueuedSummary[]): string | undefined {
  if (queue.length === 0) return undefined;
  const entries = queue.map(
    (entry) =>
      `#${entry.position} ${entry.releaseId}${entry.emergency ? ` (emergency: ${entry.emergency.reason})` : ''}`,
  );
  return `queue: ${entries.join(', ')}`;
}

/** The refusals that are "wait, or try later" rather than a mistake: 5. */
const REFUSED_ERRORS: ReadonlySet<string> = new Set(['LockHeld', 'QueueFull']);

/**
 * 5 is kept for a held lock and a full queue (the API's 409 LockHeld and QueueFull); any other
 * refusal (409 Conflict: aborting a finished release, cancelling one that is not queued) asked
 * for what cannot apply and changed nothing: 2, as does any other 4xx. A 5xx is the API's failure: 1.
 */
export function exitCodeOf(answer: ApiAnswer): number {
  if (answer.status >= 500) return ExitCode.internal;
  const error =
    typeof answer.body === 'object' && answer.body !== null ? (answer.body as ErrorBody).error : undefined;
  return answer.status === 409 && error !== undefined && REFUSED_ERRORS.has(error)
    ? ExitCode.refused
    : ExitCode.invalidInput;
}

/** An answer of 400 or more: printed (as JSON with --json) and turned into the exit code. */
export function refuse(answer: ApiAnswer, io: ApiIo, json: boolean | undefined): number {
  const exitCode = exitCodeOf(answer);
  if (json) {
    io.stdout(
      JSON.stringify(
        {
          status: answer.status,
          ...(typeof answer.body === 'object' ? answer.body : { message: answer.body }),
        },
        null,
        2,
      ),
    );
    return exitCode;
  }
  const body: ErrorBody =
    typeof answer.body === 'object' && answer.body !== null
      ? (answer.body as ErrorBody)
      : { message: String(answer.body ?? '') };
  const lines = [`${body.message ?? `the API answered ${answer.status}`}`];
  for (const problem of body.problems ?? [])
    lines.push(`  ${problem.path || '(document)'}: ${problem.message}`);
  if (answer.status === 403 || answer.status === 401) {
    lines.push('  (is your AWS identity allowed execute-api:Invoke on this API?)');
  }
  throw new UserError(lines.join('\n'), exitCode);
}
