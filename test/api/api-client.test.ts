/**
 * The CLI's API client: SigV4 for API Gateway URLs, checked against an independent computation
 * of the signature; nothing signed for localhost.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ACTOR_HEADER, ApiClient, apiGatewayRegion, resolveApiUrl } from '../../bin/cli/api-client';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};

function recordingFetch() {
  return vi.fn(
    async (_url: URL | RequestInfo, _init?: RequestInit) =>
      new Response('{"releases":[]}', { status: 200, headers: { 'content-type': 'application/json' } }),
  );
}

function sentHeaders(fetchMock: ReturnType<typeof recordingFetch>): Record<string, string> {
  return fetchMock.mock.calls[0]![1]!.headers as Record<string, string>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/** SigV4 as AWS documents it, for execute-api, written out independently of the client. */
function expectedSignature(options: {
  method: string;
  host: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  signedHeaders: string[];
  body: string;
  region: string;
}): string {
  const amzDate = options.headers['x-amz-date']!;
  const day = amzDate.slice(0, 8);
  const all: Record<string, string> = { ...options.headers, host: options.host };
  const canonicalRequest = [
    options.method,
    options.path,
    options.query,
    ...options.signedHeaders.map((name) => `${name}:${all[name]!.trim()}`),
    '',
    options.signedHeaders.join(';'),
    sha256(options.body),
  ].join('\n');
  const scope = `${day}/${options.region}/execute-api/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [options.region, 'execute-api', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('the API client', () => {
  it('signs requests to API Gateway with SigV4 for execute-api in the region of the host', async () => {
    const fetchMock = recordingFetch();
    const host = 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
    const client = new ApiClient(`https://${host}/prod`, { credentials, fetch: fetchMock as typeof fetch });
    const plan = { metadata: { releaseId: 'shop-1' } };
    await client.post('/releases', plan);

    const [url, init] = fetchMock.mock.calls[0]!;
    expect(String(url)).toBe(`https://${host}/prod/releases`);
    const headers = sentHeaders(fetchMock);
    const authorization = headers.authorization!;
    const match =
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    expect(match, authorization).not.toBeNull();
    const signedHeaders = match![2]!.split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
    expect(headers['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(headers[ACTOR_HEADER]).toBeUndefined();
    expect(init?.body).toBe(JSON.stringify(plan));
    expect(match![3]).toBe(
      expectedSignature({
        method: 'POST',
        host,
        path: '/prod/releases',
        query: '',
        headers,
        signedHeaders,
        body: JSON.stringify(plan),
        region: 'eu-west-1',
      }),
    );
  });

  it('signs the query string too', async () => {
    const fetchMock = recordingFetch();
    const host = 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';
    const client = new ApiClient(`https://${host}/prod/`, { credentials, fetch: fetchMock as typeof fetch });
    await client.get('/releases', { status: 'RUNNING', limit: 5, cursor: undefined });
    expect(String(fetchMock.mock.calls[0]![0])).toBe(`https://${host}/prod/releases?status=RUNNING&limit=5`);
    const headers = sentHeaders(fetchMock);
    const [, signed, signature] = /SignedHeaders=([^,]+), Signature=(\w+)/.exec(headers.authorization!)!;
    expect(signature).toBe(
      expectedSignature({
        method: 'GET',
        host,
        path: '/prod/releases',
        query: 'limit=5&status=RUNNING',
        headers,
        signedHeaders: signed!.split(';'),
        body: '',
        region: 'us-east-1',
      }),
    );
  });

  it('sends requests to localhost unsigned, naming the local user for the audit', async () => {
    const fetchMock = recordingFetch();
    const loadCredentials = vi.fn(async () => credentials);
    const client = new ApiClient('http://127.0.0.1:8080', {
      credentials: loadCredentials,
      fetch: fetchMock as typeof fetch,
    });
    expect(client.signed).toBe(false);
    await client.post('/releases/shop-1/approve');
    const headers = sentHeaders(fetchMock);
    expect(headers.authorization).toBeUndefined();
    expect(Object.keys(headers).some((name) => name.startsWith('x-amz-'))).toBe(false);
    expect(headers[ACTOR_HEADER]).toEqual(expect.any(String));
    expect(loadCredentials).not.toHaveBeenCalled();
  });

  it('tells API Gateway hosts by their name, and picks the URL from --api, $SWITCHYARD_API, or the local default', () => {
    expect(apiGatewayRegion('a1b2c3d4e5.execute-api.us-gov-west-1.amazonaws.com')).toBe('us-gov-west-1');
    expect(apiGatewayRegion('a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn')).toBe('cn-north-1');
    expect(apiGatewayRegion('localhost')).toBeUndefined();
    expect(apiGatewayRegion('deploy.example.com')).toBeUndefined();

    expect(resolveApiUrl('http://127.0.0.1:9000', { SWITCHYARD_API: 'https://x.example' })).toBe(
      'http://127.0.0.1:9000',
    );
    expect(resolveApiUrl(undefined, { SWITCHYARD_API: 'https://x.example' })).toBe('https://x.example');
    expect(resolveApiUrl(undefined, {})).toBe('http://127.0.0.1:8080');
    expect(() => new ApiClient('ftp://example.com')).toThrow(/http or https/);
  });
});
