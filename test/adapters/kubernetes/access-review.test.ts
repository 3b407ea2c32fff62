import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSelfAccessReview,
  type SelfAccessReview,
  selfAccessReview,
} from '../../../lambdas/adapters/kubernetes/access-review';
import type { Connect } from '../../../lambdas/adapters/kubernetes/eks-connection';
import { TransientClusterError } from '../../../lambdas/core/errors';
import type { AccessQuestion } from '../../../lambdas/ports';
import {
  describedCluster,
  type FakeKubeApiServer,
  startFakeKubeApiServer,
  startTlsFakeKubeApiServer,
  unreachableApiServerUrl,
} from '../../support/fake-kube-apiserver';

const location = { region: 'eu-west-1', cluster: 'prod-eu' };
const patchDeployments: AccessQuestion = {
  namespace: 'shop',
  verb: 'patch',
  group: 'apps',
  resource: 'deployments',
};
const REVIEWS = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
/** What RBAC says when a RoleBinding grants it. */
const RBAC_ALLOWED =
  'RBAC: allowed by RoleBinding "switchyard/shop" of ClusterRole "edit" to User "switchyard"';

describe('the SelfSubjectAccessReview adapter against a Kubernetes API server', () => {
  let server: FakeKubeApiServer;
  let connect: ReturnType<typeof vi.fn<Connect>>;
  let mayI: SelfAccessReview;

  beforeEach(async () => {
    server = await startFakeKubeApiServer({
      token: 'token-1',
      accessRules: [
        { namespace: 'shop', verb: 'patch', group: 'apps', resource: 'deployments', reason: RBAC_ALLOWED },
      ],
    });
    connect = vi.fn<Connect>(async () => ({ server: server.url, token: 'token-1', skipTLSVerify: true }));
    mayI = createSelfAccessReview({ connect });
  });

  afterEach(async () => {
    await server.close();
  });

  it('posts a SelfSubjectAccessReview with the resource attributes, and reads allowed', async () => {
    expect(await mayI(location, patchDeployments)).toEqual({ allowed: true, reason: RBAC_ALLOWED });

    expect(server.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: REVIEWS,
        authorization: 'Bearer token-1',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: { namespace: 'shop', verb: 'patch', group: 'apps', resource: 'deployments' },
          },
        },
        status: 201,
      }),
    ]);
    expect(connect).toHaveBeenCalledWith(location);
  });

  it('asks about the namespace, verb, group and resource given, not a wider or narrower question', async () => {
    server.accessRules.push({ verb: 'get', group: 'networking.k8s.io', resource: 'ingresses' });

    expect((await mayI(location, { ...patchDeployments, namespace: 'billing' })).allowed).toBe(false);
    expect((await mayI(location, { ...patchDeployments, verb: 'delete' })).allowed).toBe(false);
    expect((await mayI(location, { ...patchDeployments, group: '' })).allowed).toBe(false);
    // A namespaced grant does not answer for all namespaces ("" is all of them).
    expect((await mayI(location, { ...patchDeployments, namespace: '' })).allowed).toBe(false);
    // A cluster-wide grant answers for every namespace.
    const readIngresses = {
      namespace: 'edge',
      verb: 'get',
      group: 'networking.k8s.io',
      resource: 'ingresses',
    };
    expect(await mayI(location, readIngresses)).toEqual({ allowed: true });
  });

  it('reads a denial with its reason as not allowed', async () => {
    server.accessRules.unshift({
      namespace: 'shop',
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
      effect: 'deny',
      reason: 'access policy AmazonEKSViewPolicy does not allow patch',
    });

    expect(await mayI(location, patchDeployments)).toEqual({
      allowed: false,
      reason: 'denied (access policy AmazonEKSViewPolicy does not allow patch)',
    });
  });

  it('reads no opinion (allowed false, denied absent) as not allowed, since the API server denies by default', async () => {
    expect(await mayI(location, { ...patchDeployments, verb: 'delete' })).toEqual({
      allowed: false,
      reason: 'no authorizer had an opinion, and the API server denies what none allows',
    });
  });

  it('adds an evaluation error to the reason without changing the answer', async () => {
    server.accessRules.push({ namespace: 'shop', verb: 'get', group: 'apps', resource: 'deployments' });
    server.accessEvaluationError = 'clusterrole.rbac.authorization.k8s.io "deployer" not found';

    expect(await mayI(location, { ...patchDeployments, verb: 'get' })).toEqual({
      allowed: true,
      reason: 'evaluation error: clusterrole.rbac.authorization.k8s.io "deployer" not found',
    });
    expect(await mayI(location, { ...patchDeployments, verb: 'delete' })).toEqual({
      allowed: false,
      reason:
        'no authorizer had an opinion, and the API server denies what none allows ' +
        '(evaluation error: clusterrole.rbac.authorization.k8s.io "deployer" not found)',
    });
  });

  it('turns an API server 503 into TransientClusterError, and the next attempt is answered', async () => {
    server.failNext({ status: 503, pathIncludes: 'selfsubjectaccessreviews' });

    const failure = mayI(location, patchDeployments);
    await expect(failure).rejects.toBeInstanceOf(TransientClusterError);
    await expect(failure).rejects.toThrow(
      'SelfSubjectAccessReview (patch deployments.apps in namespace "shop") in EKS cluster "prod-eu" (eu-west-1): the API server answered 503: injected failure 503',
    );
    expect((await mayI(location, patchDeployments)).allowed).toBe(true);
  });

  it('turns a refused connection into TransientClusterError', async () => {
    const url = await unreachableApiServerUrl();
    const unreachable = createSelfAccessReview({
      connect: async () => ({ server: url, token: 't', skipTLSVerify: true }),
    });

    await expect(unreachable(location, patchDeployments)).rejects.toBeInstanceOf(TransientClusterError);
  });

  it('reports a 403 on the review itself as an error naming the cluster, never as a "no"', async () => {
    server.basicUser = false;

    const failure = mayI(location, patchDeployments);
    await expect(failure).rejects.not.toBeInstanceOf(TransientClusterError);
    await expect(failure).rejects.toThrow(
      'SelfSubjectAccessReview (patch deployments.apps in namespace "shop") in EKS cluster "prod-eu" (eu-west-1): ' +
        'the API server refused the review itself (403): selfsubjectaccessreviews.authorization.k8s.io is forbidden: ' +
        'User "switchyard" cannot create resource "selfsubjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope. ' +
        'Every authenticated identity may create selfsubjectaccessreviews by default (ClusterRole system:basic-user, bound to system:authenticated)',
    );
    expect(server.requests.map((r) => r.status)).toEqual([403]);
  });
});

describe('the fake API server answering SelfSubjectAccessReviews', () => {
  let server: FakeKubeApiServer;

  beforeEach(async () => {
    server = await startFakeKubeApiServer();
  });

  afterEach(async () => {
    await server.close();
  });

  const review = (body: unknown) =>
    fetch(`${server.url}${REVIEWS}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers 201 with the object it was sent and the status filled in', async () => {
    server.accessRules.push({ verb: '*', group: 'apps', resource: '*', reason: 'allowed by rule' });
    const spec = {
      resourceAttributes: { namespace: 'shop', verb: 'create', group: 'apps', resource: 'deployments' },
    };

    const response = await review({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec,
    });

    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: { allowed: true, reason: 'allowed by rule' },
    });
  });

  it('answers no opinion as a real API server does: allowed false, and no denied (omitempty)', async () => {
    const response = await review({
      spec: {
        resourceAttributes: { namespace: 'shop', verb: 'delete', group: 'apps', resource: 'deployments' },
      },
    });
    expect(response.status).toBe(201);
    expect((await response.json()).status).toEqual({ allowed: false });
  });

  it('refuses a review without exactly one of resourceAttributes and nonResourceAttributes with 422', async () => {
    const neither = await review({ spec: {} });
    expect(neither.status).toBe(422);
    expect(await neither.json()).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });

    const both = await review({
      spec: { resourceAttributes: {}, nonResourceAttributes: { path: '/healthz', verb: 'get' } },
    });
    expect(both.status).toBe(422);
  });
});

describe('selfAccessReview wired to EKS', () => {
  const eks = mockClient(EKSClient);
  let server: FakeKubeApiServer;

  beforeEach(async () => {
    eks.reset();
    // The default credential chain reads these first.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    server = await startTlsFakeKubeApiServer({
      accessRules: [{ namespace: 'shop', verb: 'patch', group: 'apps', resource: 'deployments' }],
    });
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await server.close();
  });

  it('finds the API server with DescribeCluster, trusts the cluster CA, and asks with an EKS token', async () => {
    eks.on(DescribeClusterCommand, { name: 'prod-eu' }).resolves(await describedCluster(server));

    expect(await selfAccessReview(location, patchDeployments)).toEqual({ allowed: true });
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(1);
    expect(server.requests[0]?.authorization).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  });
});
