/**
 * How Switchyard names and labels the Deployments it manages, and the snapshot it keeps of
 * them: shared by the Kubernetes adapter and the rehearsal's simulated clusters, and free of
 * @kubernetes/client-node so the simulation loads fast.
 */
import type { DeploymentSnapshot, DeploymentView, WorkloadTarget } from '../../ports';

export const CANARY_SUFFIX = '-canary';
export const TRACK_LABEL = 'switchyard.dev/track';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'switchyard';
/** On a canary Deployment: the stable Deployment it was made from (annotation: names exceed 63 chars). */
export const CANARY_OF_ANNOTATION = 'switchyard.dev/canary-of';

export function canaryName(deployment: string): string {
  return `${deployment}${CANARY_SUFFIX}`;
}

/** What a rollback restores: the stable Deployment as it is, and whether its canary existed. */
export function snapshotOf(
  target: WorkloadTarget,
  stable: Pick<DeploymentView, 'replicas' | 'images' | 'template'>,
  canaryReplicas: number | undefined,
): DeploymentSnapshot {
  return {
    target: {
      region: target.region,
      cluster: target.cluster,
      namespace: target.namespace,
      deployment: target.deployment,
    },
    existed: true,
    replicas: stable.replicas,
    images: stable.images,
    template: stable.template,
    canary: { existed: canaryReplicas !== undefined, replicas: canaryReplicas ?? 0 },
  };
}
