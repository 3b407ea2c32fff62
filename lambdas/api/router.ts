/**
 * The Switchyard HTTP API: one router behind API Gateway (lambda.ts) and `switchyard serve`,
 * so both answer alike. JSON in and out.
 *
 *   POST /releases                  start a release (body: the plan). 202 when started (or
 *                                   queued: ?queue=true, ?preempt=true for an emergency), 200
 *                                   when this id was already submitted with this plan.
 *   GET  /releases                  ?status=&since=&limit=&cursor=, newest first, and the queue
 *   GET  /releases/{id}             ?auditAfter=&auditLimit=
 *   POST /releases/{id}/cancel      take a queued release off the queue
 *   POST /releases/{id}/approve     body (optional): { "approval": "<region>/<service>/step-<n>" }
 *   POST /releases/{id}/abort       stop, then roll back
 *   POST /releases/{id}/promote     close a MONITORING release's rollback window early
 *   POST /releases/{id}/rollback    see core/rollback-eligibility.ts for the rules
 *   POST /failover, /failback       body: { "region": "<region>" }
 *   POST /plans/preview             body: the plan; answers the planner's preview
 *   POST /plans/preflight           body: the plan; checks it against the account and clusters
 *
 * Client mistakes get a 4xx naming the problem; anything unexpected a 500 with an opaque id
 * that is also in the log beside the error.
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionFailedError,
  InvalidInputError,
  LockHeldError,
  NotFoundError,
  PlanInvalidError,
  QueueFullError,
  ReleaseConflictError,
} from '../core/errors';
import { checkPlan } from '../core/plan/check';
import { resolvePlan } from '../core/plan/resolve';
import { RegionName, ReleaseId } from '../core/plan/schema';
import { previewRelease } from '../core/planner/preview';
import type { ReleaseStatus } from '../ports';
import { startFailback, startFailover } from './failover';
import {
  type ApiRequest,
  type ApiResponse,
  errorResponse,
  HttpError,
  header,
  jsonResponse,
  MAX_BODY_BYTES,
  payloadTooLargeError,
} from './http';
import type { ApiPorts } from './release-view';
import { describeRelease, MAX_AUDIT_PAGE } from './release-view';
import {
  abortRelease,
  approveRelease,
  cancelRelease,
  listReleases,
  promoteRelease,
  RELEASE_STATUSES,
  rollbackRelease,
  startRelease,
} from './releases';

export interface ApiLog {
  error(message: string, detail: Record<string, unknown>): void;
}

export interface ApiOptions {
  log?: ApiLog;
}

interface RouteContext {
  request: ApiRequest;
  params: Record<string, string>;
  ports: ApiPorts;
  actor: string;
}

interface Route {
  method: 'GET' | 'POST';
  /** Segments; `:name` captures one. */
  pattern: string;
  run(context: RouteContext): Promise<ApiResponse>;
}

const ROUTES: readonly Route[] = [
  {
    method: 'POST',
    pattern: '/releases',
    async run({ request, ports, actor }) {
      const options = submitOptions(request.query);
      const started = await startRelease(ports, readJsonBody(request, true), actor, options);
      return jsonResponse(started.created ? 202 : 200, started, {
        location: `/releases/${encodeURIComponent(started.releaseId)}`,
      });
    },
  },
  {
    method: 'GET',
    pattern: '/releases',
    async run({ request, ports }) {
      const { status, since, limit, cursor } = request.query;
      return jsonResponse(
        200,
        await listReleases(ports, {
          ...(status !== undefined && { status: releaseStatus(status) }),
          ...(since !== undefined && { since: timestamp('since', since) }),
          ...(limit !== undefined && { limit: integer('limit', limit, 1, 100) }),
          ...(cursor !== undefined && { cursor: pageCursor(cursor) }),
        }),
      );
    },
  },
  {
    method: 'GET',
    pattern: '/releases/:id',
    async run({ request, params, ports }) {
      const { auditAfter, auditLimit } = request.query;
      return jsonResponse(
        200,
        await describeRelease(ports, params.id!, {
          ...(auditAfter !== undefined && {
            after: integer('auditAfter', auditAfter, 0, Number.MAX_SAFE_INTEGER),
          }),
          ...(auditLimit !== undefined && { limit: integer('auditLimit', auditLimit, 1, MAX_AUDIT_PAGE) }),
        }),
      );
    },
  },
  {
    method: 'POST',
    pattern: '/releases/:id/approve',
    async run({ request, params, ports, actor }) {
      const body = readJsonBody(request, false);
      const approval = optionalString(body, 'approval');
      return jsonResponse(200, await approveRelease(ports, params.id!, approval, actor));
    },
  },
  {
    method: 'POST',
    pattern: '/releases/:id/cancel',
    async run({ request, params, ports, actor }) {
      readJsonBody(request, false);
      return jsonResponse(200, await cancelRelease(ports, params.id!, actor));
    },
  },
  {
    method: 'POST',
    pattern: '/releases/:id/abort',
    async run({ request, params, ports, actor }) {
      readJsonBody(request, false);
      return jsonResponse(202, await abortRelease(ports, params.id!, actor));
    },
  },
  {
    method: 'POST',
    pattern: '/releases/:id/promote',
    async run({ request, params, ports, actor }) {
      readJsonBody(request, false);
      return jsonResponse(200, await promoteRelease(ports, params.id!, actor));
    },
  },
  {
    method: 'POST',
    pattern: '/releases/:id/rollback',
    async run({ request, params, ports, actor }) {
      readJsonBody(request, false);
      return jsonResponse(202, await rollbackRelease(ports, params.id!, actor));
    },
  },
  {
    method: 'POST',
    pattern: '/failover',
    async run({ request, ports, actor }) {
      const region = regionField(readJsonBody(request, true));
      return jsonResponse(202, await startFailover(ports, region, actor));
    },
  },
  {
    method: 'POST',
    pattern: '/failback',
    async run({ request, ports, actor }) {
      const region = regionField(readJsonBody(request, true));
      return jsonResponse(202, await startFailback(ports, region, actor));
    },
  },
  {
    method: 'POST',
    pattern: '/plans/preflight',
    async run({ request, ports }) {
      const checked = checkPlan(readJsonBody(request, true));
      if (!checked.ok) throw new PlanInvalidError(checked.problems);
      // 200 either way: the answer is the report; a refusal is its finding, not the request's fault.
      return jsonResponse(200, await ports.preflight.check(checked.plan));
    },
  },
  {
    method: 'POST',
    pattern: '/plans/preview',
    async run({ request }) {
      const checked = checkPlan(readJsonBody(request, true));
      if (!checked.ok) throw new PlanInvalidError(checked.problems);
      return jsonResponse(200, previewRelease(resolvePlan(checked.plan)));
    },
  },
];

/** Method and pattern of every route (`:name` captures a segment): what API Gateway is given. */
export const ROUTE_PATTERNS: ReadonlyArray<readonly [method: Route['method'], pattern: string]> = ROUTES.map(
  (route) => [route.method, route.pattern] as const,
);

export async function handleApiRequest(
  request: ApiRequest,
  ports: ApiPorts,
  options: ApiOptions = {},
): Promise<ApiResponse> {
  try {
    const { route, params } = matchRoute(request.method, request.path);
    return await route.run({ request, params, ports, actor: request.caller ?? 'api' });
  } catch (error) {
    return answerError(error, request, options.log ?? consoleLog);
  }
}

function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } {
  const segments = splitPath(path);
  const allowed = new Set<string>();
  for (const route of ROUTES) {
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { route, params };
    allowed.add(route.method);
  }
  if (allowed.size === 0) throw new HttpError(404, 'NotFound', `no such resource: ${path}`);
  const methods = [...allowed].sort().join(', ');
  throw new HttpError(
    405,
    'MethodNotAllowed',
    `${method} is not allowed on ${path}; use ${methods}`,
    {},
    {
      allow: methods,
    },
  );
}

function splitPath(path: string): string[] {
  try {
    return path
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    throw new HttpError(400, 'BadRequest', `the path ${path} is not validly percent-encoded`);
  }
}

function matchPattern(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/').filter((part) => part !== '');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index]!;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  if (params.id !== undefined) requireRecordId(params.id);
  return params;
}

/**
 * Every record the API serves (releases, rollbacks, failovers) has an id of the release id's
 * form; anything else cannot exist, and must not reach the store, whose keys have byte limits.
 */
function requireRecordId(id: string): void {
  if (ReleaseId.safeParse(id).success) return;
  throw new HttpError(
    404,
    'NotFound',
    `no release ${quoted(id)}: release ids are 1 to 80 characters of letters, digits, "-" and "_"`,
  );
}

/** A client's text in a message, cut short so that an answer never echoes a huge input. */
function quoted(text: string): string {
  const QUOTE_MAX = 60;
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
}

// ── bodies and parameters ───────────────────────────────────────────────────

/**
 * The body as JSON. Checked in the order a client fixes them: size, content type, syntax.
 * `required: false` accepts no body at all (e.g. approve everything).
 */
function readJsonBody(request: ApiRequest, required: boolean): unknown {
  const body = request.body;
  if (body === undefined || body.trim() === '') {
    if (required) throw new HttpError(400, 'BadRequest', 'this request needs a JSON body');
    return undefined;
  }
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) throw payloadTooLargeError();
  const contentType = header(request, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      `send the body as application/json${contentType ? ` (got ${contentType})` : ' (no content-type was given)'}`,
    );
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new HttpError(400, 'BadRequest', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

function asObject(body: unknown): Record<string, unknown> | undefined {
  if (body === undefined) return undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'BadRequest', 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Body fields name approvals and regions: a few dozen characters. */
const BODY_STRING_MAX = 256;

function optionalString(body: unknown, field: string): string | undefined {
  const value = asObject(body)?.[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > BODY_STRING_MAX) {
    throw new HttpError(
      400,
      'BadRequest',
      `"${field}" must be a non-empty string of at most ${BODY_STRING_MAX} characters`,
    );
  }
  return value;
}

function requiredString(body: unknown, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined) throw new HttpError(400, 'BadRequest', `the body needs "${field}"`);
  return value;
}

function regionField(body: unknown): string {
  const region = requiredString(body, 'region');
  if (!RegionName.safeParse(region).success) {
    throw new HttpError(
      400,
      'BadRequest',
      `"region" must be an AWS region name such as us-east-1, not ${quoted(region)}`,
    );
  }
  return region;
}

/**
 * POST /releases's options, from its query string. Anything else there is refused rather than
 * ignored: a mistyped `?preemt=true` must not submit a release that waits behind the holder.
 * (The body stays the plan alone: API Gateway checks it against the plan's model.)
 */
function submitOptions(query: ApiRequest['query']): { queue?: boolean; preempt?: boolean } {
  const known = ['queue', 'preempt'];
  const unknown = Object.keys(query).filter((name) => query[name] !== undefined && !known.includes(name));
  if (unknown.length > 0) {
    throw new HttpError(
      400,
      'BadRequest',
      `POST /releases takes only ?queue=true and ?preempt=true, not ${unknown.map((name) => quoted(name)).join(', ')}`,
    );
  }
  const flag = (name: string): boolean | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new HttpError(400, 'BadRequest', `${name} must be true or false, not ${quoted(value)}`);
  };
  const queue = flag('queue');
  const preempt = flag('preempt');
  return { ...(queue !== undefined && { queue }), ...(preempt !== undefined && { preempt }) };
}

function releaseStatus(value: string): ReleaseStatus {
  const status = value.toUpperCase() as ReleaseStatus;
  if (!RELEASE_STATUSES.includes(status)) {
    throw new HttpError(
      400,
      'BadRequest',
      `status must be one of ${RELEASE_STATUSES.join(', ')}, not "${value}"`,
    );
  }
  return status;
}

/** An ISO 8601 date or time, as the store's timestamps are written (UTC, milliseconds). */
function timestamp(name: string, value: string): string {
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new HttpError(
      400,
      'BadRequest',
      `${name} must be an ISO 8601 date or time, e.g. 2026-01-05T09:00:00Z`,
    );
  }
  return date.toISOString();
}

/** The cursors this API hands out are a few hundred characters; a longer one is not one of them. */
const CURSOR_MAX = 2048;

function pageCursor(value: string): string {
  if (value.length > CURSOR_MAX) {
    throw new HttpError(400, 'BadRequest', 'cursor is not one this API returned (it is too long)');
  }
  return value;
}

function integer(name: string, value: string, min: number, max: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new HttpError(
      400,
      'BadRequest',
      `${name} must be a whole number from ${min} to ${max}, not "${value}"`,
    );
  }
  return parsed;
}

// ── errors ──────────────────────────────────────────────────────────────────

function answerError(error: unknown, request: ApiRequest, log: ApiLog): ApiResponse {
  if (error instanceof HttpError) return errorResponse(error);
  if (error instanceof PlanInvalidError) {
    return errorResponse(
      new HttpError(400, 'PlanInvalid', `the plan has ${error.problems.length} problem(s)`, {
        problems: error.problems,
      }),
    );
  }
  if (error instanceof LockHeldError) {
    return errorResponse(new HttpError(409, 'LockHeld', error.message, { holder: error.holder }));
  }
  if (error instanceof QueueFullError) {
    return errorResponse(new HttpError(409, 'QueueFull', error.message, { limit: error.limit }));
  }
  if (error instanceof ReleaseConflictError)
    return errorResponse(new HttpError(409, 'ReleaseConflict', error.message));
  if (error instanceof ConditionFailedError)
    return errorResponse(new HttpError(409, 'Conflict', error.message));
  if (error instanceof NotFoundError) return errorResponse(new HttpError(404, 'NotFound', error.message));
  if (error instanceof InvalidInputError)
    return errorResponse(new HttpError(400, 'InvalidInput', error.message));
  const errorId = randomUUID();
  log.error('unexpected error answering an API request', {
    errorId,
    method: request.method,
    path: request.path,
    error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : error,
  });
  return errorResponse(
    new HttpError(500, 'Internal', `internal error; quote ${errorId} when reporting it`, { errorId }),
  );
}

const consoleLog: ApiLog = {
  error: (message, detail) => console.error(JSON.stringify({ level: 'error', message, ...detail })),
};
