/**
 * The EKS Cluster adapter against a fake Kubernetes API server: restoring what a release changed, rollouts
 * that fail, API errors and token refresh; the fake API server itself; createEksCluster wired to EKS.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, type vi } from 'vitest';
import { createEksCluster } from '../../../lambdas/adapters/kubernetes/cluster';
import type { Connect } from '../../../lambdas/adapters/kubernetes/eks-connection';
import { NotFoundError, TransientClusterError } from '../../../lambdas/core/errors';
import type { Cluster, Track } from '../../../lambdas/ports';
import {
  describedCluster,
  type FakeKubeApiServer,
  startFakeKubeApiServer,
  startTlsFakeKubeApiServer,
  unreachableApiServerUrl,
} from '../../support/fake-kube-apiserver';
import {
  DEPLOYMENTS,
  type Json,
  rolloutMessages,
  startWebCluster,
  target,
  webDeployment,
} from './cluster-support';

describe('the EKS Cluster adapter against a Kubernetes API server', () => {
  let server: FakeKubeApiServer;
  let connect: ReturnType<typeof vi.fn<Connect>>;
  let cluster: Cluster;

  beforeEach(async () => {
    ({ server, connect, cluster } = await startWebCluster());
  });

  afterEach(async () => {
    await server.close();
  });

  const stored = (name = 'web'): Json => server.get('shop', name) as Json;
  const writes = () => server.requests.filter((r) => r.method !== 'GET');
  const watchRollout = (track?: Track, maxSteps?: number) =>
    rolloutMessages(cluster, server, track, maxSteps);

  it('restores the saved template and replicas, and deletes the canary the release created', async () => {
    const snapshot = await cluster.snapshot(target);
    // What a release and a hand along the way might do to the stable Deployment.
    await cluster.setImage(target, 'web', 'shop/web:2.0');
    await cluster.scale(target, 6);
    await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.0', replicas: 2 });
    const handEdit = await fetch(`${server.url}${DEPLOYMENTS}/web`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer token-1', 'content-type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({
        spec: {
          template: {
            metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } },
            spec: { containers: [{ name: 'web', env: [{ name: 'DEBUG', value: '1' }] }] },
          },
        },
      }),
    });
    expect(handEdit.status).toBe(200);
    server.advance(3);
    server.clearRequests();

    await cluster.restore(snapshot);

    const restored = await cluster.readDeployment(target);
    expect(restored?.template).toEqual(snapshot.template);
    expect(restored?.replicas).toBe(3);
    expect(restored?.images).toEqual(snapshot.images);
    expect(server.get('shop', 'web-canary')).toBeUndefined();
    const patch = writes().find((r) => r.method === 'PATCH')!;
    expect(patch.contentType).toBe('application/merge-patch+json');
    expect((patch.body as Json).metadata.resourceVersion).toEqual(expect.any(String));
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH ${DEPLOYMENTS}/web`,
      `DELETE ${DEPLOYMENTS}/web-canary`,
    ]);
    expect((await watchRollout()).at(-1)).toBe('deployment "web" successfully rolled out');
  });

  it('puts a canary that existed before back to its saved replicas', async () => {
    await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:1.9', replicas: 1 });
    await cluster.removeCanary(target, 'scaleToZero');
    const snapshot = await cluster.snapshot(target);
    expect(snapshot.canary).toEqual({ existed: true, replicas: 0 });

    await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.0', replicas: 2 });
    await cluster.restore(snapshot);

    expect(stored('web-canary').spec.replicas).toBe(0);
  });

  it('reports a rollout whose pods never become ready as progressing, and a passed deadline as failed', async () => {
    server.failPodsWithImage('shop/web:broken', 'neverReady');
    server.failPodsWithImage('shop/web:stuck', 'progressDeadlineExceeded');

    await cluster.setImage(target, 'web', 'shop/web:broken');
    server.advance(20);
    expect(await cluster.rolloutStatus(target)).toMatchObject({
      state: 'progressing',
      message: 'Waiting for deployment "web" rollout to finish: 3 old replicas are pending termination...',
      updated: 3,
      available: 3,
    });

    await cluster.setImage(target, 'web', 'shop/web:stuck');
    const messages = await watchRollout();
    expect(messages.at(-1)).toBe('deployment "web" exceeded its progress deadline');
    expect((await cluster.rolloutStatus(target)).state).toBe('failed');
  });

  it('names namespace, Deployment, cluster and region when the stable Deployment is missing', async () => {
    const missing = { ...target, deployment: 'checkout' };
    for (const attempt of [
      () => cluster.snapshot(missing),
      () => cluster.rolloutStatus(missing),
      () => cluster.setImage(missing, 'web', 'x:1'),
      () => cluster.scale(missing, 2),
      () => cluster.ensureCanary(missing, { container: 'web', image: 'x:1', replicas: 1 }),
    ]) {
      const failure = attempt();
      await expect(failure).rejects.toBeInstanceOf(NotFoundError);
      await expect(failure).rejects.toThrow(
        'Deployment shop/checkout in EKS cluster "prod-eu" (eu-west-1) not found: deployments.apps "checkout" not found',
      );
    }
  });

  it.each([500, 503, 429] as const)('turns an API server %i into TransientClusterError', async (status) => {
    server.failNext({ status, method: 'PATCH' });
    const failure = cluster.setImage(target, 'web', 'shop/web:2.0');
    await expect(failure).rejects.toBeInstanceOf(TransientClusterError);
    await expect(failure).rejects.toThrow(`the API server answered ${status}`);
    // The next attempt goes through.
    await cluster.setImage(target, 'web', 'shop/web:2.0');
    expect(stored().spec.template.spec.containers[0].image).toBe('shop/web:2.0');
  });

  it('restores only onto the version it read: a concurrent write makes it transient (409), and a retry wins', async () => {
    const snapshot = await cluster.snapshot(target);
    await cluster.setImage(target, 'web', 'shop/web:2.0');
    // Each API call connects first; restore's second call is its patch. Just before it, another
    // writer (an autoscaler, say) changes the Deployment.
    let calls = 0;
    const racing = createEksCluster({
      connect: async (location) => {
        calls += 1;
        if (calls === 2) {
          const scaled = await fetch(`${server.url}${DEPLOYMENTS}/web/scale`, {
            method: 'PATCH',
            headers: { authorization: 'Bearer token-1', 'content-type': 'application/merge-patch+json' },
            body: JSON.stringify({ spec: { replicas: 4 } }),
          });
          expect(scaled.status).toBe(200);
        }
        return connect(location);
      },
    });

    const failure = racing.restore(snapshot);
    await expect(failure).rejects.toBeInstanceOf(TransientClusterError);
    await expect(failure).rejects.toThrow('answered 409');
    expect(stored().spec.replicas).toBe(4);

    await racing.restore(snapshot);
    expect(stored().spec.replicas).toBe(3);
    expect(stored().spec.template).toEqual(snapshot.template);
  });

  it('turns a refused connection into TransientClusterError', async () => {
    const url = await unreachableApiServerUrl();
    const unreachable = createEksCluster({
      connect: async () => ({ server: url, token: 't', skipTLSVerify: true }),
    });
    await expect(unreachable.readDeployment(target)).rejects.toBeInstanceOf(TransientClusterError);
  });

  it('signs a new token once when the API server refuses the cached one', async () => {
    server.token = 'token-2';
    connect.mockImplementation(async (_location, options) => ({
      server: server.url,
      token: options?.forceRefresh ? 'token-2' : 'token-1',
      skipTLSVerify: true,
    }));

    expect((await cluster.readDeployment(target))?.name).toBe('web');
    expect(connect).toHaveBeenLastCalledWith(
      { region: 'eu-west-1', cluster: 'prod-eu' },
      { forceRefresh: true },
    );
    expect(server.requests.map((r) => [r.authorization, r.status])).toEqual([
      ['Bearer token-1', 401],
      ['Bearer token-2', 200],
    ]);
  });
});

describe('the fake API server', () => {
  let server: FakeKubeApiServer;

  beforeEach(async () => {
    server = await startFakeKubeApiServer();
    server.seed(webDeployment());
  });

  afterEach(async () => {
    await server.close();
  });

  const patch = (contentType: string, body: unknown) =>
    fetch(`${server.url}${DEPLOYMENTS}/web`, {
      method: 'PATCH',
      headers: { 'content-type': contentType },
      body: JSON.stringify(body),
    });

  it('refuses a patch type the API does not know with 415', async () => {
    const response = await patch('application/json', { spec: { replicas: 1 } });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      code: 415,
    });
  });

  it('reads a merge-style body sent as JSON Patch as the real API does: a bad request', async () => {
    const response = await patch('application/json-patch+json', { spec: { replicas: 1 } });
    expect(response.status).toBe(400);
    expect(server.get('shop', 'web')?.spec).toMatchObject({ replicas: 3 });
  });

  it('applies a merge patch by replacing lists, where a strategic merge patch merges them by key', async () => {
    const containers = [{ name: 'web', image: 'shop/web:9' }];
    await patch('application/strategic-merge-patch+json', { spec: { template: { spec: { containers } } } });
    expect((server.get('shop', 'web') as Json).spec.template.spec.containers).toHaveLength(2);
    await patch('application/merge-patch+json', { spec: { template: { spec: { containers } } } });
    expect((server.get('shop', 'web') as Json).spec.template.spec.containers).toEqual([
      expect.objectContaining({ name: 'web', image: 'shop/web:9' }),
    ]);
  });

  it('refuses to change a selector (422) and bumps generation only on spec changes', async () => {
    const response = await patch('application/merge-patch+json', {
      spec: { selector: { matchLabels: { app: 'x' } } },
    });
    expect(response.status).toBe(422);
    await patch('application/merge-patch+json', { metadata: { labels: { extra: 'yes' } } });
    expect((server.get('shop', 'web') as Json).metadata.generation).toBe(1);
    await patch('application/merge-patch+json', { spec: { replicas: 2 } });
    expect((server.get('shop', 'web') as Json).metadata.generation).toBe(2);
  });
});

describe('createEksCluster wired to EKS', () => {
  const eks = mockClient(EKSClient);
  let server: FakeKubeApiServer;

  beforeEach(async () => {
    eks.reset();
    server = await startTlsFakeKubeApiServer();
    server.seed(webDeployment());
  });

  afterEach(async () => {
    await server.close();
  });

  const eksCluster = () =>
    createEksCluster({
      credentials: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' }),
      clock: { now: () => new Date('2025-03-04T05:06:07Z') },
    });

  it('finds the API server with DescribeCluster, trusts only the cluster CA, and presents an EKS token', async () => {
    eks.on(DescribeClusterCommand, { name: 'prod-eu' }).resolves(await describedCluster(server));

    expect((await eksCluster().readDeployment(target))?.replicas).toBe(3);

    const authorization = server.requests[0]?.authorization ?? '';
    expect(authorization).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const presigned = new URL(
      Buffer.from(authorization.slice('Bearer k8s-aws-v1.'.length), 'base64url').toString('utf8'),
    );
    expect(presigned.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(presigned.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
  });

  it('refuses an API server whose certificate the cluster CA did not sign, and does not call that transient', async () => {
    eks
      .on(DescribeClusterCommand, { name: 'prod-eu' })
      .resolves(await describedCluster(server, 'other-ca.crt'));

    const failure = eksCluster().readDeployment(target);
    await expect(failure).rejects.toThrow(
      /^Deployment shop\/web in EKS cluster "prod-eu" \(eu-west-1\): .*unable to verify the first certificate/,
    );
    await expect(failure).rejects.not.toBeInstanceOf(TransientClusterError);
    expect(server.requests).toEqual([]);
  });
});
