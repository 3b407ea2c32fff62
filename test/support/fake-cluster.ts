/**
 * In-memory Cluster port for handler tests: Deployments per region and track, the calls made on
 * them, and rollout statuses the test scripts. Re-exported by fakes.ts, where fakePorts builds it.
 */
import { NotFoundError } from '../../lambdas/core/errors';
import type {
  Cluster,
  DeploymentSnapshot,
  DeploymentView,
  RolloutStatus,
  Track,
  WorkloadTarget,
} from '../../lambdas/ports';

type Json = Record<string, unknown>;

interface FakeDeployment {
  replicas: number;
  images: Record<string, string>;
  template: Json;
  generation: number;
  labels: Record<string, string>;
}

export type ClusterCall =
  | { op: 'setImage'; deployment: string; track: Track; container: string; image: string }
  | { op: 'scale'; deployment: string; track: Track; replicas: number }
  | { op: 'ensureCanary'; deployment: string; image: string; replicas: number }
  | { op: 'removeCanary'; deployment: string; mode: 'scaleToZero' | 'delete' }
  | { op: 'restore'; deployment: string };

/** A pod template that passes the readiness gate: the baseline tests weaken one field at a time. */
export function securePodTemplate(container: string, image: string): Json {
  return {
    metadata: { labels: { app: container } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 10001 },
      containers: [
        {
          name: container,
          image,
          securityContext: {
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
          resources: {
            requests: { cpu: '100m', memory: '128Mi' },
            limits: { memory: '256Mi' },
          },
          livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
        },
      ],
    },
  };
}

/**
 * Deployments per region, cluster and namespace, stable and `-canary`. Rollout status answers
 * `complete` unless a test scripts it; every mutating call is recorded in order.
 */
export class FakeCluster implements Cluster {
  private readonly deployments = new Map<string, FakeDeployment>();
  private readonly statuses = new Map<string, RolloutStatus['state'][]>();
  readonly calls: ClusterCall[] = [];
  /** Deployments whose restore fails, by name: the rollback handlers must report them. */
  readonly failingRestores = new Set<string>();

  /** Adds a stable Deployment with one container named like the Deployment. */
  addDeployment(
    target: WorkloadTarget,
    spec: { replicas: number; image: string; container?: string; template?: Json },
  ): void {
    const container = spec.container ?? target.deployment;
    this.deployments.set(keyOf(target, 'stable'), {
      replicas: spec.replicas,
      images: { [container]: spec.image },
      template: spec.template ?? securePodTemplate(container, spec.image),
      generation: 1,
      labels: { app: target.deployment },
    });
  }

  /** The next answers of rolloutStatus for a track, in order; the last one repeats. */
  scriptRolloutStatus(target: WorkloadTarget, track: Track, states: RolloutStatus['state'][]): void {
    this.statuses.set(keyOf(target, track), [...states]);
  }

  /** Takes a Deployment away (someone deleted it, or it was never created). */
  removeDeployment(target: WorkloadTarget): void {
    this.deployments.delete(keyOf(target, 'stable'));
  }

  /** Every Deployment as plain data. */
  dump(): Json {
    return structuredClone(Object.fromEntries(this.deployments));
  }

  deployment(target: WorkloadTarget, track: Track = 'stable'): FakeDeployment | undefined {
    const found = this.deployments.get(keyOf(target, track));
    return found && structuredClone(found);
  }

  async readDeployment(target: WorkloadTarget, track: Track = 'stable'): Promise<DeploymentView | undefined> {
    const found = this.deployments.get(keyOf(target, track));
    if (!found) return undefined;
    return structuredClone({
      name: track === 'canary' ? `${target.deployment}-canary` : target.deployment,
      namespace: target.namespace,
      replicas: found.replicas,
      images: found.images,
      template: found.template,
      generation: found.generation,
      labels: found.labels,
    });
  }

  async snapshot(target: WorkloadTarget): Promise<DeploymentSnapshot> {
    const stable = this.deployments.get(keyOf(target, 'stable'));
    if (!stable) throw new NotFoundError(`deployment ${target.deployment} not found in ${target.region}`);
    const canary = this.deployments.get(keyOf(target, 'canary'));
    return structuredClone({
      target,
      existed: true,
      replicas: stable.replicas,
      images: stable.images,
      template: stable.template,
      canary: { existed: canary !== undefined, replicas: canary?.replicas ?? 0 },
    });
  }

  async setImage(
    target: WorkloadTarget,
    container: string,
    image: string,
    track: Track = 'stable',
  ): Promise<void> {
    const found = this.require(target, track);
    this.change(found, {
      images: { ...found.images, [container]: image },
      template: withImage(found.template, container, image),
    });
    this.calls.push({ op: 'setImage', deployment: target.deployment, track, container, image });
  }

  async scale(target: WorkloadTarget, replicas: number, track: Track = 'stable'): Promise<void> {
    this.change(this.require(target, track), { replicas });
    this.calls.push({ op: 'scale', deployment: target.deployment, track, replicas });
  }

  async ensureCanary(
    target: WorkloadTarget,
    spec: { container: string; image: string; replicas: number },
  ): Promise<string> {
    const stable = this.require(target, 'stable');
    const desired = {
      replicas: spec.replicas,
      images: { ...stable.images, [spec.container]: spec.image },
      template: withImage(stable.template, spec.container, spec.image),
    };
    const canary = this.deployments.get(keyOf(target, 'canary'));
    if (canary) this.change(canary, desired);
    else {
      this.deployments.set(keyOf(target, 'canary'), {
        ...desired,
        generation: 1,
        labels: { ...stable.labels, 'switchyard.dev/track': 'canary' },
      });
    }
    this.calls.push({
      op: 'ensureCanary',
      deployment: target.deployment,
      image: spec.image,
      replicas: spec.replicas,
    });
    return `${target.deployment}-canary`;
  }

  async removeCanary(target: WorkloadTarget, mode: 'scaleToZero' | 'delete'): Promise<void> {
    const canary = this.deployments.get(keyOf(target, 'canary'));
    if (canary && mode === 'scaleToZero') this.change(canary, { replicas: 0 });
    if (canary && mode === 'delete') this.deployments.delete(keyOf(target, 'canary'));
    this.calls.push({ op: 'removeCanary', deployment: target.deployment, mode });
  }

  async rolloutStatus(target: WorkloadTarget, track: Track = 'stable'): Promise<RolloutStatus> {
    const found = this.require(target, track);
    const scripted = this.statuses.get(keyOf(target, track));
    const state = (scripted && scripted.length > 1 ? scripted.shift() : scripted?.[0]) ?? 'complete';
    const ready = state === 'complete' ? found.replicas : 0;
    return {
      state,
      message:
        state === 'complete'
          ? `deployment "${target.deployment}" successfully rolled out`
          : state === 'failed'
            ? `deployment "${target.deployment}" exceeded its progress deadline`
            : `Waiting for deployment "${target.deployment}" rollout to finish: 0 of ${found.replicas} updated replicas are available...`,
      desired: found.replicas,
      updated: ready,
      ready,
      available: ready,
    };
  }

  async podAddresses(target: WorkloadTarget, track: Track): Promise<string[]> {
    return this.podIps(target.region, target.deployment, track);
  }

  /** One address per replica of a track's Deployment (found by region and name): what its group registers. */
  podIps(region: string, deployment: string, track: Track): string[] {
    const found = [...this.deployments].find(([key]) => {
      const [keyRegion, , , keyDeployment, keyTrack] = key.split('/');
      return keyRegion === region && keyDeployment === deployment && keyTrack === track;
    })?.[1];
    const subnet = track === 'stable' ? 1 : 2;
    return Array.from({ length: found?.replicas ?? 0 }, (_, index) => `10.${subnet}.0.${index + 1}`);
  }

  async restore(snapshot: DeploymentSnapshot): Promise<void> {
    const { target } = snapshot;
    if (this.failingRestores.has(target.deployment)) {
      throw new NotFoundError(`cannot restore ${target.deployment}: the API refused the patch`);
    }
    if (snapshot.existed) {
      const saved = { replicas: snapshot.replicas, images: snapshot.images, template: snapshot.template };
      const current = this.deployments.get(keyOf(target, 'stable'));
      if (current) this.change(current, saved);
      else
        this.deployments.set(keyOf(target, 'stable'), {
          ...structuredClone(saved),
          generation: 1,
          labels: { app: target.deployment },
        });
    } else {
      this.deployments.delete(keyOf(target, 'stable'));
    }
    const canary = this.deployments.get(keyOf(target, 'canary'));
    if (!snapshot.canary.existed) this.deployments.delete(keyOf(target, 'canary'));
    else if (canary) this.change(canary, { replicas: snapshot.canary.replicas });
    this.calls.push({ op: 'restore', deployment: target.deployment });
  }

  /** Applies a spec change; like the API server, bumps the generation only when the spec changed. */
  private change(
    deployment: FakeDeployment,
    spec: Partial<Pick<FakeDeployment, 'replicas' | 'images' | 'template'>>,
  ): void {
    const before = JSON.stringify([deployment.replicas, deployment.images, deployment.template]);
    Object.assign(deployment, structuredClone(spec));
    if (JSON.stringify([deployment.replicas, deployment.images, deployment.template]) !== before)
      deployment.generation++;
  }

  private require(target: WorkloadTarget, track: Track): FakeDeployment {
    const found = this.deployments.get(keyOf(target, track));
    if (!found)
      throw new NotFoundError(`deployment ${target.deployment} (${track}) not found in ${target.region}`);
    return found;
  }
}

function keyOf(target: WorkloadTarget, track: Track): string {
  return `${target.region}/${target.cluster}/${target.namespace}/${target.deployment}/${track}`;
}

function withImage(template: Json, container: string, image: string): Json {
  const copy = structuredClone(template);
  const spec = copy.spec as { containers?: Array<{ name: string; image?: string }> } | undefined;
  for (const entry of spec?.containers ?? []) if (entry.name === container) entry.image = image;
  return copy;
}
