/**
 * The SelfSubjectAccessReview through the real @kubernetes/client-node, against a local HTTP
 * server answering POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews as the API server
 * does: the review sent back with its status filled in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfAccessReview } from '../../../lambdas/adapters/kubernetes/access-review';

const TOKEN = 'k8s-aws-v1.test';
let server: Server;
let url: string;
const received: Array<{ method?: string; path?: string; authorization?: string; body: unknown }> = [];
/** What the server's authorizer decides, by verb. */
const decisions: Record<string, { allowed: boolean; denied?: boolean; reason?: string }> = {
  patch: { allowed: true, reason: 'EKS Access Policy: allowed by ClusterRoleBinding "arn:aws:iam::…"' },
  delete: { allowed: false },
  escalate: { allowed: false, denied: true, reason: 'no RBAC policy matched' },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      const body = JSON.parse(text) as { spec: { resourceAttributes: { verb: string } } };
      received.push({
        method: request.method,
        path: request.url,
        authorization: request.headers.authorization,
        body,
      });
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ...body, status: decisions[body.spec.resourceAttributes.verb] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('selfAccessReview', () => {
  const review = () =>
    createSelfAccessReview({ connect: async () => ({ server: url, token: TOKEN, skipTLSVerify: true }) });
  const location = { region: 'eu-west-1', cluster: 'prod-euw1' };

  it('asks the API server about its own identity and answers what the authorizer decided', async () => {
    const answer = await review()(location, {
      namespace: 'shop',
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
    });

    expect(answer).toEqual({ allowed: true, reason: decisions.patch!.reason });
    expect(received.at(-1)).toEqual({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      authorization: `Bearer ${TOKEN}`,
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: { namespace: 'shop', verb: 'patch', group: 'apps', resource: 'deployments' },
        },
      },
    });
  });

  it('is not allowed when the authorizer has no opinion or denies', async () => {
    const ask = review();
    const question = { namespace: 'shop', group: 'apps', resource: 'deployments' };
    expect(await ask(location, { ...question, verb: 'delete' })).toEqual({ allowed: false });
    expect(await ask(location, { ...question, verb: 'escalate' })).toEqual({
      allowed: false,
      reason: 'no RBAC policy matched',
    });
  });
});
