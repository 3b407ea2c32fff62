/**
 * End to end over real localhost HTTP: the `switchyard` CLI commands against the server
 * `switchyard serve` runs (started in-process on a free port), backed by the local platform.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { type Io, main } from '../../bin/cli';
import { NO_COLORS } from '../../bin/cli/io';
import { createLocalBackend, type LocalApi, serveCommand, startLocalApi } from '../../bin/cli/serve-command';
import { MAX_BODY_BYTES } from '../../lambdas/api/http';
import { dynamoDbLocalClient } from '../support/dynamodb';
import { apiRequest, FIXTURE_PLAN_PATH, fixtureDocument, fixturePlan } from './support';

function capture(): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      isTty: false,
      colors: NO_COLORS,
    },
    out,
    err,
  };
}

function planFile(document: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-api-')), 'plan.yaml');
  writeFileSync(path, stringify(document));
  return path;
}

describe('switchyard serve, driven by the CLI over HTTP', () => {
  let client: DynamoDBClient;
  let api: LocalApi;
  const releaseId = 'shop-2026-12-01';

  beforeAll(async () => {
    client = dynamoDbLocalClient();
    api = await startLocalApi({ plan: fixturePlan(), seed: 3, dynamoDb: client, port: 0 });
  });
  afterAll(async () => {
    await api?.close();
    client?.destroy();
  });

  it('preflight: exit 0 when the fleet has everything the plan names, 6 naming each problem when not', async () => {
    const passed = capture();
    expect(await main(['preflight', FIXTURE_PLAN_PATH, '--api', api.url], passed.io)).toBe(0);
    expect(passed.out.join('\n')).toMatch(/preflight passed — \d+ checks, nothing in the way/);

    const document = fixtureDocument('shop-2026-12-01-preflight');
    document.services[1].traffic.canaryTargetGroup = 'api-canary-v2';
    const refused = capture();
    expect(await main(['preflight', planFile(document), '--api', api.url], refused.io)).toBe(6);
    expect(refused.out.join('\n')).toContain(
      'services[1].traffic.canaryTargetGroup (us-east-1): target group "api-canary-v2" not found in us-east-1',
    );
    const json = capture();
    expect(await main(['preflight', planFile(document), '--json', '--api', api.url], json.io)).toBe(6);
    expect(JSON.parse(json.out.join(''))).toMatchObject({
      ok: false,
      problems: [expect.any(Object), expect.any(Object)],
    });
  });

  it('start → watch → approve → SUCCEEDED; a second release meanwhile is refused, naming the holder', async () => {
    const start = capture();
    expect(await main(['start', FIXTURE_PLAN_PATH, '--api', api.url], start.io)).toBe(0);
    expect(start.out.join('\n')).toContain(`release ${releaseId} started (PENDING)`);

    const watch = ['status', releaseId, '--watch', '--interval', '0.05', '--api', api.url];
    const watcher = capture();
    const watching = main(watch, watcher.io);
    const terminal = capture();
    terminal.io.isTty = true;
    const watchingOnTerminal = main(watch, terminal.io);
    await vi.waitFor(() => expect(watcher.out).toContain(waitingLine('us-east-1')), {
      timeout: 20_000,
      interval: 50,
    });

    const second = capture();
    const secondPlan = planFile(fixtureDocument('shop-2026-12-01-hotfix'));
    expect(await main(['start', secondPlan, '--api', api.url], second.io)).toBe(5);
    expect(second.err.join('\n')).toMatch(
      new RegExp(`locked by release ${releaseId} since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z`),
    );
    const secondJson = capture();
    expect(await main(['start', secondPlan, '--json', '--api', api.url], secondJson.io)).toBe(5);
    expect(JSON.parse(secondJson.out.join(''))).toMatchObject({
      status: 409,
      error: 'LockHeld',
      holder: { releaseId, kind: 'release' },
    });

    const approveEast = capture();
    expect(await main(['approve', releaseId, '--api', api.url], approveEast.io)).toBe(0);
    expect(approveEast.out).toEqual(['approved us-east-1/api/step-1']);
    await vi.waitFor(() => expect(watcher.out).toContain(waitingLine('us-west-2')), {
      timeout: 20_000,
      interval: 50,
    });
    const approveWest = capture();
    expect(
      await main(
        ['approve', releaseId, '--approval', 'us-west-2/api/step-1', '--api', api.url],
        approveWest.io,
      ),
    ).toBe(0);

    expect(await watching).toBe(0);
    expect(await watchingOnTerminal).toBe(0);
    // On a terminal the board is drawn once, then redrawn in place (log-update moves the cursor
    // back over it); the last redraw says SUCCEEDED. test/cli/live-view.test.ts reads the screen.
    const [firstFrame, ...redrawn] = terminal.out;
    expect(firstFrame).toMatch(new RegExp(`^release ${releaseId}  (PENDING|RUNNING)`));
    expect(firstFrame).toMatch(/wave 1\n {2}us-east-1 \(shop-use1\)\n/);
    expect(redrawn.length).toBeGreaterThan(0);
    const esc = String.fromCharCode(27);
    for (const frame of redrawn) expect(frame.startsWith(esc)).toBe(true);
    expect(redrawn.join('')).toContain('SUCCEEDED');
    expect(watcher.out.at(-1)).toBe(`release ${releaseId}: RUNNING → SUCCEEDED`);
    // The plain (non-terminal) watch printed the audit as it came, the approvals among it.
    expect(watcher.out).toContainEqual(
      expect.stringMatching(/^\+\S+\s+us-east-1 api\s+approval given us-east-1\/api\/step-1 \(by /),
    );
    expect(watcher.out).toContainEqual(expect.stringMatching(/^\+\S+\s+- +- +release succeeded$/));

    const status = capture();
    expect(await main(['status', releaseId, '--json', '--api', api.url], status.io)).toBe(0);
    expect(JSON.parse(status.out.join(''))).toMatchObject({ status: 'SUCCEEDED', approvalsWaiting: [] });

    // Aborting a finished release cannot apply: exit 2 (5 is only for a held lock), naming the command that can.
    const abortFinished = capture();
    expect(await main(['abort', releaseId, '--api', api.url], abortFinished.io)).toBe(2);
    expect(abortFinished.err.join('\n')).toContain(
      `release ${releaseId} is SUCCEEDED: nothing is running to abort (switchyard rollback ${releaseId} rolls it back)`,
    );

    const list = capture();
    expect(await main(['list', '--api', api.url], list.io)).toBe(0);
    expect(list.out.join('\n')).toMatch(new RegExp(`${releaseId}\\s+release\\s+SUCCEEDED`));
  });

  it('answers bad bodies with a 4xx and a clear message, never a 500', async () => {
    const post = (body: string, contentType?: string) =>
      fetch(`${api.url}/releases`, {
        method: 'POST',
        body,
        headers: contentType ? { 'content-type': contentType } : {},
      });

    const oversized = await post(
      JSON.stringify({ padding: 'x'.repeat(MAX_BODY_BYTES + 1) }),
      'application/json',
    );
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toMatchObject({ error: 'PayloadTooLarge' });

    const wrongType = await post(JSON.stringify(fixtureDocument()), 'text/plain');
    expect(wrongType.status).toBe(415);
    expect((await wrongType.json()).message).toContain('send the body as application/json (got text/plain)');

    const badJson = await post('{"metadata": {"releaseId": ', 'application/json');
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).message).toContain('the body is not valid JSON');

    const document = fixtureDocument('shop-invalid');
    document.services[1].dependsOn = ['web'];
    const invalid = await post(JSON.stringify(document), 'application/json');
    expect(invalid.status).toBe(400);
    const problems = (await invalid.json()).problems as Array<{ path: string; message: string }>;
    expect(problems.map((problem) => problem.message).join('\n')).toMatch(/cycle/);

    const wrongMethod = await fetch(`${api.url}/releases/${releaseId}/approve`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await fetch(`${api.url}/nothing-here`)).status).toBe(404);
  });

  it('says clearly when there is no API to talk to', async () => {
    const closedPort = await freePort();
    const run = capture();
    expect(await main(['status', releaseId, '--api', `http://127.0.0.1:${closedPort}`], run.io)).toBe(1);
    expect(run.err.join('\n')).toContain('connection refused. Is `switchyard serve` running?');
  });
});

describe('switchyard serve --approve-after', () => {
  it('gives approvals on virtual time, so a release runs to the end with no one approving', async () => {
    const client = dynamoDbLocalClient();
    try {
      const backend = await createLocalBackend({
        plan: fixturePlan(),
        seed: 5,
        dynamoDb: client,
        autoApproveAfterSeconds: 120,
      });
      const started = await backend.handle(apiRequest('POST', '/releases', { body: fixtureDocument() }));
      expect(started.status).toBe(202);
      await backend.idle();
      const view = JSON.parse((await backend.handle(apiRequest('GET', '/releases/shop-2026-12-01'))).body);
      expect(view.status).toBe('SUCCEEDED');
      const given = view.audit.entries.filter(
        (entry: { action: string }) => entry.action === 'approval.given',
      );
      expect(given.map((entry: { actor: string }) => entry.actor)).toEqual(['rehearsal', 'rehearsal']);
    } finally {
      client.destroy();
    }
  });
});

describe('switchyard serve under concurrent submissions', () => {
  it('takes the lock at the door: of 20 different releases POSTed at once, one gets 202 and 19 get 409 naming it', async () => {
    const client = dynamoDbLocalClient();
    const api = await startLocalApi({ plan: fixturePlan(), seed: 9, dynamoDb: client, port: 0 });
    try {
      const ids = Array.from({ length: 20 }, (_, index) => `shop-concurrent-${index}`);
      const answers = await Promise.all(
        ids.map(async (id) => {
          const response = await fetch(`${api.url}/releases`, {
            method: 'POST',
            body: JSON.stringify(fixtureDocument(id)),
            headers: { 'content-type': 'application/json' },
          });
          return { id, status: response.status, body: await response.json() };
        }),
      );
      const started = answers.filter((answer) => answer.status === 202);
      expect(started).toHaveLength(1);
      const refused = answers.filter((answer) => answer.status === 409);
      expect(refused).toHaveLength(19);
      for (const answer of refused) {
        expect(answer.body).toMatchObject({ error: 'LockHeld', holder: { releaseId: started[0]!.id } });
      }
      const listed = await (await fetch(`${api.url}/releases?limit=50`)).json();
      expect(listed.releases.map((release: { releaseId: string }) => release.releaseId)).toEqual([
        started[0]!.id,
      ]);
    } finally {
      await api.close();
      client.destroy();
    }
  });
});

describe('switchyard serve (the command)', () => {
  it('refuses a bad port before starting anything', async () => {
    const run = capture();
    expect(await main(['serve', '--port', 'http'], run.io)).toBe(2);
    expect(run.err.join('\n')).toContain(
      "option '--port <port>' argument 'http' is invalid. expected a whole number from 0 to 65535",
    );
  });

  it('starts DynamoDB Local and the API, prints its URL, and stops both when told to', async () => {
    const run = capture();
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    // The test run's DynamoDB Local stands in for the one serve would start (seconds of JVM start).
    const dynamoDb = { endpoint: inject('dynamoDbLocalEndpoint'), stop: vi.fn(async () => {}) };
    const serving = serveCommand({ port: 0, plan: FIXTURE_PLAN_PATH, store: 'dynamodb-local' }, run.io, {
      until: () => stopped,
      startDynamoDb: async () => dynamoDb,
    });
    const url = await vi.waitFor(
      () => {
        const line = run.out.find((text) => text.startsWith('Switchyard API on '));
        if (!line) throw new Error('not listening yet');
        return line.slice('Switchyard API on '.length).split('\n')[0]!;
      },
      { timeout: 30_000, interval: 50 },
    );
    expect(run.out.join('\n')).toContain('fleet: 3 services in us-east-1, us-west-2');
    expect(run.out.join('\n')).toContain('approvals wait for a person');
    const listed = await fetch(`${url}/releases`);
    expect(await listed.json()).toEqual({ releases: [], queue: [] });

    expect(dynamoDb.stop).not.toHaveBeenCalled();
    stop();
    expect(await serving).toBe(0);
    expect(dynamoDb.stop).toHaveBeenCalledOnce();
    await expect(fetch(`${url}/releases`)).rejects.toThrow();
  });
});

function waitingLine(region: string): string {
  return `waiting for approval: ${region}/api/step-1 (switchyard approve shop-2026-12-01)`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
