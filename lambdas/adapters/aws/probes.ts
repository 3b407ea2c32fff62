/**
 * Active probes run from the Lambda itself. A failed probe is a result (ok: false with what was
 * seen), never an exception: the analysis counts it like any other failed check.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseDuration } from '../../core/duration';
import type { CheckPlan } from '../../core/plan/schema';
import type { ProbeResult } from '../../ports/index';

export type HttpCheckPlan = Extract<CheckPlan, { type: 'http' }>;
export type TcpCheckPlan = Extract<CheckPlan, { type: 'tcp' }>;

const DEFAULT_HTTP_TIMEOUT = '5s';
const DEFAULT_TCP_TIMEOUT = '3s';

export async function httpProbe(check: HttpCheckPlan): Promise<ProbeResult> {
  const { timeout } = check;
  const started = performance.now();
  const result = (ok: boolean, detail: string): ProbeResult => ({
    ok,
    detail,
    latencyMs: elapsedMs(started),
  });

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs(timeout, DEFAULT_HTTP_TIMEOUT));
  try {
    // The timeout covers the whole exchange, body included. A redirect is an answer, not
    // followed: the plan checks the probe's target, and a redirect could lead anywhere (the
    // instance metadata address, say). A 3xx passes when it is the expected status.
    const response = await fetch(check.url, {
      signal: controller.signal,
      headers: { 'user-agent': 'switchyard-probe' },
      redirect: 'manual',
    });
    if (response.status !== check.expectStatus) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      const redirect =
        isRedirect(response.status) && location !== null ? ` (to ${location}, not followed)` : '';
      return result(
        false,
        `GET ${check.url} answered ${response.status}${redirect}, expected ${check.expectStatus}`,
      );
    }
    if (check.bodyContains === undefined) {
      await response.body?.cancel();
    } else if (!(await response.text()).includes(check.bodyContains)) {
      return result(
        false,
        `GET ${check.url} answered ${response.status} without "${check.bodyContains}" in its body`,
      );
    }
    return result(true, `GET ${check.url} answered ${response.status}`);
  } catch (error) {
    if (controller.signal.aborted) return result(false, `GET ${check.url} did not answer within ${timeout}`);
    return result(false, `GET ${check.url} failed: ${fetchFailure(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

export function tcpProbe(check: TcpCheckPlan): Promise<ProbeResult> {
  const { timeout } = check;
  const address = `${check.host}:${check.port}`;
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: check.host, port: check.port });
    let settled = false;
    const finish = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok, detail, latencyMs: elapsedMs(started) });
    };
    const timer = setTimeout(
      () => finish(false, `no connection to ${address} within ${timeout}`),
      timeoutMs(timeout, DEFAULT_TCP_TIMEOUT),
    );
    socket.once('connect', () => finish(true, `connected to ${address}`));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(false, `connection to ${address} failed: ${error.code ?? error.message}`),
    );
  });
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** The plan's timeout in ms; the schema's default if the text does not parse. */
function timeoutMs(timeout: string, fallback: string): number {
  return (parseDuration(timeout) ?? parseDuration(fallback)!) * 1000;
}

function elapsedMs(started: number): number {
  return Math.round(performance.now() - started);
}

/** fetch reports "fetch failed" and keeps the useful part (ECONNREFUSED, a DNS error…) in `cause`. */
function fetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error.message;
}
