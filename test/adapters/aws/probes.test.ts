import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe, tcpProbe } from '../../../lambdas/adapters/aws/probes';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createHttpServer((request, response) => {
    switch (request.url) {
      case '/healthz':
        response.writeHead(200, { 'content-type': 'text/plain' }).end('status: ready\n');
        return;
      case '/unavailable':
        response.writeHead(503).end('draining');
        return;
      case '/redirect':
        response.writeHead(302, { location: '/healthz' }).end();
        return;
      case '/to-metadata':
        response.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        return;
      case '/slow-headers':
        return; // never answers
      case '/slow-body':
        response.writeHead(200).write('status: '); // never finishes the body
        return;
      default:
        response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const http = (
  path: string,
  extra: { expectStatus?: number; bodyContains?: string; timeout?: string } = {},
) => ({
  type: 'http' as const,
  url: `${base}${path}`,
  expectStatus: extra.expectStatus ?? 200,
  timeout: extra.timeout ?? '5s',
  ...(extra.bodyContains !== undefined && { bodyContains: extra.bodyContains }),
});

describe('httpProbe', () => {
  it('passes on the expected status and body', async () => {
    const result = await httpProbe(http('/healthz', { bodyContains: 'ready' }));
    expect(result.ok).toBe(true);
    expect(result.detail).toBe(`GET ${base}/healthz answered 200`);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('fails on another status', async () => {
    const result = await httpProbe(http('/unavailable'));
    expect(result).toMatchObject({ ok: false, detail: `GET ${base}/unavailable answered 503, expected 200` });
  });

  it('passes on an expected non-200 status', async () => {
    expect((await httpProbe(http('/unavailable', { expectStatus: 503 }))).ok).toBe(true);
  });

  it('does not follow a redirect: it fails unless the redirect is the expected status', async () => {
    const result = await httpProbe(http('/redirect', { bodyContains: 'ready' }));
    expect(result).toMatchObject({
      ok: false,
      detail: `GET ${base}/redirect answered 302 (to /healthz, not followed), expected 200`,
    });
    expect((await httpProbe(http('/redirect', { expectStatus: 302 }))).ok).toBe(true);
  });

  it('does not follow a redirect to the instance metadata address, which the plan check never saw', async () => {
    const result = await httpProbe(http('/to-metadata'));
    expect(result).toMatchObject({
      ok: false,
      detail: `GET ${base}/to-metadata answered 307 (to http://169.254.169.254/latest/meta-data/, not followed), expected 200`,
    });
  });

  it('fails when the body lacks the expected text', async () => {
    const result = await httpProbe(http('/healthz', { bodyContains: 'status: live' }));
    expect(result).toMatchObject({
      ok: false,
      detail: `GET ${base}/healthz answered 200 without "status: live" in its body`,
    });
  });

  it('fails when the server does not answer in time, headers or body', async () => {
    const [headers, body] = await Promise.all([
      httpProbe(http('/slow-headers', { timeout: '1s' })),
      httpProbe(http('/slow-body', { timeout: '1s', bodyContains: 'ready' })),
    ]);
    expect(headers).toMatchObject({ ok: false, detail: `GET ${base}/slow-headers did not answer within 1s` });
    expect(body).toMatchObject({ ok: false, detail: `GET ${base}/slow-body did not answer within 1s` });
  });

  it('fails when the connection is refused', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/healthz`;
    const result = await httpProbe({ type: 'http', url, expectStatus: 200, timeout: '5s' });
    expect(result).toMatchObject({ ok: false, detail: `GET ${url} failed: ECONNREFUSED` });
  });
});

describe('tcpProbe', () => {
  it('passes when a connection is accepted', async () => {
    const port = (server.address() as AddressInfo).port;
    const result = await tcpProbe({ type: 'tcp', host: '127.0.0.1', port, timeout: '3s' });
    expect(result).toMatchObject({ ok: true, detail: `connected to 127.0.0.1:${port}` });
  });

  it('fails when the port is closed', async () => {
    const port = await closedPort();
    const result = await tcpProbe({ type: 'tcp', host: '127.0.0.1', port, timeout: '3s' });
    expect(result).toMatchObject({
      ok: false,
      detail: `connection to 127.0.0.1:${port} failed: ECONNREFUSED`,
    });
  });
});
