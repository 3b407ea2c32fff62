/**
 * Judges a Deployment the way `kubectl rollout status` does (kubectl's DeploymentStatusViewer in
 * k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go): the same checks in the same order,
 * with the same messages (minus kubectl's trailing newline). kubectl also appends pod warnings
 * (ImagePullBackOff, Unschedulable…) by listing pods; this judge reads the Deployment alone.
 */
import type { RolloutStatus } from '../../ports';

/** kubectl's deploymentutil.TimedOutReason. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

/** The fields the judgement reads: satisfied by client-node's V1Deployment and by plain API JSON. */
export interface DeploymentStatusInput {
  metadata?: { name?: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: ReadonlyArray<{ type: string; reason?: string }>;
  };
}

export function judgeDeploymentRollout(deployment: DeploymentStatusInput): RolloutStatus {
  const name = deployment.metadata?.name ?? '';
  const status = deployment.status ?? {};
  // Absent numbers are Go zero values in kubectl's typed struct.
  const generation = deployment.metadata?.generation ?? 0;
  const observedGeneration = status.observedGeneration ?? 0;
  const specReplicas = deployment.spec?.replicas;
  const replicas = status.replicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const figures = {
    // The API server defaults spec.replicas to 1, so an absent value means 1.
    desired: specReplicas ?? 1,
    updated,
    ready: status.readyReplicas ?? 0,
    available,
  };
  const progressing = (message: string): RolloutStatus => ({ state: 'progressing', message, ...figures });

  if (generation > observedGeneration) {
    return progressing('Waiting for deployment spec update to be observed...');
  }
  const progressingCondition = status.conditions?.find((condition) => condition.type === 'Progressing');
  if (progressingCondition?.reason === PROGRESS_DEADLINE_EXCEEDED) {
    return { state: 'failed', message: `deployment "${name}" exceeded its progress deadline`, ...figures };
  }
  if (specReplicas !== undefined && updated < specReplicas) {
    return progressing(
      `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${specReplicas} new replicas have been updated...`,
    );
  }
  if (replicas > updated) {
    return progressing(
      `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...`,
    );
  }
  if (available < updated) {
    return progressing(
      `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`,
    );
  }
  return { state: 'complete', message: `deployment "${name}" successfully rolled out`, ...figures };
}
