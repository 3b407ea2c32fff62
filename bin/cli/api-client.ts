/**
 * The CLI's client of the Switchyard HTTP API. Requests to API Gateway
 * (`<id>.execute-api.<region>.amazonaws.com`) are SigV4-signed for `execute-api` with the
 * standard AWS credential chain (environment, profiles and SSO, container and instance roles);
 * requests to anything else — `switchyard serve` on localhost — go unsigned.
 */
import { userInfo } from 'node:os';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ExitCode, UserError } from './errors';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';
export const API_URL_VARIABLE = 'SWITCHYARD_API';
/** Who a local API records in the audit: `switchyard serve` has no authentication to tell. */
export const ACTOR_HEADER = 'x-switchyard-actor';

/** `abc123.execute-api.eu-west-1.amazonaws.com` (or `.amazonaws.com.cn`) → its region. */
const API_GATEWAY_HOST = /^[a-z0-9]+\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

export function apiGatewayRegion(hostname: string): string | undefined {
  return API_GATEWAY_HOST.exec(hostname.toLowerCase())?.[1];
}

export interface ApiAnswer {
  status: number;
  /** The parsed JSON body; the text when it is not JSON (e.g. a proxy's error page). */
  body: unknown;
}

/**
 * The API could not be reached. `transient` when trying again may help: refused or reset
 * connections (a restarting `serve`, a load balancer between deployments), timeouts, a DNS
 * server that did not answer. A host that does not exist is not transient.
 */
export class ApiUnreachableError extends UserError {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message, ExitCode.internal);
  }

  get transient(): boolean {
    return this.code !== undefined && TRANSIENT_CONNECTION_CODES.has(this.code);
  }
}

const TRANSIENT_CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export interface ApiClientOptions {
  /** Credentials for signing; the default chain is loaded only when a request is signed. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}

export class ApiClient {
  readonly base: URL;
  private readonly signingRegion: string | undefined;
  private signer: SignatureV4 | undefined;

  constructor(
    baseUrl: string,
    private readonly options: ApiClientOptions = {},
  ) {
    this.base = parseApiUrl(baseUrl);
    this.signingRegion = apiGatewayRegion(this.base.hostname);
  }

  get signed(): boolean {
    return this.signingRegion !== undefined;
  }

  /** `timeoutMs`: give up on an answer that has not come by then (as ETIMEDOUT). */
  async get(
    path: string,
    query: Record<string, string | number | undefined> = {},
    options: { timeoutMs?: number } = {},
  ): Promise<ApiAnswer> {
    return this.send('GET', path, undefined, query, options.timeoutMs);
  }

  async post(
    path: string,
    body?: unknown,
    query: Record<string, string | number | undefined> = {},
  ): Promise<ApiAnswer> {
    return this.send('POST', path, body, query);
  }

  /** The request as it will be sent: URL and headers, signed when the API is API Gateway. */
  async prepare(
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string | number | undefined> = {},
  ): Promise<{ url: URL; headers: Record<string, string>; body: string | undefined }> {
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}${path}`, this.base);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (text !== undefined) headers['content-type'] = 'application/json';
    if (!this.signingRegion) {
      headers[ACTOR_HEADER] = localActor();
      return { url, headers, body: text };
    }
    const request = new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port && { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      ...(text !== undefined && { body: text }),
    });
    const signed = await this.signerFor(this.signingRegion).sign(request);
    // fetch sets Host itself, from the same URL.
    const { host: _host, ...signedHeaders } = signed.headers;
    return { url, headers: signedHeaders, body: text };
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string | number | undefined> = {},
    timeoutMs?: number,
  ): Promise<ApiAnswer> {
    const prepared = await this.prepare(method, path, body, query);
    let response: Response;
    let text: string;
    try {
      response = await (this.options.fetch ?? fetch)(prepared.url, {
        method,
        headers: prepared.headers,
        ...(prepared.body !== undefined && { body: prepared.body }),
        ...(timeoutMs !== undefined && { signal: AbortSignal.timeout(timeoutMs) }),
      });
      text = await response.text();
    } catch (error) {
      throw this.unreachable(error);
    }
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the message.
    }
    return { status: response.status, body: parsed };
  }

  private signerFor(region: string): SignatureV4 {
    this.signer ??= new SignatureV4({
      service: 'execute-api',
      region,
      sha256: Sha256,
      credentials: this.options.credentials ?? defaultCredentials(this.base.hostname),
    });
    return this.signer;
  }

  private unreachable(error: unknown): UserError {
    const timedOut = (error as Error)?.name === 'TimeoutError';
    const code = timedOut ? 'ETIMEDOUT' : (error as { cause?: { code?: string } }).cause?.code;
    const where = `the Switchyard API at ${this.base.origin}`;
    switch (code) {
      case 'ECONNREFUSED':
        return new ApiUnreachableError(
          `cannot reach ${where}: connection refused. Is \`switchyard serve\` running? (or pass --api <url>, or set ${API_URL_VARIABLE})`,
          code,
        );
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new ApiUnreachableError(`cannot reach ${where}: host ${this.base.hostname} not found`, code);
      default:
        if (error instanceof UserError) return error;
        return new ApiUnreachableError(
          `cannot reach ${where}: ${timedOut ? 'no answer in time' : (code ?? (error as Error).message)}`,
          code,
        );
    }
  }
}

/** The standard chain, loaded on first use; a missing credential becomes a plain message. */
function defaultCredentials(hostname: string): AwsCredentialIdentityProvider {
  let provider: AwsCredentialIdentityProvider | undefined;
  return async () => {
    if (!provider) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      provider = fromNodeProviderChain();
    }
    try {
      return await provider();
    } catch (error) {
      throw new UserError(
        `no AWS credentials to sign requests to ${hostname}: ${(error as Error).message} (set AWS_PROFILE, or run aws sso login)`,
      );
    }
  };
}

export function parseApiUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`--api must be a URL such as ${DEFAULT_API_URL}, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserError(`--api must be an http or https URL, not "${text}"`);
  return url;
}

/** --api, else $SWITCHYARD_API, else the local `switchyard serve`. */
export function resolveApiUrl(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? (env[API_URL_VARIABLE] || DEFAULT_API_URL);
}

function localActor(): string {
  try {
    return userInfo().username;
  } catch {
    return 'local';
  }
}
