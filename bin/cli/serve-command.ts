/**
 * `switchyard serve`: the HTTP API on this machine, answered by the same router as the Lambda
 * behind API Gateway, over the local platform — the real handlers on the local Step Functions
 * engine, DynamoDB Local, a simulated fleet shaped by a plan, and virtual time.
 *
 * Virtual time runs only when driven: after every request that changes something, the server
 * drives it (in the background, one drive at a time) until every execution has ended or waits
 * for a person. While an approval waits, virtual time holds: otherwise its timeout (an hour by
 * default) would pass in an instant of wall time, before anyone could answer.
 */

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ApiRequest, type ApiResponse, MAX_BODY_BYTES, payloadTooLarge } from '../../lambdas/api/http';
import { type ApiLog, handleApiRequest } from '../../lambdas/api/router';
import { serviceRolloutName } from '../../lambdas/core/naming';
import type { ResolvedPlan } from '../../lambdas/core/plan/resolve';
import type { AuditEntry } from '../../lambdas/ports';
import { dynamoDbLocalClient, type RunningServer, startDynamoDbLocal } from '../../rehearsal/dynamodb-local';
import { createLocalPlatform, type LocalPlatform } from '../../rehearsal/rehearse';
import { ACTOR_HEADER } from './api-client';
import { ExitCode, UserError } from './errors';
import type { Io } from './io';
import { readPlan } from './plan-file';
import type { ServeOptions } from './program';

export const DEFAULT_PORT = 8080;
export const DEFAULT_PLAN = fileURLToPath(new URL('../../examples/platform.yaml', import.meta.url));

export interface LocalBackendOptions {
  /** The plan whose services and regions make up the simulated fleet. */
  plan: ResolvedPlan;
  seed: number;
  /** DynamoDB Local; without it the records are kept in this process. */
  dynamoDb?: DynamoDBClient;
  /**
   * Approvals are given this many virtual seconds after they are asked for. Undefined leaves
   * them to a person, and virtual time holds while one waits.
   */
  autoApproveAfterSeconds?: number;
  log?: ApiLog;
}

/** The API over the local platform, without HTTP: what the server (and the contract tests) call. */
export interface LocalBackend {
  platform: LocalPlatform;
  /** Answers one request; a request that changed something sets virtual time going. */
  handle(request: ApiRequest): Promise<ApiResponse>;
  /** Resolves once virtual time is no longer being driven (all ended, or waiting for a person). */
  idle(): Promise<void>;
}

export async function createLocalBackend(options: LocalBackendOptions): Promise<LocalBackend> {
  const approvals = new ApprovalsWaiting();
  const platform = await createLocalPlatform({
    plan: options.plan,
    seed: options.seed,
    ...(options.dynamoDb && { dynamoDb: options.dynamoDb }),
    ...(options.autoApproveAfterSeconds !== undefined && {
      autoApproveAfterSeconds: options.autoApproveAfterSeconds,
    }),
    onAudit: (entry) => approvals.observe(entry),
    // An alarm the handler could not take is a release left unprotected: say so as it happens.
    onError: (error) => (options.log ?? defaultLog).error(`${error.source} failed`, { ...error }),
  });
  approvals.bind(platform);
  const log = options.log ?? defaultLog;
  // Given automatically, an approval must let time run on to the moment it is given.
  const hold = options.autoApproveAfterSeconds === undefined ? () => approvals.anyWaiting() : () => false;
  const driver = new VirtualTimeDriver(platform, hold, log);
  return {
    platform,
    async handle(request) {
      // Virtual time stands still while the request acts, so it sees one instant.
      const response = await platform.scheduler.track(handleApiRequest(request, platform.ports, { log }));
      if (request.method !== 'GET' && response.status < 400) driver.drive();
      return response;
    },
    idle: () => driver.idle(),
  };
}

export interface LocalApiOptions extends LocalBackendOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** One line per request answered. */
  onRequest?: (line: string) => void;
}

export interface LocalApi {
  url: string;
  backend: LocalBackend;
  /** Stops accepting requests and closes open connections. */
  close(): Promise<void>;
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const backend = await createLocalBackend(options);
  const log = options.log ?? defaultLog;
  const server = createServer((incoming, outgoing) => {
    respond(incoming, outgoing).catch((error: unknown) => {
      log.error('could not answer a request', { error: String(error) });
      if (!outgoing.headersSent) outgoing.writeHead(500);
      outgoing.end();
    });
  });
  async function respond(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const body = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    const method = incoming.method ?? 'GET';
    const response =
      body === TOO_LARGE
        ? payloadTooLarge()
        : await backend.handle({
            method,
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers: flattenHeaders(incoming),
            body,
            caller: headerValue(incoming, ACTOR_HEADER) ?? 'local',
          });
    outgoing.writeHead(response.status, response.headers);
    outgoing.end(response.body);
    options.onRequest?.(`${method} ${url.pathname}${url.search} → ${response.status}`);
  }

  await listen(server, options.port, options.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    backend,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

const TOO_LARGE = Symbol('too large');

/**
 * The body as text, or TOO_LARGE past MAX_BODY_BYTES. The rest of an oversized body is read
 * and dropped rather than left unread, so the client gets the 413 instead of a reset connection.
 */
async function readBody(incoming: IncomingMessage): Promise<string | undefined | typeof TOO_LARGE> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) return TOO_LARGE;
  return size === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(incoming: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(incoming.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(', ') : (value ?? ''),
    ]),
  );
}

function headerValue(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Approvals asked for and not yet given, each with the service rollout execution that waits on
 * it, and releases in their rollback window, each with its release execution: one whose
 * execution has ended (stopped by an abort, say) no longer holds time.
 */
class ApprovalsWaiting {
  private readonly waiting = new Map<string, string>();
  private platform: LocalPlatform | undefined;

  bind(platform: LocalPlatform): void {
    this.platform = platform;
  }

  observe(entry: AuditEntry): void {
    // A release in its rollback window waits for a person too (promote, abort): time holds.
    if (entry.action === 'release.monitoring' && this.platform) {
      this.waiting.set(
        `${entry.releaseId} window`,
        this.platform.workflow.executionArnFor('release', entry.releaseId),
      );
      return;
    }
    const approval = entry.detail?.approval;
    if (typeof approval !== 'string' || !this.platform) return;
    const key = `${entry.releaseId} ${approval}`;
    if (entry.action === 'approval.requested' && entry.region && entry.service) {
      this.waiting.set(
        key,
        this.platform.workflow.executionArnFor(
          'serviceRollout',
          serviceRolloutName(entry.releaseId, entry.region, entry.service),
        ),
      );
    } else if (entry.action === 'approval.given') {
      this.waiting.delete(key);
    }
  }

  anyWaiting(): boolean {
    if (this.waiting.size === 0 || !this.platform) return false;
    const running = new Set(
      this.platform.workflow
        .all()
        .filter((execution) => execution.status === 'RUNNING')
        .map((execution) => execution.arn),
    );
    for (const [key, executionArn] of this.waiting) {
      if (!running.has(executionArn)) this.waiting.delete(key);
    }
    return this.waiting.size > 0;
  }
}

/** Drives virtual time in the background, one drive at a time; a request during a drive asks for one more. */
class VirtualTimeDriver {
  private current: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly platform: LocalPlatform,
    private readonly hold: () => boolean,
    private readonly log: ApiLog = defaultLog,
  ) {}

  drive(): void {
    if (this.current) {
      this.again = true;
      return;
    }
    this.current = this.loop().finally(() => {
      this.current = undefined;
    });
  }

  async idle(): Promise<void> {
    while (this.current) await this.current;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.platform.runUntilIdle(this.hold);
      } catch (error) {
        this.log.error('driving virtual time failed', {
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      }
    } while (this.again);
  }
}

const defaultLog: ApiLog = {
  error: (message, detail) => console.error(`switchyard serve: ${message} ${JSON.stringify(detail)}`),
};

// ── the command ─────────────────────────────────────────────────────────────

export async function serveCommand(
  values: ServeOptions,
  io: Pick<Io, 'stdout' | 'stderr'>,
  seams: {
    /** Resolves when the server should stop; by default on Ctrl-C or SIGTERM. */
    until?: () => Promise<unknown>;
    startDynamoDb?: () => Promise<RunningServer>;
  } = {},
): Promise<number> {
  const port = values.port ?? DEFAULT_PORT;
  const seed = values.seed ?? 1;
  const approveAfter = values.approveAfter;
  const planPath = values.plan ?? DEFAULT_PLAN;
  const { resolved } = readPlan(planPath);

  let dynamoDb: RunningServer | undefined;
  if (values.store === 'dynamodb-local') {
    io.stdout('starting DynamoDB Local…');
    dynamoDb = await (seams.startDynamoDb ?? startDynamoDbLocal)();
  }
  const client = dynamoDb && dynamoDbLocalClient(dynamoDb.endpoint);
  let api: LocalApi | undefined;
  try {
    try {
      api = await startLocalApi({
        plan: resolved,
        seed,
        ...(client && { dynamoDb: client }),
        ...(approveAfter !== undefined && { autoApproveAfterSeconds: approveAfter }),
        port,
        onRequest: (line) => io.stdout(line),
        log: { error: (message, detail) => io.stderr(`${message} ${JSON.stringify(detail)}`) },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new UserError(`port ${port} is already in use: choose another with --port`);
      throw error;
    }
    const services = resolved.services.size;
    const regions = resolved.regions.map((region) => region.name).join(', ');
    io.stdout(
      [
        `Switchyard API on ${api.url}`,
        `  fleet: ${services} services in ${regions} (from ${planPath}), seed ${seed}, records in ${dynamoDb ? 'DynamoDB Local' : 'this process'}`,
        approveAfter === undefined
          ? '  approvals wait for a person: switchyard approve <release id>'
          : `  approvals are given ${approveAfter} s (virtual) after they are asked for`,
        `  try:   switchyard start examples/platform.yaml --api ${api.url}`,
        `         switchyard status <release id> --watch --api ${api.url}`,
        '  Ctrl-C stops it.',
      ].join('\n'),
    );
    await (seams.until ?? interrupted)();
    io.stdout('stopping…');
    return ExitCode.ok;
  } finally {
    await api?.close();
    client?.destroy();
    await dynamoDb?.stop();
  }
}

function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
