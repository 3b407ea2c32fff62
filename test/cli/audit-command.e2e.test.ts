/**
 * `switchyard audit` against the real local API (`switchyard serve`'s server on a free port,
 * the local engine and DynamoDB Local): a finished release's ledger, read a few entries a page,
 * comes out whole, in seq order, with no gaps where the pages meet.
 */
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli';
import { auditCommand } from '../../bin/cli/audit-command';
import { UserError } from '../../bin/cli/errors';
import { recordingIo } from '../../bin/cli/io';
import { type LocalApi, startLocalApi } from '../../bin/cli/serve-command';
import { parseDocumentText } from '../../lambdas/core/plan/load';
import type { AuditEntry } from '../../lambdas/ports';
import { fixturePlan } from '../rehearsal/fixtures/rehearsal';
import { dynamoDbLocalClient } from '../support/dynamodb';

const PLAN_URL = new URL('../rehearsal/fixtures/canary.yaml', import.meta.url);
const RELEASE_ID = 'fixture-canary';

/** Runs the command as a user's UserError would reach them: message and exit code. */
async function run(
  releaseId: string,
  options: Parameters<typeof auditCommand>[1],
): Promise<{ code: number; out: string[]; err: string[] }> {
  const io = recordingIo();
  try {
    return { code: await auditCommand(releaseId, options, io), out: io.out, err: io.err };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    io.stderr(error.message);
    return { code: error.exitCode, out: io.out, err: io.err };
  }
}

describe('switchyard audit, over HTTP from the local API', () => {
  let client: DynamoDBClient;
  let api: LocalApi;
  /** The ledger as the API holds it, read in one request. */
  let ledger: AuditEntry[];

  beforeAll(async () => {
    client = dynamoDbLocalClient();
    api = await startLocalApi({ plan: fixturePlan('canary').plan, seed: 2, dynamoDb: client, port: 0 });
    const parsed = parseDocumentText(readFileSync(PLAN_URL, 'utf8'));
    if (!parsed.ok) throw new Error('the canary fixture does not parse');
    const started = await fetch(`${api.url}/releases`, {
      method: 'POST',
      body: JSON.stringify(parsed.raw),
      headers: { 'content-type': 'application/json' },
    });
    expect(started.status).toBe(202);
    await api.backend.idle();
    const view = await (await fetch(`${api.url}/releases/${RELEASE_ID}?auditAfter=0&auditLimit=500`)).json();
    expect(view.status).toBe('SUCCEEDED');
    ledger = view.audit.entries;
  });
  afterAll(async () => {
    await api?.close();
    client?.destroy();
  });

  it('prints every entry, one line each, in seq order with no gaps across pages of 7', async () => {
    // Enough entries that pages of 7 meet many times, and the last page is short.
    expect(ledger.length).toBeGreaterThan(30);
    const result = await run(RELEASE_ID, { api: api.url, pageSize: 7 });
    expect(result.code).toBe(0);
    expect(result.err).toEqual([]);
    expect(result.out).toHaveLength(ledger.length);
    const seqs = result.out.map((line) => Number(/^\s*(\d+) /.exec(line)?.[1]));
    expect(seqs).toEqual(ledger.map((_, index) => index + 1));
    // Each line carries the entry's time, action, where and who.
    result.out.forEach((line, index) => {
      const entry = ledger[index]!;
      expect(line).toContain(entry.at);
      expect(line).toContain(` ${entry.action}`);
      expect(line).toContain(`(${entry.actor})`);
      if (entry.service) expect(line).toContain(`${entry.region} ${entry.service}`);
    });
    const shift = result.out.find((line) => line.includes('traffic.shifted'));
    expect(shift).toMatch(
      /us-east-1 (auth|web)\s+traffic\.shifted {2}stable \d+ \/ canary \d+ {2}\(switchyard\)$/,
    );
    expect(result.out.find((line) => line.includes('step.completed'))).toMatch(
      /step\.completed {2}step 1 setWeight/,
    );
  });

  it('--json: one document holding every entry as the API stores it, whatever the page size', async () => {
    for (const pageSize of [5, ledger.length, 500]) {
      const result = await run(RELEASE_ID, { api: api.url, json: true, pageSize });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.out.join('\n'))).toEqual({ releaseId: RELEASE_ID, entries: ledger });
    }
  });

  it('--limit prints the oldest N and says there may be more; a limit past the end prints all', async () => {
    const limited = await run(RELEASE_ID, { api: api.url, limit: 10, pageSize: 4 });
    expect(limited.code).toBe(0);
    expect(limited.out.map((line) => Number(/^\s*(\d+) /.exec(line)?.[1]))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(limited.err).toEqual(['(the first 10 entries: --limit 10; there may be more)']);

    const json = await run(RELEASE_ID, { api: api.url, json: true, limit: 3 });
    expect(JSON.parse(json.out.join('\n')).entries).toEqual(ledger.slice(0, 3));

    const all = await run(RELEASE_ID, { api: api.url, limit: 100_000 });
    expect(all.out).toHaveLength(ledger.length);
    expect(all.err).toEqual([]);
  });

  it('an unknown release exits 2 naming `switchyard list`; --json gives the API answer', async () => {
    const missing = await run('no-such-release', { api: api.url });
    expect(missing.code).toBe(2);
    expect(missing.out).toEqual([]);
    expect(missing.err.join('\n')).toBe(
      `no release no-such-release at ${api.url}: switchyard list --api ${api.url} shows the releases there are`,
    );
    const json = await run('no-such-release', { api: api.url, json: true });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out.join(''))).toMatchObject({ status: 404, error: 'NotFound' });
  });

  it('refuses a --limit out of bounds before asking the API: exit 2', async () => {
    for (const limit of ['0', '100001', '5m', '1e3']) {
      const io = recordingIo();
      expect(await main(['audit', RELEASE_ID, '--api', 'http://127.0.0.1:1', '--limit', limit], io)).toBe(2);
      expect(io.err.join('\n')).toContain('expected a whole number from 1 to 100000');
    }
  });

  it('says so when the API cannot be reached (exit 1)', async () => {
    const result = await run(RELEASE_ID, { api: `http://127.0.0.1:${await closedPort()}` });
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain('connection refused');
  });

  it('end to end as `switchyard audit --limit 5 --json`', async () => {
    const io = recordingIo();
    expect(await main(['audit', RELEASE_ID, '--api', api.url, '--limit', '5', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out.join('\n')).entries).toEqual(ledger.slice(0, 5));
  });
});

/** A port nothing listens on: one the system gave out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
