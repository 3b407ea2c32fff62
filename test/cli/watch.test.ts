/**
 * `status --watch` against a stand-in API on real HTTP that stumbles: 503s, a 429, connections
 * cut, an answer that does not come in time. The watch rides them out and says so on stderr,
 * gives up (exit 1) only after its bound, and ends at once on a 404.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli';
import { ApiClient } from '../../bin/cli/api-client';
import { UserError } from '../../bin/cli/errors';
import { recordingIo } from '../../bin/cli/io';
import { type RetryPolicy, watch } from '../../bin/cli/watch';
import type { ReleaseView } from '../../lambdas/api/release-view';

const RELEASE_ID = 'shop-2026-12-02';

function view(status: ReleaseView['status'], entries: ReleaseView['audit']['entries'] = []): ReleaseView {
  return {
    kind: 'release',
    releaseId: RELEASE_ID,
    status,
    createdAt: '2026-12-02T10:00:00.000Z',
    updatedAt: '2026-12-02T10:05:00.000Z',
    execution: {
      executionArn: 'arn:aws:states:us-east-1:111122223333:execution:release:shop',
      consoleUrl: null,
    },
    waves: [
      {
        wave: 1,
        regions: [
          {
            region: 'us-east-1',
            cluster: 'shop-use1',
            services: [
              {
                service: 'api',
                strategy: 'canary',
                image: 'registry.example.com/shop/api:2.0.0',
                status: status === 'SUCCEEDED' ? 'COMPLETED' : 'VALIDATING',
                step: { index: 1, count: 4, kind: 'analysis' },
                weights: { stable: 80, canary: 20 },
                verdict: null,
                checks: { passed: 0, failed: 0 },
              },
            ],
          },
        ],
      },
    ],
    approvalsWaiting: [],
    audit: { entries, lastSeq: entries.at(-1)?.seq ?? 0 },
  };
}

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

const json =
  (status: number, body: unknown): Answer =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
const cut: Answer = (request) => request.socket.destroy();
const late =
  (ms: number, then: Answer): Answer =>
  (request, response) => {
    setTimeout(() => then(request, response), ms);
  };

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** Answers GETs of the release one after another from `answers`, the last one for ever. */
async function stumblingApi(answers: Answer[]): Promise<{ url: string; asked: () => number }> {
  let asked = 0;
  const server = createServer((request, response) => {
    const answer = answers[Math.min(asked, answers.length - 1)]!;
    asked++;
    answer(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push({ close: () => server.close() });
  server.unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked: () => asked };
}

const FAST: RetryPolicy = {
  firstDelayMs: 10,
  maxDelayMs: 40,
  giveUpAfterMs: 2_000,
  requestTimeoutMs: 300,
  random: () => 0.5,
};

const entry = (seq: number, action: 'service.started' | 'step.completed', detail = {}) => ({
  releaseId: RELEASE_ID,
  seq,
  key: `k${seq}`,
  at: `2026-12-02T10:0${seq}:00.000Z`,
  action,
  actor: 'switchyard',
  region: 'us-east-1',
  service: 'api',
  detail,
});

describe('status --watch when the API stumbles', () => {
  it('asks again after 503, 429, a cut connection and a late answer, saying so, then follows to the end', async () => {
    const api = await stumblingApi([
      json(200, view('RUNNING', [entry(1, 'service.started', { strategy: 'canary', steps: 4 })])),
      json(503, { message: 'Service Unavailable' }),
      json(429, { message: 'Too Many Requests' }),
      cut,
      late(1_000, json(200, view('RUNNING'))),
      json(200, view('RUNNING', [entry(2, 'step.completed', { stepIndex: 0, kind: 'setWeight' })])),
      json(200, view('SUCCEEDED')),
    ]);
    const io = recordingIo();
    expect(await watch(new ApiClient(api.url), RELEASE_ID, io, 5, false, FAST)).toBe(0);
    expect(api.asked()).toBe(7);
    expect(io.err).toHaveLength(4);
    expect(io.err[0]).toMatch(
      /^status --watch: the API answered 503 \(Service Unavailable\); asking again in 1s \(attempt 2\)$/,
    );
    expect(io.err[1]).toMatch(
      /^status --watch: the API answered 429 \(Too Many Requests\); asking again in .* \(attempt 3\)$/,
    );
    expect(io.err[2]).toMatch(
      /cannot reach the Switchyard API at http:\/\/127\.0\.0\.1:\d+: .*; asking again .* \(attempt 4\)$/,
    );
    expect(io.err[3]).toMatch(/: no answer in time; asking again .* \(attempt 5\)$/);
    // Nothing was lost or repeated across the failures: each entry once, then the end.
    expect(io.out).toEqual([
      '+1m       us-east-1 api started: canary, 4 steps',
      `release ${RELEASE_ID}: RUNNING`,
      '+2m       us-east-1 api step 1/4 setWeight done',
      `release ${RELEASE_ID}: RUNNING → SUCCEEDED`,
    ]);
  });

  it('gives up with exit 1 once the bound passes without an answer', async () => {
    const api = await stumblingApi([json(502, 'Bad Gateway')]);
    const io = recordingIo();
    const watching = watch(new ApiClient(api.url), RELEASE_ID, io, 5, false, { ...FAST, giveUpAfterMs: 200 });
    const error = await watching.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(1);
    expect((error as UserError).message).toMatch(
      /^status --watch gave up after \d+ attempt\(s\) over \d+s without an answer: the API answered 502 \(Bad Gateway\)$/,
    );
    expect(api.asked()).toBeGreaterThan(2);
    expect(io.err.length).toBe(api.asked() - 1);
  });

  it('ends at once on a 404, as a request that cannot apply (exit 2)', async () => {
    const api = await stumblingApi([json(404, { error: 'NotFound', message: `no release ${RELEASE_ID}` })]);
    const io = recordingIo();
    expect(await main(['status', RELEASE_ID, '--watch', '--interval', '0.05', '--api', api.url], io)).toBe(2);
    expect(api.asked()).toBe(1);
    expect(io.err.join('\n')).toContain(`no release ${RELEASE_ID}`);
    expect(io.err.join('\n')).not.toContain('asking again');
  });
});
