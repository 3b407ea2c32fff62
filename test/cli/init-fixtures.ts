/**
 * The shop namespace `switchyard init` is tested on, as charts leave one: a web front with a
 * sidecar behind an ALB Ingress, an api whose first container is not named after it, a
 * Recreate database, a worker scaled to zero with no probes, and a Deployment an Argo Rollout
 * owns.
 */
import type { FakeKubeApiServer } from '../support/fake-kube-apiserver';

type Json = Record<string, unknown>;

function deployment(name: string, { podSpec, ...spec }: Json, metadata: Json = {}): Json {
  return {
    metadata: { name, namespace: 'shop', labels: { app: name }, ...metadata },
    spec: {
      selector: { matchLabels: { app: name } },
      ...spec,
      template: { metadata: { labels: { app: name, tier: 'backend' } }, spec: podSpec },
    },
  };
}

const hardened = {
  securityContext: {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  livenessProbe: { tcpSocket: { port: 8080 } },
};

const SHOP: Record<string, Json> = {
  web: deployment('web', {
    replicas: 3,
    podSpec: {
      containers: [
        {
          name: 'web',
          image: 'shop/web:1.0',
          ...hardened,
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
        },
        {
          name: 'proxy',
          image: 'envoyproxy/envoy:v1.30.1',
          ...hardened,
          readinessProbe: { tcpSocket: { port: 9901 } },
        },
      ],
    },
  }),
  api: deployment('api', {
    replicas: 3,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    podSpec: {
      containers: [
        {
          name: 'server',
          image: 'shop/api:4.2',
          ...hardened,
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
        },
      ],
    },
  }),
  postgres: deployment('postgres', {
    replicas: 1,
    strategy: { type: 'Recreate' },
    podSpec: {
      containers: [
        {
          name: 'postgres',
          image: 'postgres:16.4',
          ...hardened,
          readinessProbe: { exec: { command: ['pg_isready'] } },
        },
      ],
    },
  }),
  worker: deployment('worker', {
    replicas: 0,
    podSpec: { containers: [{ name: 'worker', image: 'shop/worker:2.0' }] },
  }),
  legacy: deployment(
    'legacy',
    { replicas: 0, podSpec: { containers: [{ name: 'legacy', image: 'shop/legacy:0.9' }] } },
    {
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'legacy',
          uid: '6f9c1b5e-0000-4000-8000-000000000001',
        },
      ],
    },
  ),
};

/** Seeds the shop namespace (or only the named Deployments of it). */
export function seedShop(server: FakeKubeApiServer, options: { only?: string[] } = {}): void {
  for (const [name, object] of Object.entries(SHOP)) {
    if (!options.only || options.only.includes(name)) server.seed(structuredClone(object));
  }
  if (options.only) return;
  server.seedService({
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
  server.seedService({
    metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] },
  });
  // Selects nothing in particular: a selector the pods lack is not a match.
  server.seedService({
    metadata: { name: 'metrics', namespace: 'shop' },
    spec: { selector: { app: 'metrics' }, ports: [{ port: 9090 }] },
  });
  server.seedIngress({
    metadata: { name: 'shop-public', namespace: 'shop' },
    spec: {
      ingressClassName: 'alb',
      tls: [{ hosts: ['shop.example.com'] }],
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  });
}
