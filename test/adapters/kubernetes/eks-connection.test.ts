import { createHash, createHmac } from 'node:crypto';
import {
  DescribeClusterCommand,
  EKSClient,
  ResourceNotFoundException,
  ServerException,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AwsCredentials,
  createEksConnector,
  createEksToken,
} from '../../../lambdas/adapters/kubernetes/eks-connection';
import { NotFoundError, TransientClusterError } from '../../../lambdas/core/errors';

const credentials: AwsCredentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLE+/=token',
};

function decodeToken(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const encoded = token.slice('k8s-aws-v1.'.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

/** RFC 3986 encoding as SigV4 canonicalises query strings. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Recomputes the presigned URL's signature from the SigV4 specification with node:crypto, as
 * STS does when the EKS authenticator forwards the request with its x-k8s-aws-id header.
 */
function expectedSignature(url: URL, cluster: string, secretAccessKey: string): string {
  const params = [...url.searchParams.entries()].filter(([key]) => key !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    `host:${url.host}\nx-k8s-aws-id:${cluster}\n`,
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const [, date, region, service] = url.searchParams.get('X-Amz-Credential')!.split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!),
    'aws4_request',
  );
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

describe('createEksToken', () => {
  it('is a presigned STS GetCallerIdentity URL, as `aws eks get-token` makes it', async () => {
    const token = await createEksToken({
      region: 'eu-west-1',
      cluster: 'prod-eu',
      credentials,
      signingDate: new Date('2025-03-04T05:06:07Z'),
    });
    const url = decodeToken(token);

    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'AKIAIOSFODNN7EXAMPLE/20250304/eu-west-1/sts/aws4_request',
    );
    expect(url.searchParams.get('X-Amz-Date')).toBe('20250304T050607Z');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['host', 'x-k8s-aws-id']);
    // The cluster name travels only as a signed header, never in the URL.
    expect(url.searchParams.has('x-k8s-aws-id')).toBe(false);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('carries a signature STS would accept for that cluster name, and only for it', async () => {
    const token = await createEksToken({
      region: 'us-east-1',
      cluster: 'payments',
      credentials,
      signingDate: new Date('2025-03-04T05:06:07Z'),
    });
    const url = decodeToken(token);
    const signature = url.searchParams.get('X-Amz-Signature');

    expect(signature).toBe(expectedSignature(url, 'payments', credentials.secretAccessKey));
    expect(signature).not.toBe(expectedSignature(url, 'another-cluster', credentials.secretAccessKey));
  });

  it('uses the amazonaws.com.cn STS endpoint in China regions', async () => {
    const token = await createEksToken({
      region: 'cn-north-1',
      cluster: 'c',
      credentials,
      signingDate: new Date('2025-03-04T05:06:07Z'),
    });
    expect(decodeToken(token).host).toBe('sts.cn-north-1.amazonaws.com.cn');
  });

  it('refuses a region that is not a region name (it becomes a host name)', async () => {
    await expect(
      createEksToken({ region: 'evil.example.com/x', cluster: 'c', credentials, signingDate: new Date() }),
    ).rejects.toThrow(/not an AWS region name/);
  });
});

describe('createEksConnector', () => {
  const eks = mockClient(EKSClient);
  let now: Date;
  const clock = { now: () => now };
  const connector = (overrides: { credentials?: () => Promise<AwsCredentials> } = {}) =>
    createEksConnector({ clock, credentials: overrides.credentials ?? (async () => credentials) });

  beforeEach(() => {
    eks.reset();
    now = new Date('2025-03-04T05:00:00Z');
    eks.on(DescribeClusterCommand, { name: 'prod-eu' }).resolves({
      cluster: {
        name: 'prod-eu',
        status: 'ACTIVE',
        endpoint: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
        certificateAuthority: { data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' },
      },
    });
  });

  afterEach(() => {
    eks.reset();
  });

  it('connects with the endpoint and CA from DescribeCluster and an EKS token for the cluster', async () => {
    const connection = await connector()({ region: 'eu-west-1', cluster: 'prod-eu' });

    expect(connection.server).toBe('https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com');
    expect(connection.caData).toBe('LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t');
    expect(connection.skipTLSVerify).toBeUndefined();
    const url = decodeToken(connection.token);
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, 'prod-eu', credentials.secretAccessKey),
    );
    expect(eks.commandCalls(DescribeClusterCommand).map((call) => call.args[0].input)).toEqual([
      { name: 'prod-eu' },
    ]);
  });

  it('reuses the token for 14 minutes and signs a new one after', async () => {
    const connect = connector();
    const location = { region: 'eu-west-1', cluster: 'prod-eu' };
    const first = await connect(location);

    now = new Date(now.getTime() + 13 * 60_000 + 59_000);
    expect((await connect(location)).token).toBe(first.token);
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(1);

    now = new Date(now.getTime() + 1_000);
    const renewed = await connect(location);
    expect(renewed.token).not.toBe(first.token);
    expect(decodeToken(renewed.token).searchParams.get('X-Amz-Date')).toBe('20250304T051400Z');
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(2);
  });

  it('signs anew when asked to, whatever the cache holds', async () => {
    const connect = connector();
    const location = { region: 'eu-west-1', cluster: 'prod-eu' };
    const first = await connect(location);
    now = new Date(now.getTime() + 1_000);
    const forced = await connect(location, { forceRefresh: true });
    expect(forced.token).not.toBe(first.token);
    expect((await connect(location)).token).toBe(forced.token);
  });

  it('stops using a token when the credentials that signed it expire first', async () => {
    const expiration = new Date(now.getTime() + 5 * 60_000);
    const connect = connector({ credentials: async () => ({ ...credentials, expiration }) });
    const location = { region: 'eu-west-1', cluster: 'prod-eu' };
    const first = await connect(location);
    now = new Date(expiration.getTime());
    expect((await connect(location)).token).not.toBe(first.token);
  });

  it('keeps one connection per region and cluster, and shares one DescribeCluster between concurrent callers', async () => {
    eks.on(DescribeClusterCommand, { name: 'prod-us' }).resolves({
      cluster: {
        endpoint: 'https://US.gr7.us-east-1.eks.amazonaws.com',
        certificateAuthority: { data: 'Q0E=' },
      },
    });
    const connect = connector();
    const [a, b] = await Promise.all([
      connect({ region: 'eu-west-1', cluster: 'prod-eu' }),
      connect({ region: 'eu-west-1', cluster: 'prod-eu' }),
    ]);
    const us = await connect({ region: 'us-east-1', cluster: 'prod-us' });

    expect(a).toBe(b);
    expect(us.server).toBe('https://US.gr7.us-east-1.eks.amazonaws.com');
    expect(decodeToken(us.token).host).toBe('sts.us-east-1.amazonaws.com');
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(2);
  });

  it('names the cluster and region when the cluster does not exist', async () => {
    eks
      .on(DescribeClusterCommand, { name: 'gone' })
      .rejects(new ResourceNotFoundException({ message: 'No cluster found for name: gone.', $metadata: {} }));
    const connect = connector();
    const failure = connect({ region: 'eu-west-1', cluster: 'gone' });
    await expect(failure).rejects.toBeInstanceOf(NotFoundError);
    await expect(failure).rejects.toThrow('EKS cluster "gone" not found in eu-west-1');
  });

  it('reports an EKS server error as transient and does not cache the failure', async () => {
    eks
      .on(DescribeClusterCommand, { name: 'flaky' })
      .rejectsOnce(new ServerException({ message: 'internal', $metadata: { httpStatusCode: 500 } }))
      .resolves({
        cluster: { endpoint: 'https://F.eks.amazonaws.com', certificateAuthority: { data: 'Q0E=' } },
      });
    const connect = connector();
    await expect(connect({ region: 'eu-west-1', cluster: 'flaky' })).rejects.toBeInstanceOf(
      TransientClusterError,
    );
    expect((await connect({ region: 'eu-west-1', cluster: 'flaky' })).server).toBe(
      'https://F.eks.amazonaws.com',
    );
  });

  it('treats a cluster still being created as transient', async () => {
    eks
      .on(DescribeClusterCommand, { name: 'new' })
      .resolves({ cluster: { name: 'new', status: 'CREATING' } });
    await expect(connector()({ region: 'eu-west-1', cluster: 'new' })).rejects.toThrow(
      /has no API endpoint or CA yet \(status CREATING\)/,
    );
    await expect(connector()({ region: 'eu-west-1', cluster: 'new' })).rejects.toBeInstanceOf(
      TransientClusterError,
    );
  });
});
