/** What the cluster*.test.ts files share: a fake API server with the web Deployment, the adapter on it. */
import { vi } from 'vitest';
import { createEksCluster } from '../../../lambdas/adapters/kubernetes/cluster';
import type { Connect } from '../../../lambdas/adapters/kubernetes/eks-connection';
import type { Cluster, Track, WorkloadTarget } from '../../../lambdas/ports';
import { type FakeKubeApiServer, startFakeKubeApiServer } from '../../support/fake-kube-apiserver';

export const target: WorkloadTarget = {
  region: 'eu-west-1',
  cluster: 'prod-eu',
  namespace: 'shop',
  deployment: 'web',
};
export const DEPLOYMENTS = '/apis/apps/v1/namespaces/shop/deployments';

/** The stable Deployment as a Helm chart would have made it. */
export function webDeployment(): Record<string, unknown> {
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
export type Json = Record<string, any>;

/** A fake API server holding the web Deployment, and the adapter connected to it by `connect`. */
export async function startWebCluster(): Promise<{
  server: FakeKubeApiServer;
  connect: ReturnType<typeof vi.fn<Connect>>;
  cluster: Cluster;
}> {
  const server = await startFakeKubeApiServer({ token: 'token-1' });
  const connect = vi.fn<Connect>(async () => ({ server: server.url, token: 'token-1', skipTLSVerify: true }));
  const cluster = createEksCluster({ connect });
  server.seed(webDeployment());
  return { server, connect, cluster };
}

/** Advances the controller one step at a time, collecting what `rolloutStatus` says, until done. */
export async function rolloutMessages(
  cluster: Cluster,
  server: FakeKubeApiServer,
  track: Track = 'stable',
  maxSteps = 30,
): Promise<string[]> {
  const seen: string[] = [];
  for (let step = 0; step <= maxSteps; step++) {
    const status = await cluster.rolloutStatus(target, track);
    if (seen.at(-1) !== status.message) seen.push(status.message);
    if (status.state !== 'progressing') return seen;
    server.advance();
  }
  return seen;
}
