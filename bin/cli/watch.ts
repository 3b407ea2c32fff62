/**
 * `status <id> --watch` (and `start --watch`): follows a release until it ends. On a terminal the
 * live board (live-view.ts) redrawn in place; otherwise the line log on stdout, one line per
 * audit entry and per change of status or of the approvals waiting; with --json only the final
 * view. Exits by the final status.
 *
 * A watch may run for hours, so an API that stumbles does not end it: 5xx and 429 answers,
 * refused or reset connections and requests without an answer in REQUEST_TIMEOUT_MS are asked
 * again after a capped exponential backoff with jitter, saying so on stderr; the watch gives up
 * (exit 1) only when GIVE_UP_AFTER_MS pass without an answer. Any other 4xx ends it at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FailoverView, ReleaseView } from '../../lambdas/api/release-view';
import { formatDuration } from '../../lambdas/core/duration';
import type { AuditEntry } from '../../lambdas/ports';
import { type ApiAnswer, type ApiClient, ApiUnreachableError } from './api-client';
import { refuse } from './api-commands';
import { EXIT_BY_RELEASE_STATUS, ExitCode, UserError } from './errors';
import type { Io } from './io';
import { describeEntry, type LogColumns, logLine, type StepLookup } from './line-log';
import { boardFromView } from './live-board';
import { LiveView, liveStream } from './live-view';
import { renderView } from './render-release';

/** How the watch asks again after a transient failure. */
export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** Without an answer for this long, the watch ends (exit 1). */
  giveUpAfterMs: number;
  /** A request without an answer by then counts as a failure. */
  requestTimeoutMs: number;
  /** In [0, 1): the jitter. */
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  firstDelayMs: 1000,
  maxDelayMs: 30_000,
  giveUpAfterMs: 5 * 60_000,
  requestTimeoutMs: 30_000,
  random: Math.random,
};

/** Log lines the live board keeps under it. */
const SCREEN_LOG_LINES = 20;

export async function watch(
  client: ApiClient,
  releaseId: string,
  io: Io,
  intervalMs: number,
  json: boolean,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<number> {
  const screen = json ? undefined : io.isTty ? new LiveScreen(io) : new LinePrinter(io);
  let auditAfter: number | undefined;
  let recent: AuditEntry[] = [];
  try {
    for (;;) {
      const answer = await askPatiently(client, releasePath(releaseId), { auditAfter }, io, retry);
      if (answer.status >= 400) return refuse(answer, io, json);
      const view = answer.body as ReleaseView | FailoverView;
      recent = [...recent, ...view.audit.entries].slice(-SCREEN_LOG_LINES);
      auditAfter = view.audit.lastSeq;
      screen?.show(view, view.audit.entries);
      const exitCode = EXIT_BY_RELEASE_STATUS[view.status];
      if (exitCode !== undefined) {
        if (json) io.stdout(JSON.stringify({ ...view, audit: { ...view.audit, entries: recent } }, null, 2));
        return exitCode;
      }
      await sleep(intervalMs);
    }
  } finally {
    screen?.done();
  }
}

/** 5xx and 429: the API (or what stands before it) is busy or restarting; asking again may help. */
export function isTransientAnswer(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * The answer, once there is one that is not transient; asked again after 1 s, 2 s, 4 s … up to
 * the cap, each wait jittered to between half and all of it (so many watchers do not ask in step).
 */
async function askPatiently(
  client: ApiClient,
  path: string,
  query: Record<string, number | undefined>,
  io: Io,
  retry: RetryPolicy,
): Promise<ApiAnswer> {
  const since = Date.now();
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    try {
      const answer = await client.get(path, query, { timeoutMs: retry.requestTimeoutMs });
      if (!isTransientAnswer(answer.status)) return answer;
      failure = `the API answered ${answer.status}${messageOf(answer)}`;
    } catch (error) {
      if (!(error instanceof ApiUnreachableError) || !error.transient) throw error;
      failure = error.message;
    }
    const ceiling = Math.min(retry.maxDelayMs, retry.firstDelayMs * 2 ** (attempt - 1));
    const delay = Math.round(ceiling / 2 + (retry.random() * ceiling) / 2);
    const waited = Date.now() - since;
    if (waited + delay > retry.giveUpAfterMs) {
      const after = `${attempt} attempt(s) over ${formatDuration(Math.round(waited / 1000))}`;
      throw new UserError(
        `status --watch gave up after ${after} without an answer: ${failure}`,
        ExitCode.internal,
      );
    }
    io.stderr(
      `status --watch: ${failure}; asking again in ${formatDuration(Math.max(1, Math.round(delay / 1000)))} (attempt ${attempt + 1})`,
    );
    await sleep(delay);
  }
}

function messageOf(answer: ApiAnswer): string {
  const body = answer.body as { message?: unknown } | string | undefined;
  const message = typeof body === 'string' ? body : body?.message;
  return typeof message === 'string' && message !== '' ? ` (${message.slice(0, 120)})` : '';
}

function releasePath(releaseId: string): string {
  return `/releases/${encodeURIComponent(releaseId)}`;
}

interface Screen {
  show(view: ReleaseView | FailoverView, fresh: readonly AuditEntry[]): void;
  done(): void;
}

/** The line log of what the API answers: entries' times as offsets from the release's creation. */
class WatchLog {
  private columns: LogColumns = { region: 1, service: 1 };
  private view: ReleaseView | FailoverView | undefined;

  constructor(private readonly emit: (line: string) => void) {}

  entries(view: ReleaseView | FailoverView, fresh: readonly AuditEntry[]): void {
    if (!this.view) this.columns = logColumns(view);
    this.view = view;
    const createdAt = new Date(view.createdAt).getTime();
    for (const entry of fresh) {
      const what = describeEntry(entry, this.steps);
      if (what)
        this.emit(logLine((new Date(entry.at).getTime() - createdAt) / 1000, entry, what, this.columns));
    }
  }

  /** The view knows each service's step count (not the plan's step names: the entry's kind does). */
  private readonly steps: StepLookup = (region, service) => {
    if (this.view?.kind !== 'release') return undefined;
    for (const wave of this.view.waves)
      for (const each of wave.regions)
        if (each.region === region)
          for (const candidate of each.services)
            if (candidate.service === service && candidate.step)
              return { count: candidate.step.count, name: '' };
    return undefined;
  };
}

function logColumns(view: ReleaseView | FailoverView): LogColumns {
  if (view.kind === 'failover') return { region: view.region.length, service: 1 };
  const regions = view.waves.flatMap((wave) => wave.regions);
  return {
    region: Math.max(1, ...regions.map((region) => region.region.length)),
    service: Math.max(1, ...regions.flatMap((region) => region.services.map((s) => s.service.length))),
  };
}

class LiveScreen implements Screen {
  private readonly live: LiveView;
  private readonly recent: string[] = [];
  private readonly log = new WatchLog((line) => {
    this.recent.push(line);
    if (this.recent.length > SCREEN_LOG_LINES) this.recent.shift();
  });

  constructor(io: Io) {
    this.live = new LiveView(liveStream(io), io.colors, 0);
  }

  show(view: ReleaseView | FailoverView, fresh: readonly AuditEntry[]): void {
    this.log.entries(view, fresh);
    if (view.kind === 'release') {
      this.live.show(() => boardFromView(view, this.recent, `updated ${view.updatedAt.slice(11, 19)}`));
    } else {
      const recent = this.recent.map((line) => `  ${line}`);
      this.live.showText(
        [renderView(view, [], view.releaseId), ...(recent.length ? ['recent', ...recent] : [])].join('\n'),
      );
    }
  }

  done(): void {
    this.live.done();
  }
}

class LinePrinter implements Screen {
  private status: string | undefined;
  private approvals = '';
  private readonly log = new WatchLog((line) => this.io.stdout(line));

  constructor(private readonly io: Io) {}

  show(view: ReleaseView | FailoverView, fresh: readonly AuditEntry[]): void {
    this.log.entries(view, fresh);
    if (view.status !== this.status) {
      this.io.stdout(`release ${view.releaseId}: ${this.status ? `${this.status} → ` : ''}${view.status}`);
      this.status = view.status;
    }
    const waiting = view.kind === 'release' ? view.approvalsWaiting.join(', ') : '';
    if (waiting !== this.approvals) {
      if (waiting) this.io.stdout(`waiting for approval: ${waiting} (switchyard approve ${view.releaseId})`);
      this.approvals = waiting;
    }
  }

  done(): void {}
}
