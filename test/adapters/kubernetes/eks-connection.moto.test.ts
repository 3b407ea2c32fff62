/**
 * The EKS connector against moto: DescribeCluster of a cluster made with CreateCluster, and the
 * bearer token signed with credentials from moto's STS (AssumeRole), answered by moto's STS as
 * the EKS authenticator would have STS answer it.
 *
 * What moto does not emulate, left to eks-connection.test.ts: the signature (moto verifies no
 * SigV4 signature, so the one in the token is checked there against an independent
 * computation), clusters still CREATING (moto's are ACTIVE at once), throttling and 5xx.
 */
import { request } from 'node:http';
import { CreateClusterCommand, DeleteClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AwsCredentials,
  CLUSTER_ID_HEADER,
  createEksConnector,
  TOKEN_PREFIX,
} from '../../../lambdas/adapters/kubernetes/eks-connection';
import { NotFoundError } from '../../../lambdas/core/errors';
import { MOTO_ACCOUNT_ID, motoClient, motoEndpoint, uniqueName } from '../../support/moto';
import { expectRejection } from '../../support/rejection';

/** Not us-east-1, so the token's STS host shows it follows the cluster's region. */
const REGION = 'eu-west-1';
const ROLE = 'switchyard-deployer';
const SESSION = 'switchyard-release';

let eks: EKSClient;
let sts: STSClient;
let cluster: { name: string; endpoint: string; caData: string };
let assumed: AwsCredentials;

beforeAll(async () => {
  eks = motoClient(EKSClient, { region: REGION });
  sts = motoClient(STSClient, { region: REGION });
  const name = uniqueName('prod-eu');
  const created = await eks.send(
    new CreateClusterCommand({
      name,
      roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eks-cluster`,
      resourcesVpcConfig: { subnetIds: [] },
    }),
  );
  cluster = {
    name,
    endpoint: created.cluster!.endpoint!,
    caData: created.cluster!.certificateAuthority!.data!,
  };
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${ROLE}`,
      RoleSessionName: SESSION,
    }),
  );
  assumed = {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
    expiration: Credentials!.Expiration!,
  };
});
afterAll(() => {
  eks?.destroy();
  sts?.destroy();
});

const signedAt = new Date('2030-05-01T10:11:12Z');
const connector = () =>
  createEksConnector({
    eksClientFor: () => eks,
    credentials: async () => assumed,
    clock: { now: () => signedAt },
  });

function decodeToken(token: string): URL {
  expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(TOKEN_PREFIX.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url without padding
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

/**
 * Sends the token's request to moto's STS, as the EKS authenticator sends it to STS: a GET of
 * the presigned URL with the cluster name in its signed x-k8s-aws-id header. moto's server
 * picks the service from an Authorization header's credential scope and ignores Host, and a
 * presigned request has no such header: this one carries the URL's own credential and
 * signature in that form, only so that moto routes it.
 */
function askStsAsTheAuthenticator(url: URL, clusterName: string): Promise<{ status: number; body: string }> {
  const moto = new URL(motoEndpoint());
  const query = url.searchParams;
  const routing =
    `AWS4-HMAC-SHA256 Credential=${query.get('X-Amz-Credential')}, ` +
    `SignedHeaders=${query.get('X-Amz-SignedHeaders')}, Signature=${query.get('X-Amz-Signature')}`;
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: moto.hostname,
        port: moto.port,
        method: 'GET',
        path: `${url.pathname}${url.search}`,
        headers: { host: url.host, [CLUSTER_ID_HEADER]: clusterName, authorization: routing },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    sent.on('error', reject);
    sent.end();
  });
}

describe('createEksConnector', () => {
  it("connects to the API server DescribeCluster names, with the cluster's CA", async () => {
    const connection = await connector()({ region: REGION, cluster: cluster.name });

    expect(connection).toEqual({
      server: cluster.endpoint,
      caData: cluster.caData,
      token: expect.any(String),
    });
    expect(connection.server).toMatch(new RegExp(`^https://[^/]+\\.${REGION}\\.eks\\.amazonaws\\.com`));
  });

  it('signs the token with the credentials it was given, for the STS of the cluster region', async () => {
    const { token } = await connector()({ region: REGION, cluster: cluster.name });
    const url = decodeToken(token);

    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(`https://sts.${REGION}.amazonaws.com/`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${assumed.accessKeyId}/20300501/${REGION}/sts/aws4_request`,
      'X-Amz-Date': '20300501T101112Z',
      'X-Amz-Expires': '60',
      'X-Amz-Security-Token': assumed.sessionToken,
      'X-Amz-SignedHeaders': `host;${CLUSTER_ID_HEADER}`,
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('is a GetCallerIdentity request STS answers with the role whose credentials signed it', async () => {
    const { token } = await connector()({ region: REGION, cluster: cluster.name });

    const answer = await askStsAsTheAuthenticator(decodeToken(token), cluster.name);

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<GetCallerIdentityResponse');
    expect(answer.body).toContain(
      `<Arn>arn:aws:sts::${MOTO_ACCOUNT_ID}:assumed-role/${ROLE}/${SESSION}</Arn>`,
    );
    expect(answer.body).toContain(`<Account>${MOTO_ACCOUNT_ID}</Account>`);
  });

  it('says which cluster is not there, also once a cluster it connected to is deleted', async () => {
    const connect = connector();
    const absent = uniqueName('absent');
    await expectRejection(
      connect({ region: REGION, cluster: absent }),
      NotFoundError,
      `EKS cluster "${absent}" not found in ${REGION}`,
    );

    const doomed = uniqueName('doomed');
    await eks.send(
      new CreateClusterCommand({
        name: doomed,
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
    await connect({ region: REGION, cluster: doomed });
    await eks.send(new DeleteClusterCommand({ name: doomed }));
    await expectRejection(
      connect({ region: REGION, cluster: doomed }, { forceRefresh: true }),
      NotFoundError,
      `EKS cluster "${doomed}" not found in ${REGION}`,
    );
  });
});
