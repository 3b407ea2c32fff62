/**
 * Pod templates of the simulated Deployments, as the Kubernetes API returns `spec.template`.
 * The usual one passes a strict readiness gate; the insecure one (a fault) fails every check.
 */
import { TRACK_LABEL } from '../../lambdas/adapters/kubernetes/conventions';

export interface PodTemplateSpec {
  deployment: string;
  service: string;
  container: string;
  image: string;
}

/**
 * The documented setup (README, "Target groups"): stable pods carry `switchyard.dev/track: stable`
 * and the stable Service selects on it, because a selector can require a label but never exclude
 * one, and canary pods carry every stable label.
 */
const POD_LABELS = (spec: PodTemplateSpec) => ({
  app: spec.deployment,
  'app.kubernetes.io/name': spec.service,
  [TRACK_LABEL]: 'stable',
});

export function securePodTemplate(spec: PodTemplateSpec): Record<string, unknown> {
  return {
    metadata: { labels: POD_LABELS(spec) },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      automountServiceAccountToken: false,
      containers: [
        {
          name: spec.container,
          image: spec.image,
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          resources: {
            requests: { cpu: '250m', memory: '256Mi' },
            limits: { cpu: '1', memory: '512Mi' },
          },
          securityContext: {
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
          livenessProbe: {
            httpGet: { path: '/healthz', port: 'http' },
            periodSeconds: 10,
            failureThreshold: 3,
          },
          readinessProbe: {
            httpGet: { path: '/readyz', port: 'http' },
            periodSeconds: 5,
            failureThreshold: 3,
          },
        },
      ],
    },
  };
}

/** What a readiness gate exists to stop: root, a writable root filesystem, escalation, no limits, no probes. */
export function insecurePodTemplate(spec: PodTemplateSpec): Record<string, unknown> {
  return {
    metadata: { labels: POD_LABELS(spec) },
    spec: {
      containers: [
        {
          name: spec.container,
          image: spec.image,
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          securityContext: {
            runAsUser: 0,
            runAsNonRoot: false,
            readOnlyRootFilesystem: false,
            allowPrivilegeEscalation: true,
            capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] },
          },
        },
      ],
    },
  };
}
