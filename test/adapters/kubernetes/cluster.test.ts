/**
 * The EKS Cluster adapter against a fake Kubernetes API server: reading a Deployment, setting images,
 * making, updating and removing the canary. Restores, failures, the fake server itself and the EKS
 * wiring are in cluster-restore-errors.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER_IAM_ACTIONS } from '../../../lambdas/adapters/kubernetes/cluster';
import { InvalidInputError } from '../../../lambdas/core/errors';
import type { Cluster, Track } from '../../../lambdas/ports';
import { type FakeKubeApiServer, podIpOf } from '../../support/fake-kube-apiserver';
import { DEPLOYMENTS, type Json, rolloutMessages, startWebCluster, target } from './cluster-support';

describe('the EKS Cluster adapter against a Kubernetes API server', () => {
  let server: FakeKubeApiServer;
  let cluster: Cluster;

  beforeEach(async () => {
    ({ server, cluster } = await startWebCluster());
  });

  afterEach(async () => {
    await server.close();
  });

  const stored = (name = 'web'): Json => server.get('shop', name) as Json;
  const writes = () => server.requests.filter((r) => r.method !== 'GET');
  const watchRollout = (track?: Track, maxSteps?: number) =>
    rolloutMessages(cluster, server, track, maxSteps);

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
});
