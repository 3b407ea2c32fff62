import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLUSTER_IAM_ACTIONS, createEksCluster } from '../../../lambdas/adapters/kubernetes/cluster';
import type { Connect } from '../../../lambdas/adapters/kubernetes/eks-connection';
import { InvalidInputError, NotFoundError, TransientClusterError } from '../../../lambdas/core/errors';
import type { Cluster, Track, WorkloadTarget } from '../../../lambdas/ports';
import {
  describedCluster,
  type FakeKubeApiServer,
  podIpOf,
  startFakeKubeApiServer,
  startTlsFakeKubeApiServer,
  unreachableApiServerUrl,
} from '../../support/fake-kube-apiserver';

const target: WorkloadTarget = {
  region: 'eu-west-1',
  cluster: 'prod-eu',
  namespace: 'shop',
  deployment: 'web',
};
const DEPLOYMENTS = '/apis/apps/v1/namespaces/shop/deployments';

/** The stable Deployment as a Helm chart would have made it. */
function webDeployment(): Record<string, unknown> {
  return {
    metadata: {
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web', 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'shop' },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', version: 'v1' }, annotations: { 'prometheus.io/scrape': 'true' } },
        spec: {
          initContainers: [{ name: 'migrate', image: 'shop/migrate:1.0' }],
          containers: [
            {
              name: 'web',
              image: 'shop/web:1.0',
              ports: [{ containerPort: 8080 }],
              env: [{ name: 'MODE', value: 'prod' }],
              readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
            },
            { name: 'proxy', image: 'envoyproxy/envoy:v1.30.1' },
          ],
        },
      },
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: API JSON read by assertions, which check its shape themselves.
type Json = Record<string, any>;

describe('the EKS Cluster adapter against a Kubernetes API server', () => {
  let server: FakeKubeApiServer;
  let connect: ReturnType<typeof vi.fn<Connect>>;
  let cluster: Cluster;

  beforeEach(async () => {
    server = await startFakeKubeApiServer({ token: 'token-1' });
    connect = vi.fn<Connect>(async () => ({ server: server.url, token: 'token-1', skipTLSVerify: true }));
    cluster = createEksCluster({ connect });
    server.seed(webDeployment());
  });

  afterEach(async () => {
    await server.close();
  });

  const stored = (name = 'web'): Json => server.get('shop', name) as Json;
  const writes = () => server.requests.filter((r) => r.method !== 'GET');

  /** Advances the controller one step at a time, collecting what `rolloutStatus` says, until done. */
  async function watchRollout(track: Track = 'stable', maxSteps = 30): Promise<string[]> {
    const seen: string[] = [];
    for (let step = 0; step <= maxSteps; step++) {
      const status = await cluster.rolloutStatus(target, track);
      if (seen.at(-1) !== status.message) seen.push(status.message);
      if (status.state !== 'progressing') return seen;
      server.advance();
    }
    return seen;
  }

  it('declares the IAM actions it calls', () => {
    expect(CLUSTER_IAM_ACTIONS).toEqual(['eks:DescribeCluster']);
  });

  it('reads a Deployment: images of every container, replicas, the pod template as the API returned it', async () => {
    const view = await cluster.readDeployment(target);

    expect(view).toMatchObject({
      name: 'web',
      namespace: 'shop',
      replicas: 3,
      images: { migrate: 'shop/migrate:1.0', web: 'shop/web:1.0', proxy: 'envoyproxy/envoy:v1.30.1' },
      generation: 1,
      labels: { app: 'web', 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'shop' },
    });
    expect(view?.template).toEqual(stored().spec.template);
    expect(await cluster.readDeployment(target, 'canary')).toBeUndefined();
    expect(await cluster.readDeployment({ ...target, deployment: 'absent' })).toBeUndefined();
    expect(server.requests[0]?.authorization).toBe('Bearer token-1');
  });

  it('snapshots, sets an image, and reports the rollout as kubectl would until it completes', async () => {
    const snapshot = await cluster.snapshot(target);
    expect(snapshot).toEqual({
      target,
      existed: true,
      replicas: 3,
      images: { migrate: 'shop/migrate:1.0', web: 'shop/web:1.0', proxy: 'envoyproxy/envoy:v1.30.1' },
      template: stored().spec.template,
      canary: { existed: false, replicas: 0 },
    });

    await cluster.setImage(target, 'web', 'shop/web:2.0');
    const messages = await watchRollout();

    expect(messages).toEqual([
      'Waiting for deployment spec update to be observed...',
      'Waiting for deployment "web" rollout to finish: 0 out of 3 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 3 old replicas are pending termination...',
      'Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...',
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
      'deployment "web" successfully rolled out',
    ]);
    expect(await cluster.rolloutStatus(target)).toEqual({
      state: 'complete',
      message: 'deployment "web" successfully rolled out',
      desired: 3,
      updated: 3,
      ready: 3,
      available: 3,
    });
    // Only the named container changed: the strategic merge matched it by name.
    const containers = stored().spec.template.spec.containers;
    expect(containers.map((c: Json) => [c.name, c.image])).toEqual([
      ['web', 'shop/web:2.0'],
      ['proxy', 'envoyproxy/envoy:v1.30.1'],
    ]);
    expect(containers[0].env).toEqual([{ name: 'MODE', value: 'prod' }]);
    expect(stored().metadata.generation).toBe(2);
  });

  it('sends setImage as a strategic merge patch and scale as a merge patch of the scale subresource', async () => {
    server.clearRequests();
    await cluster.setImage(target, 'web', 'shop/web:2.0');
    await cluster.scale(target, 5);

    expect(
      writes().map(({ method, path, contentType, body }) => ({ method, path, contentType, body })),
    ).toEqual([
      {
        method: 'PATCH',
        path: `${DEPLOYMENTS}/web`,
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'shop/web:2.0' }] } } } },
      },
      {
        method: 'PATCH',
        path: `${DEPLOYMENTS}/web/scale`,
        contentType: 'application/merge-patch+json',
        body: { spec: { replicas: 5 } },
      },
    ]);
    expect(writes().every((r) => r.query.fieldManager === 'switchyard')).toBe(true);
    expect(stored().spec.replicas).toBe(5);
    expect((await watchRollout()).at(-1)).toBe('deployment "web" successfully rolled out');
    expect((await cluster.rolloutStatus(target)).available).toBe(5);
  });

  it('sets the image of an init container in its own list', async () => {
    await cluster.setImage(target, 'migrate', 'shop/migrate:2.0');
    const spec = stored().spec.template.spec;
    expect(spec.initContainers.map((c: Json) => c.image)).toEqual(['shop/migrate:2.0']);
    expect(spec.containers).toHaveLength(2);
  });

  it('refuses to set the image of a container the Deployment does not have, and changes nothing', async () => {
    server.clearRequests();
    const failure = cluster.setImage(target, 'sidecar', 'x:1');
    await expect(failure).rejects.toBeInstanceOf(InvalidInputError);
    await expect(failure).rejects.toThrow('has no container "sidecar" (it has: migrate, web, proxy)');
    expect(writes()).toEqual([]);
  });

  it('creates the canary from the stable template with the new image, its own selector and labels', async () => {
    const name = await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.0', replicas: 1 });

    expect(name).toBe('web-canary');
    const canary = stored('web-canary');
    expect(canary.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'switchyard',
      'switchyard.dev/track': 'canary',
    });
    expect(canary.metadata.annotations).toEqual({ 'switchyard.dev/canary-of': 'web' });
    expect(canary.spec.replicas).toBe(1);
    expect(canary.spec.selector).toEqual({ matchLabels: { app: 'web', 'switchyard.dev/track': 'canary' } });
    expect(canary.spec.template.metadata.labels).toEqual({
      app: 'web',
      version: 'v1',
      'switchyard.dev/track': 'canary',
    });
    expect(canary.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(canary.spec.template.spec.containers.map((c: Json) => c.image)).toEqual([
      'shop/web:2.0',
      'envoyproxy/envoy:v1.30.1',
    ]);
    expect(canary.spec.template.spec.containers[0].readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 8080 },
    });
    expect(canary.spec.strategy).toEqual(stored().spec.strategy);
    // The stable Deployment is untouched.
    expect(stored().metadata.generation).toBe(1);
    expect(stored().spec.template.spec.containers[0].image).toBe('shop/web:1.0');

    expect((await watchRollout('canary')).at(-1)).toBe('deployment "web-canary" successfully rolled out');
  });

  it("lists each track's pod IPs by selector: the stable's exclude pods labelled canary", async () => {
    server.seed({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'other', namespace: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'other' } },
        template: {
          metadata: { labels: { app: 'other' } },
          spec: { containers: [{ name: 'o', image: 'o:1' }] },
        },
      },
    });
    await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.0', replicas: 1 });
    await watchRollout('canary');

    expect(await cluster.podAddresses(target, 'stable')).toEqual([0, 1, 2].map((i) => podIpOf('web', i)));
    expect(await cluster.podAddresses(target, 'canary')).toEqual([podIpOf('web-canary', 0)]);
    const lists = server.requests.filter((request) => request.path === '/api/v1/namespaces/shop/pods');
    expect(lists.map((request) => request.query.labelSelector)).toEqual([
      'app=web,switchyard.dev/track!=canary',
      'app=web,switchyard.dev/track=canary',
    ]);
    expect(await cluster.podAddresses({ ...target, deployment: 'absent' }, 'stable')).toEqual([]);
  });

  it('updates an existing canary in place with the new image and replicas', async () => {
    await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.0', replicas: 1 });
    const created = stored('web-canary');
    server.clearRequests();

    await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.1', replicas: 2 });

    const updated = stored('web-canary');
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    expect(updated.metadata.generation).toBe(2);
    expect(updated.spec.replicas).toBe(2);
    expect(updated.spec.template.spec.containers[0].image).toBe('shop/web:2.1');
    expect(updated.spec.selector).toEqual(created.spec.selector);
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${DEPLOYMENTS}/web-canary`]);
    expect((writes()[0]!.body as Json).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('makes the canary anew when its selector no longer matches the stable one (selectors are immutable)', async () => {
    server.seed({
      metadata: {
        name: 'web-canary',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'switchyard' },
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web-old' } },
        template: {
          metadata: { labels: { app: 'web-old' } },
          spec: { containers: [{ name: 'web', image: 'old:1' }] },
        },
      },
    });
    const old = stored('web-canary');

    await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.0', replicas: 1 });

    const canary = stored('web-canary');
    expect(canary.metadata.uid).not.toBe(old.metadata.uid);
    expect(canary.spec.selector.matchLabels).toEqual({ app: 'web', 'switchyard.dev/track': 'canary' });
  });

  it('will not take over a "-canary" Deployment that Switchyard does not manage', async () => {
    server.seed({
      metadata: { name: 'web-canary', namespace: 'shop', labels: { team: 'payments' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'theirs' } },
        template: {
          metadata: { labels: { app: 'theirs' } },
          spec: { containers: [{ name: 'web', image: 'theirs:1' }] },
        },
      },
    });
    const before = stored('web-canary');

    await expect(
      cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.0', replicas: 1 }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(cluster.removeCanary(target, 'delete')).rejects.toThrow(
      /will not change a Deployment it does not own/,
    );
    await expect(cluster.scale(target, 0, 'canary')).rejects.toBeInstanceOf(InvalidInputError);

    // A rollback restores the stable Deployment and leaves the foreign one as it found it.
    const snapshot = await cluster.snapshot(target);
    await cluster.setImage(target, 'web', 'shop/web:2.0');
    await cluster.restore(snapshot);
    expect(stored().spec.template).toEqual(snapshot.template);
    expect(stored('web-canary')).toEqual(before);
  });

  it('removes the canary by scaling it to zero, idempotently', async () => {
    await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.0', replicas: 2 });
    server.clearRequests();

    await cluster.removeCanary(target, 'scaleToZero');
    await cluster.removeCanary(target, 'scaleToZero');

    expect(stored('web-canary').spec.replicas).toBe(0);
    expect(writes().map((r) => `${r.method} ${r.path} ${r.contentType}`)).toEqual([
      `PATCH ${DEPLOYMENTS}/web-canary/scale application/merge-patch+json`,
      `PATCH ${DEPLOYMENTS}/web-canary/scale application/merge-patch+json`,
    ]);
  });

  it('removes the canary by deleting it, and an absent canary is already removed', async () => {
    await cluster.ensureCanary(target, { container: 'web', image: 'shop/web:2.0', replicas: 2 });
    server.clearRequests();

    await cluster.removeCanary(target, 'delete');
    await cluster.removeCanary(target, 'delete');
    await cluster.removeCanary(target, 'scaleToZero');

    expect(server.get('shop', 'web-canary')).toBeUndefined();
    const deletes = writes();
    expect(deletes.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE ${DEPLOYMENTS}/web-canary`]);
    expect(deletes[0]?.query.propagationPolicy).toBe('Background');
  });

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
