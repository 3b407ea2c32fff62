/** The Cluster port: Deployments in each region's EKS cluster, read, changed and restored. */

/** One Deployment in one region's cluster. The canary Deployment is `<deployment>-canary`. */
export interface WorkloadTarget {
  region: string;
  cluster: string;
  namespace: string;
  deployment: string;
}

export type Track = 'stable' | 'canary';

export interface DeploymentView {
  name: string;
  namespace: string;
  replicas: number;
  /** Image per container name. */
  images: Record<string, string>;
  /** The pod template as the API returned it (spec.template): what readiness scoring reads. */
  template: Record<string, unknown>;
  generation: number;
  labels: Record<string, string>;
}

/** What a workload looked like before the release touched it: what a rollback restores. */
export interface DeploymentSnapshot {
  target: WorkloadTarget;
  /** false when the release created it (rollback deletes it instead of restoring it). */
  existed: boolean;
  replicas: number;
  images: Record<string, string>;
  template: Record<string, unknown>;
  /** Whether the canary Deployment existed before, and its replicas then. */
  canary: { existed: boolean; replicas: number };
}

export interface RolloutStatus {
  /** Judged as `kubectl rollout status` judges: see adapters/kubernetes/rollout-status.ts. */
  state: 'complete' | 'progressing' | 'failed';
  message: string;
  desired: number;
  updated: number;
  ready: number;
  available: number;
}

export interface Cluster {
  readDeployment(target: WorkloadTarget, track?: Track): Promise<DeploymentView | undefined>;
  snapshot(target: WorkloadTarget): Promise<DeploymentSnapshot>;
  setImage(target: WorkloadTarget, container: string, image: string, track?: Track): Promise<void>;
  scale(target: WorkloadTarget, replicas: number, track?: Track): Promise<void>;
  /**
   * Creates or updates `<deployment>-canary` from the stable Deployment's template with the
   * new image, labelled `switchyard.dev/track: canary` so a Service or TargetGroupBinding can
   * select it. Returns the canary Deployment's name.
   */
  ensureCanary(
    target: WorkloadTarget,
    spec: { container: string; image: string; replicas: number },
  ): Promise<string>;
  /** Scales the canary to zero, or deletes it. Absent canaries are fine: this is idempotent. */
  removeCanary(target: WorkloadTarget, mode: 'scaleToZero' | 'delete'): Promise<void>;
  rolloutStatus(target: WorkloadTarget, track?: Track): Promise<RolloutStatus>;
  /**
   * The IPs of the running pods of one track: the canary Deployment's by its selector, and the
   * stable Deployment's by its selector less pods labelled `switchyard.dev/track: canary` (which
   * carry the stable labels too). What target groups of type `ip` register, to compare with.
   */
  podAddresses(target: WorkloadTarget, track: Track): Promise<string[]>;
  /** Re-applies the saved template and replicas (not ReplicaSet history), and the canary's state. */
  restore(snapshot: DeploymentSnapshot): Promise<void>;
}
