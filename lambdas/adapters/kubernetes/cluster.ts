// @kubernetes/client-node is pinned to 1.4.x: 2.x imports undici 8, which crashes on Node 20
// unless undici is overridden to ^7; 1.4.x runs as it is and has the same object-style API
// (`api.readNamespacedDeployment({ name, namespace })`), so moving up later is a version bump.
/**
 * The Cluster port on EKS: Deployments (apps/v1) through the Kubernetes API, reached with an
 * EKS token (see eks-connection.ts). The Lambda role needs `CLUSTER_IAM_ACTIONS` in IAM and,
 * separately, an EKS access entry whose Kubernetes RBAC allows get/create/update/patch/delete
 * on deployments and deployments/scale in the target namespaces.
 */
import type { V1Container, V1Deployment, V1LabelSelector, V1PodTemplateSpec } from '@kubernetes/client-node';
import { InvalidInputError, NotFoundError } from '../../core/errors';
import type {
  Cluster,
  DeploymentSnapshot,
  DeploymentView,
  RolloutStatus,
  Track,
  WorkloadTarget,
} from '../../ports';
import { FIELD_MANAGER, KubernetesApiCaller, mergePatch, strategicMergePatch } from './api-calls';
import { AppsV1Api, CoreV1Api } from './client-node';
import {
  CANARY_OF_ANNOTATION,
  canaryName,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  snapshotOf,
  TRACK_LABEL,
} from './conventions';
import { type Connect, connectorFor, type EksAdapterOptions } from './eks-connection';
import { judgeDeploymentRollout } from './rollout-status';

export {
  CANARY_OF_ANNOTATION,
  CANARY_SUFFIX,
  canaryName,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  TRACK_LABEL,
} from './conventions';
/** The IAM actions this adapter calls; the CDK stack grants exactly these. */
export { CLUSTER_IAM_ACTIONS } from './iam';

export type EksClusterOptions = EksAdapterOptions;

/** The Cluster port on EKS. Create once per process: connections and tokens are cached inside. */
export function createEksCluster(options: EksClusterOptions = {}): Cluster {
  return new KubernetesCluster(connectorFor(options));
}

function deploymentName(target: WorkloadTarget, track: Track = 'stable'): string {
  return track === 'canary' ? canaryName(target.deployment) : target.deployment;
}

function describeDeployment(target: WorkloadTarget, name: string): string {
  return `Deployment ${target.namespace}/${name} in EKS cluster "${target.cluster}" (${target.region})`;
}

class KubernetesCluster implements Cluster {
  private readonly apps: KubernetesApiCaller<AppsV1Api>;
  private readonly core: KubernetesApiCaller<CoreV1Api>;

  constructor(connect: Connect) {
    this.apps = new KubernetesApiCaller(connect, AppsV1Api);
    this.core = new KubernetesApiCaller(connect, CoreV1Api);
  }

  async readDeployment(target: WorkloadTarget, track: Track = 'stable'): Promise<DeploymentView | undefined> {
    const deployment = await this.find(target, deploymentName(target, track));
    return deployment && toView(deployment);
  }

  async snapshot(target: WorkloadTarget): Promise<DeploymentSnapshot> {
    const stable = await this.require(target, target.deployment);
    const canary = await this.find(target, canaryName(target.deployment));
    return snapshotOf(target, toView(stable), canary ? replicasOf(canary) : undefined);
  }

  async setImage(
    target: WorkloadTarget,
    container: string,
    image: string,
    track: Track = 'stable',
  ): Promise<void> {
    const name = deploymentName(target, track);
    const deployment = await this.require(target, name);
    if (track === 'canary') assertOwnedCanary(deployment, target);
    const list = containerListOf(deployment.spec?.template, container, describeDeployment(target, name));
    // Strategic merge matches containers by name, so only this container's image changes. The
    // existence check above matters: for an unknown name the same patch would add a container.
    const body = { spec: { template: { spec: { [list]: [{ name: container, image }] } } } };
    await this.call(target, name, (api) =>
      api.patchNamespacedDeployment(
        { name, namespace: target.namespace, body, fieldManager: FIELD_MANAGER },
        strategicMergePatch,
      ),
    );
  }

  async scale(target: WorkloadTarget, replicas: number, track: Track = 'stable'): Promise<void> {
    assertReplicas(replicas);
    const name = deploymentName(target, track);
    if (track === 'canary') await this.requireOwnedCanary(target);
    await this.scaleDeployment(target, name, replicas);
  }

  async ensureCanary(
    target: WorkloadTarget,
    spec: { container: string; image: string; replicas: number },
  ): Promise<string> {
    assertReplicas(spec.replicas);
    const stable = await this.require(target, target.deployment);
    const desired = buildCanary(stable, target, spec);
    const name = desired.metadata!.name!;
    const existing = await this.find(target, name);
    if (existing) assertOwnedCanary(existing, target);

    if (existing && sameSelector(existing.spec?.selector, desired.spec!.selector)) {
      desired.metadata!.resourceVersion = existing.metadata?.resourceVersion;
      desired.metadata!.annotations = { ...existing.metadata?.annotations, ...desired.metadata!.annotations };
      await this.call(target, name, (api) =>
        api.replaceNamespacedDeployment({
          name,
          namespace: target.namespace,
          body: desired,
          fieldManager: FIELD_MANAGER,
        }),
      );
      return name;
    }
    // A selector is immutable: when the stable's selector changed, the canary is made anew.
    if (existing) await this.deleteDeployment(target, name);
    await this.call(target, name, (api) =>
      api.createNamespacedDeployment({
        namespace: target.namespace,
        body: desired,
        fieldManager: FIELD_MANAGER,
      }),
    );
    return name;
  }

  async removeCanary(target: WorkloadTarget, mode: 'scaleToZero' | 'delete'): Promise<void> {
    const name = canaryName(target.deployment);
    const canary = await this.find(target, name);
    if (!canary) return;
    assertOwnedCanary(canary, target);
    try {
      if (mode === 'delete') await this.deleteDeployment(target, name);
      else await this.scaleDeployment(target, name, 0);
    } catch (error) {
      // Gone between the read and the write: what was asked for holds.
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  async rolloutStatus(target: WorkloadTarget, track: Track = 'stable'): Promise<RolloutStatus> {
    return judgeDeploymentRollout(await this.require(target, deploymentName(target, track)));
  }

  async podAddresses(target: WorkloadTarget, track: Track): Promise<string[]> {
    const name = deploymentName(target, track);
    const deployment = await this.find(target, name);
    if (!deployment) return [];
    // Canary pods carry every stable label too, so the stable Deployment's selector matches
    // them: its pods are the ones that selector matches less those labelled canary.
    // https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
    const selector = [
      labelSelectorText(deployment.spec?.selector),
      ...(track === 'stable' ? [`${TRACK_LABEL}!=canary`] : []),
    ]
      .filter(Boolean)
      .join(',');
    const pods = await this.core.call(target, `pods of ${describeDeployment(target, name)}`, (api) =>
      api.listNamespacedPod({ namespace: target.namespace, labelSelector: selector }),
    );
    return pods.items
      .filter((pod) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')
      .flatMap((pod) => {
        const ips = (pod.status?.podIPs ?? []).map((entry) => entry.ip);
        return ips.length > 0 ? ips : pod.status?.podIP ? [pod.status.podIP] : [];
      });
  }

  async restore(snapshot: DeploymentSnapshot): Promise<void> {
    const { target } = snapshot;
    let stable: V1Deployment | undefined;
    if (snapshot.existed) {
      const current = await this.require(target, target.deployment);
      // A merge patch from the current template to the saved one: lists are replaced whole, and
      // keys added since the snapshot are removed with null, so the template ends up exactly as
      // saved. The resourceVersion makes the patch apply only to the version it was computed from.
      const body = {
        metadata: { resourceVersion: current.metadata?.resourceVersion },
        spec: {
          replicas: snapshot.replicas,
          template: mergePatchBetween(toJson(current.spec?.template ?? {}), snapshot.template),
        },
      };
      stable = await this.call(target, target.deployment, (api) =>
        api.patchNamespacedDeployment(
          { name: target.deployment, namespace: target.namespace, body, fieldManager: FIELD_MANAGER },
          mergePatch,
        ),
      );
    } else {
      await this.deleteIfPresent(target, target.deployment);
    }

    // The canary goes back to what the snapshot says. A "-canary" Deployment that Switchyard
    // does not own was never touched by the release (ensureCanary refuses it), so it stays.
    const name = canaryName(target.deployment);
    const canary = await this.find(target, name);
    if (canary && !isOwnedCanary(canary)) return;
    if (!snapshot.canary.existed) {
      if (canary) await this.deleteIfPresent(target, name);
    } else if (canary) {
      await this.scaleDeployment(target, name, snapshot.canary.replicas);
    } else if (stable && snapshot.canary.replicas > 0) {
      // The release deleted a canary that was serving before: bring it back on the restored
      // template (its own template was not part of the snapshot).
      const body = buildCanary(stable, target, { replicas: snapshot.canary.replicas });
      await this.call(target, name, (api) =>
        api.createNamespacedDeployment({ namespace: target.namespace, body, fieldManager: FIELD_MANAGER }),
      );
    }
  }

  // ── plumbing ──────────────────────────────────────────────────────────────

  private async find(target: WorkloadTarget, name: string): Promise<V1Deployment | undefined> {
    try {
      return await this.call(target, name, (api) =>
        api.readNamespacedDeployment({ name, namespace: target.namespace }),
      );
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private async require(target: WorkloadTarget, name: string): Promise<V1Deployment> {
    return this.call(target, name, (api) =>
      api.readNamespacedDeployment({ name, namespace: target.namespace }),
    );
  }

  private async requireOwnedCanary(target: WorkloadTarget): Promise<void> {
    assertOwnedCanary(await this.require(target, canaryName(target.deployment)), target);
  }

  private async scaleDeployment(target: WorkloadTarget, name: string, replicas: number): Promise<void> {
    await this.call(target, name, (api) =>
      api.patchNamespacedDeploymentScale(
        { name, namespace: target.namespace, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
        mergePatch,
      ),
    );
  }

  private async deleteDeployment(target: WorkloadTarget, name: string): Promise<void> {
    // Background: the Deployment goes at once (so a new one of the same name can follow) and
    // the garbage collector removes its ReplicaSets and pods.
    await this.call(target, name, (api) =>
      api.deleteNamespacedDeployment({ name, namespace: target.namespace, propagationPolicy: 'Background' }),
    );
  }

  private async deleteIfPresent(target: WorkloadTarget, name: string): Promise<void> {
    try {
      await this.deleteDeployment(target, name);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  private call<T>(target: WorkloadTarget, name: string, action: (api: AppsV1Api) => Promise<T>): Promise<T> {
    return this.apps.call(target, describeDeployment(target, name), action);
  }
}

// ── Deployment shapes ───────────────────────────────────────────────────────

function assertReplicas(replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new InvalidInputError(`replicas must be a whole number ≥ 0, got ${replicas}`);
  }
}

function replicasOf(deployment: V1Deployment): number {
  // The API server defaults spec.replicas to 1.
  return deployment.spec?.replicas ?? 1;
}

/** client-node's model objects as plain API JSON (dates become strings, absent fields vanish). */
function toJson<T>(value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value ?? {})) as Record<string, unknown>;
}

function allContainers(template: V1PodTemplateSpec | undefined): V1Container[] {
  return [...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])];
}

function toView(deployment: V1Deployment): DeploymentView {
  const images: Record<string, string> = {};
  for (const container of allContainers(deployment.spec?.template))
    images[container.name] = container.image ?? '';
  return {
    name: deployment.metadata?.name ?? '',
    namespace: deployment.metadata?.namespace ?? '',
    replicas: replicasOf(deployment),
    images,
    template: toJson(deployment.spec?.template),
    generation: deployment.metadata?.generation ?? 0,
    labels: { ...deployment.metadata?.labels },
  };
}

/** Which list of the pod spec holds `container`; container names are unique across both. */
function containerListOf(
  template: V1PodTemplateSpec | undefined,
  container: string,
  subject: string,
): 'containers' | 'initContainers' {
  if (template?.spec?.containers?.some((c) => c.name === container)) return 'containers';
  if (template?.spec?.initContainers?.some((c) => c.name === container)) return 'initContainers';
  const known = allContainers(template).map((c) => c.name);
  throw new InvalidInputError(
    `${subject} has no container "${container}" (it has: ${known.join(', ') || 'none'})`,
  );
}

function isOwnedCanary(canary: V1Deployment): boolean {
  return canary.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

function assertOwnedCanary(canary: V1Deployment, target: WorkloadTarget): void {
  if (!isOwnedCanary(canary)) {
    throw new InvalidInputError(
      `${describeDeployment(target, canary.metadata?.name ?? canaryName(target.deployment))} exists but is not labelled ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}; Switchyard will not change a Deployment it does not own`,
    );
  }
}

/**
 * The canary Deployment made from the stable one: the stable's pod template (with `image` for
 * `container`, when given) and rollout settings, and its selector and pod labels plus
 * `switchyard.dev/track: canary`, so the canary's pods can be selected apart from the stable's.
 * The stable's own labels are not copied: tools that track objects by label (Helm, Argo CD)
 * would otherwise claim, or prune, a Deployment they did not create.
 */
function buildCanary(
  stable: V1Deployment,
  target: WorkloadTarget,
  spec: { container?: string; image?: string; replicas: number },
): V1Deployment {
  const template = structuredClone(stable.spec?.template ?? {}) as V1PodTemplateSpec;
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [TRACK_LABEL]: 'canary' },
  };
  if (spec.container !== undefined && spec.image !== undefined) {
    const subject = describeDeployment(target, target.deployment);
    const list = containerListOf(template, spec.container, subject);
    for (const container of template.spec?.[list] ?? []) {
      if (container.name === spec.container) container.image = spec.image;
    }
  }
  const stableSelector: V1LabelSelector = stable.spec?.selector ?? {};
  const selector: V1LabelSelector = {
    ...structuredClone(stableSelector),
    matchLabels: { ...stableSelector.matchLabels, [TRACK_LABEL]: 'canary' },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: canaryName(target.deployment),
      namespace: target.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TRACK_LABEL]: 'canary' },
      annotations: { [CANARY_OF_ANNOTATION]: target.deployment },
    },
    spec: {
      replicas: spec.replicas,
      selector,
      template,
      strategy: stable.spec?.strategy,
      minReadySeconds: stable.spec?.minReadySeconds,
      progressDeadlineSeconds: stable.spec?.progressDeadlineSeconds,
      revisionHistoryLimit: stable.spec?.revisionHistoryLimit,
    },
  };
}

/** A LabelSelector as the query text the API's labelSelector parameter takes. */
function labelSelectorText(selector: V1LabelSelector | undefined): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of selector?.matchExpressions ?? []) {
    const values = (expression.values ?? []).join(',');
    if (expression.operator === 'In') terms.push(`${expression.key} in (${values})`);
    else if (expression.operator === 'NotIn') terms.push(`${expression.key} notin (${values})`);
    else if (expression.operator === 'Exists') terms.push(expression.key);
    else if (expression.operator === 'DoesNotExist') terms.push(`!${expression.key}`);
  }
  return terms.join(',');
}

function sameSelector(a: V1LabelSelector | undefined, b: V1LabelSelector | undefined): boolean {
  return deepEqual(toJson(a), toJson(b));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((key) => key in b && deepEqual(a[key], b[key]))
    );
  }
  return false;
}

/** The RFC 7386 merge patch that turns `current` into `desired`. */
export function mergePatchBetween(current: unknown, desired: unknown): unknown {
  if (!isPlainObject(current) || !isPlainObject(desired)) return desired;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(current)) {
    if (!(key in desired)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(desired)) {
    if (!(key in current)) patch[key] = value;
    else if (!deepEqual(current[key], value)) patch[key] = mergePatchBetween(current[key], value);
  }
  return patch;
}
