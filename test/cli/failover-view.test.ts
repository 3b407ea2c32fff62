import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli';
import { renderView } from '../../bin/cli/api-commands';
import { recordingIo } from '../../bin/cli/io';
import type { FailoverStarted } from '../../lambdas/api/failover';
import type { FailoverView } from '../../lambdas/api/release-view';

const view: FailoverView = {
  kind: 'failover',
  releaseId: 'failover-us-west-2-20261201T101500Z',
  direction: 'failover',
  region: 'us-west-2',
  status: 'SUCCEEDED',
  createdAt: '2026-12-01T10:15:00.000Z',
  updatedAt: '2026-12-01T10:19:00.000Z',
  submittedBy: 'arn:aws:iam::111122223333:user/alice',
  planReleaseId: 'platform-2026-11-22',
  execution: {
    executionArn: 'arn:aws:states:us-east-1:111122223333:execution:failover:failover-us-west-2',
    consoleUrl: null,
  },
  weightsBefore: { 'us-east-1': 100, 'us-west-2': 100 },
  weightsAfter: { 'us-east-1': 200, 'us-west-2': 0 },
  replicas: [
    { region: 'us-east-1', service: 'auth', before: 6, after: 12 },
    { region: 'us-east-1', service: 'api-gateway', before: 6, after: 12 },
  ],
  unscaled: [
    { region: 'us-east-1', service: 'postgres', reason: 'strategy recreate' },
    { region: 'us-east-1', service: 'leader', reason: 'failover.scale false' },
  ],
  audit: { entries: [], lastSeq: 0 },
};

describe('switchyard status of a failover', () => {
  it('names who asked for it and lists every replica change', () => {
    const text = renderView(view, [], view.releaseId);
    expect(text).toContain('requested 2026-12-01T10:15:00.000Z by arn:aws:iam::111122223333:user/alice');
    expect(text).toContain('DNS weights us-east-1 100, us-west-2 100 → us-east-1 200, us-west-2 0');
    expect(text).toMatch(/auth\s+6 → 12/);
    expect(text).toMatch(/api-gateway\s+6 → 12/);
  });

  it('lists the services it left alone, with why', () => {
    const text = renderView(view, [], view.releaseId);
    expect(text).toMatch(
      /left alone\n\s+us-east-1\s+postgres\s+strategy recreate\n\s+us-east-1\s+leader\s+failover.scale false/,
    );
  });

  it('says so when no replica changed, and lists nothing left alone for a record that does not say', () => {
    const { unscaled: _unscaled, ...older } = view;
    const text = renderView({ ...older, replicas: [] }, [], view.releaseId);
    expect(text).toContain('replicas   unchanged');
    expect(text).not.toContain('left alone');
  });
});

/** A stand-in API: the start answer, then the failover's view once its record exists. */
async function fakeApi(notRecordedFor: number) {
  const started: FailoverStarted = {
    failoverId: view.releaseId,
    direction: 'failover',
    region: 'us-west-2',
    planReleaseId: view.planReleaseId,
    requestedBy: 'alice',
    execution: view.execution,
    started: true,
  };
  let gets = 0;
  const server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'POST' && request.url === '/failover') return answer(202, started);
    if (request.method === 'GET' && request.url?.startsWith(`/releases/${view.releaseId}`)) {
      gets++;
      return gets <= notRecordedFor ? answer(404, { message: 'no release' }) : answer(200, view);
    }
    answer(404, { message: `no route ${request.url}` });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gets: () => gets,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('switchyard failover', () => {
  it('on start, waits for the recorded plan and lists every replica change and what it left alone', async () => {
    const api = await fakeApi(1);
    const out: string[] = [];
    try {
      const code = await main(
        ['failover', 'us-west-2', '--api', api.url],
        recordingIo({ stdout: (text) => out.push(text), stderr: (text) => out.push(text) }),
      );
      expect(code).toBe(0);
    } finally {
      await api.close();
    }
    expect(api.gets()).toBe(2);
    const text = out.join('\n');
    expect(text).toContain(`failover of us-west-2 started: ${view.releaseId}`);
    expect(text).toContain('DNS weights us-east-1 100, us-west-2 100 → us-east-1 200, us-west-2 0');
    expect(text).toMatch(/replicas\n\s+us-east-1\s+auth\s+6 → 12\n\s+us-east-1\s+api-gateway\s+6 → 12/);
    expect(text).toMatch(/us-east-1\s+postgres\s+strategy recreate/);
    expect(text).toContain(`follow it: switchyard status ${view.releaseId} --watch --api ${api.url}`);
  });

  it('with --json, prints the start answer as the API gave it', async () => {
    const api = await fakeApi(0);
    const out: string[] = [];
    try {
      await main(
        ['failover', 'us-west-2', '--api', api.url, '--json'],
        recordingIo({ stdout: (text) => out.push(text), stderr: (text) => out.push(text) }),
      );
    } finally {
      await api.close();
    }
    expect(api.gets()).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ failoverId: view.releaseId, started: true });
  });
});
