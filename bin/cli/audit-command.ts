/**
 * `switchyard audit <release>`: a release's whole audit ledger over the API, oldest first. The
 * API answers `GET /releases/{id}?auditAfter=<seq>&auditLimit=<n>` with at most n entries after
 * that seq and no "more" flag, so a page shorter than asked for is the end of the ledger as it
 * stands (a release still running may append more later).
 *
 * Plain output: one line per entry (seq, time, where, action, detail, actor). --json: one JSON
 * document `{ "releaseId", "entries": [...] }`, written a page at a time; if a later page fails
 * the document is left unfinished and the exit code says so.
 */
import type { FailoverView, ReleaseView } from '../../lambdas/api/release-view';
import { MAX_AUDIT_PAGE } from '../../lambdas/api/release-view';
import type { AuditEntry } from '../../lambdas/ports';
import { DEFAULT_API_URL } from './api-client';
import { clientFor, refuse, releasePath } from './api-commands';
import { ExitCode, UserError } from './errors';
import type { Io } from './io';
import { MAX_AUDIT_ENTRIES } from './program';
import { auditLine } from './render-release';

export interface AuditOptions {
  /** The API's URL; default $SWITCHYARD_API, else the local `switchyard serve`. */
  api?: string;
  json?: boolean;
  /** Print at most this many entries (1..MAX_AUDIT_ENTRIES), the oldest first. */
  limit?: number;
  /** Entries asked for per request (1..MAX_AUDIT_PAGE): for tests, to make paging visible. */
  pageSize?: number;
}

export async function auditCommand(releaseId: string, options: AuditOptions, io: Io): Promise<number> {
  // Bounded by the command line (program.ts): 1..MAX_AUDIT_ENTRIES.
  const limit = options.limit ?? MAX_AUDIT_ENTRIES;
  const pageSize = options.pageSize ?? MAX_AUDIT_PAGE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_AUDIT_PAGE)
    throw new Error(`pageSize must be 1..${MAX_AUDIT_PAGE}, not ${pageSize}`);

  const client = clientFor(options.api);
  const json = options.json ?? false;
  let printed = 0;
  let after = 0;
  for (;;) {
    const asked = Math.min(pageSize, limit - printed);
    const answer = await client.get(releasePath(releaseId), { auditAfter: after, auditLimit: asked });
    if (answer.status === 404 && printed === 0) return noSuchRelease(releaseId, options, io, answer.body);
    if (answer.status >= 400) {
      // After the first page (a 5xx later on), the message goes to stderr and a --json document
      // is left unfinished on purpose: a reader must not take part of the ledger for all of it.
      return refuse(answer, io, json && printed === 0);
    }
    const entries = (answer.body as ReleaseView | FailoverView).audit.entries;
    if (json) {
      const lines = entries.map((entry) => JSON.stringify(entry)).join(',\n');
      if (printed === 0) io.stdout(`{"releaseId":${JSON.stringify(releaseId)},"entries":[`);
      if (lines) io.stdout(printed === 0 ? lines : `,\n${lines}`);
    } else {
      for (const entry of entries) io.stdout(auditLine(entry, { ledger: true }));
    }
    printed += entries.length;
    const last: AuditEntry | undefined = entries.at(-1);
    if (entries.length < asked || !last || printed >= limit) {
      if (json) io.stdout(']}');
      else if (printed === 0) io.stderr(`release ${releaseId} has no audit entries yet`);
      else if (printed >= limit && entries.length === asked)
        io.stderr(`(the first ${printed} entries: --limit ${limit}; there may be more)`);
      return ExitCode.ok;
    }
    after = last.seq;
  }
}

/** The API's 404: the id names no release here; `switchyard list` shows those that exist. */
function noSuchRelease(releaseId: string, options: AuditOptions, io: Io, body: unknown): number {
  if (options.json) return refuse({ status: 404, body }, io, true);
  const api =
    options.api && options.api.replace(/\/$/, '') !== DEFAULT_API_URL ? ` --api ${options.api}` : '';
  throw new UserError(
    `no release ${releaseId} at ${clientFor(options.api).base.origin}: switchyard list${api} shows the releases there are`,
    ExitCode.invalidInput,
  );
}
