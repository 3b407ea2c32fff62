/**
 * How the Cluster adapter reaches an EKS cluster's Kubernetes API: DescribeCluster for the
 * endpoint and CA, and a bearer token made exactly as `aws eks get-token` makes it (a presigned
 * STS GetCallerIdentity URL that names the cluster in the signed `x-k8s-aws-id` header). EKS
 * accepts such a token for 15 minutes after signing; connections are cached for 14, like the
 * CLI's expirationTimestamp, so a token is never used near its end.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  DescribeClusterCommand,
  type DescribeClusterCommandOutput,
  type EKSClient,
} from '@aws-sdk/client-eks';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { InvalidInputError, NotFoundError, TransientClusterError } from '../../core/errors';
import { LruMap } from '../../core/lru-map';
import type { Clock } from '../../ports';
import { isTransientAwsError } from '../aws/errors';
import { eksClientFor } from '../aws/sdk-clients/eks';

export interface ClusterLocation {
  region: string;
  cluster: string;
}

/** What a Kubernetes client needs to talk to one cluster's API server. */
export interface KubeConnection {
  /** The API server URL, e.g. `https://ABC.gr7.eu-west-1.eks.amazonaws.com`. */
  server: string;
  /** Base64 PEM of the cluster CA, as DescribeCluster returns it. */
  caData?: string;
  token: string;
  /** Only for local plain-HTTP servers in tests; never set for EKS. */
  skipTLSVerify?: boolean;
}

/**
 * Returns a connection for the cluster; `forceRefresh` skips the cache (used after the API
 * server rejected a token).
 */
export type Connect = (
  location: ClusterLocation,
  options?: { forceRefresh?: boolean },
) => Promise<KubeConnection>;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type CredentialsProvider = () => Promise<AwsCredentials>;

export const TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** What `aws eks get-token` presigns with; EKS itself accepts the token for 15 minutes. */
const PRESIGNED_URL_EXPIRES_SECONDS = 60;
/** The CLI's TOKEN_EXPIRATION_MINS: refreshed a minute before EKS would refuse the token. */
export const CONNECTION_TTL_MS = 14 * 60 * 1000;

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function assertRegion(region: string): void {
  // The region becomes part of a host name: refuse anything that is not a region's shape.
  if (!REGION_PATTERN.test(region)) throw new InvalidInputError(`"${region}" is not an AWS region name`);
}

/** The regional STS endpoint's host; China regions live under amazonaws.com.cn. */
export function stsHostFor(region: string): string {
  assertRegion(region);
  return `sts.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/** RFC 3986 query encoding (what SigV4 canonicalises to), stricter than URLSearchParams. */
function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The EKS bearer token for `cluster`: `k8s-aws-v1.` + unpadded base64url of a presigned STS
 * GetCallerIdentity URL whose signature covers `host` and `x-k8s-aws-id: <cluster>`.
 */
export async function createEksToken(input: {
  region: string;
  cluster: string;
  credentials: AwsCredentials;
  signingDate: Date;
}): Promise<string> {
  const host = stsHostFor(input.region);
  const signer = new SignatureV4({
    credentials: input.credentials,
    region: input.region,
    service: 'sts',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: host,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    // Neither header starts with x-amz-, so presign keeps both as signed headers rather than
    // hoisting them into the query: the API server's authenticator sends them back to STS.
    headers: { host, [CLUSTER_ID_HEADER]: input.cluster },
  });
  const presigned = await signer.presign(request, {
    expiresIn: PRESIGNED_URL_EXPIRES_SECONDS,
    signingDate: input.signingDate,
  });
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => [key, v ?? ''] as const))
    .map(([key, value]) => `${encodeQueryComponent(key)}=${encodeQueryComponent(value)}`)
    .join('&');
  const url = `https://${host}/?${query}`;
  return TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

export interface EksConnectorOptions {
  eksClientFor?: (region: string) => EKSClient;
  credentials?: CredentialsProvider;
  clock?: Clock;
  /** How many clusters' connections to keep (CACHED_CLUSTERS). */
  cachedClusters?: number;
}

/** What each Kubernetes adapter is created with: the EKS connector's options, or a `Connect` of its own. */
export interface EksAdapterOptions extends EksConnectorOptions {
  /** Replaces EKS discovery and tokens, e.g. to point the adapter at a local API server. */
  connect?: Connect;
}

/** The adapter's `Connect`: the one given, else an EKS connector made from the options. */
export function connectorFor(options: EksAdapterOptions = {}): Connect {
  return options.connect ?? createEksConnector(options);
}

const systemClock: Clock = { now: () => new Date() };

/**
 * System error codes of a connection that failed in a way another attempt may not meet. A
 * certificate that fails verification is deliberately not among them.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** DescribeCluster failures worth another attempt: the shared AWS classification, or network trouble. */
function isTransientDescribeError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isTransientAwsError(error) || (typeof code === 'string' && NETWORK_ERROR_CODES.has(code));
}

interface OpenedConnection {
  connection: KubeConnection;
  /** Epoch milliseconds after which the token must not be used. */
  expiresAt: number;
}

interface CacheEntry {
  opened: Promise<OpenedConnection>;
  /** Set once `opened` has resolved; until then the entry counts as fresh. */
  settled?: OpenedConnection;
}

/**
 * Clusters whose connections one connector keeps. Entries already expire (CONNECTION_TTL_MS) but
 * stay until their key is asked again; the bound keeps a warm container that meets many clusters
 * from holding every token it ever signed. An evicted cluster just connects afresh.
 */
export const CACHED_CLUSTERS = 64;

/**
 * A `Connect` for EKS that caches each (region, cluster)'s endpoint, CA and token until the
 * token's 14 minutes are up or the credentials that signed it expire, whichever is first.
 */
export function createEksConnector(options: EksConnectorOptions = {}): Connect {
  const clientFor = options.eksClientFor ?? eksClientFor;
  const credentials = options.credentials ?? fromNodeProviderChain();
  const clock = options.clock ?? systemClock;
  const cache = new LruMap<string, CacheEntry>(options.cachedClusters ?? CACHED_CLUSTERS);

  async function describe({ region, cluster }: ClusterLocation): Promise<{ server: string; caData: string }> {
    let response: DescribeClusterCommandOutput;
    try {
      response = await clientFor(region).send(new DescribeClusterCommand({ name: cluster }));
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new NotFoundError(`EKS cluster "${cluster}" not found in ${region}`);
      }
      if (isTransientDescribeError(error)) {
        throw new TransientClusterError(
          `DescribeCluster for EKS cluster "${cluster}" in ${region} failed: ${(error as Error).name}: ${(error as Error).message}`,
        );
      }
      throw error;
    }
    const described = response.cluster;
    const server = described?.endpoint;
    const caData = described?.certificateAuthority?.data;
    if (!server || !caData) {
      const status = described?.status ?? 'unknown';
      const message = `EKS cluster "${cluster}" in ${region} has no API endpoint or CA yet (status ${status})`;
      // A cluster being created or updated gets its endpoint soon; any other state needs a person.
      if (status === 'CREATING' || status === 'UPDATING' || status === 'PENDING') {
        throw new TransientClusterError(message);
      }
      throw new Error(message);
    }
    return { server, caData };
  }

  async function open(location: ClusterLocation): Promise<OpenedConnection> {
    assertRegion(location.region);
    const [endpoint, resolved] = await Promise.all([describe(location), credentials()]);
    const signedAt = clock.now();
    const token = await createEksToken({ ...location, credentials: resolved, signingDate: signedAt });
    const tokenExpiresAt = signedAt.getTime() + CONNECTION_TTL_MS;
    const credentialsExpireAt = resolved.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    return {
      connection: { server: endpoint.server, caData: endpoint.caData, token },
      expiresAt: Math.min(tokenExpiresAt, credentialsExpireAt),
    };
  }

  return async (location, connectOptions = {}) => {
    const key = `${location.region}/${location.cluster}`;
    const cached = cache.get(key);
    const fresh = cached && (!cached.settled || clock.now().getTime() < cached.settled.expiresAt);
    if (cached && fresh && !connectOptions.forceRefresh) return (await cached.opened).connection;
    // Concurrent callers share one DescribeCluster and one signature; a failure is not cached.
    const entry: CacheEntry = { opened: open(location) };
    cache.set(key, entry);
    try {
      entry.settled = await entry.opened;
      return entry.settled.connection;
    } catch (error) {
      if (cache.get(key) === entry) cache.delete(key);
      throw error;
    }
  };
}
