/**
 * The Cluster port on simulated EKS clusters, one per region of the plan. It keeps the Kubernetes
 * adapter's contract (lambdas/adapters/kubernetes/cluster.ts): the same not-found and invalid-input
 * answers, the same canary naming and labels, the same snapshot and restore semantics, and rollout
 * status judged by the very function that judges real Deployments. Deployment shapes (names,
 * templates, containers) are in deployment-shapes.ts.
 */

import {
  canaryName,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  snapshotOf,
  TRACK_LABEL,
} from '../../lambdas/adapters/kubernetes/conventions';
import { judgeDeploymentRollout } from '../../lambdas/adapters/kubernetes/rollout-status';
import { NotFoundError, TransientClusterError } from '../../lambdas/core/errors';
import type { ResolvedService } from '../../lambdas/core/plan/resolve';
import type {
  Cluster,
  DeploymentSnapshot,
  DeploymentView,
  RolloutStatus,
  Track,
  WorkloadTarget,
} from '../../lambdas/ports';
import type { FleetContext } from './context';
import {
  assertOwnedCanary,
  assertReplicas,
  canaryTemplate,
  containerImage,
  deepEqual,
  deploymentName,
  describeDeployment,
  type Json,
  key,
  podIp,
  podLabels,
  type SimulatedDeployment,
  setContainerImage,
  toView,
} from './deployment-shapes';
import { insecurePodTemplate, securePodTemplate } from './pod-template';
import {
  deploymentStatus,
  emptySegment,
  nextSegment,
  type PodCensus,
  podsAt,
  podsOf,
  type RolloutSegment,
  settledSegment,
} from './rollout';

/** A pod of a service's stable or canary Deployment, as the load balancer's controller sees it. */
export interface SimulatedPod {
  track: Track;
  ip: string;
  labels: Record<string, string>;
  image: string | undefined;
  /** When it passed its readiness probe (and so became a ready endpoint); undefined while not. */
  readySinceMs: number | undefined;
}

/** Called after every change to a service's Deployments, with the service and region. */
export type ClusterChangeListener = (service: string, region: string) => void;

export class SimulatedClusters implements Cluster {
  private readonly regions = new Map<
    string,
    { cluster: string; deployments: Map<string, SimulatedDeployment> }
  >();
  private readonly listeners: ClusterChangeListener[] = [];

  constructor(private readonly context: FleetContext) {
    const insecure = new Set(
      context.faults.faults.flatMap((fault) =>
        fault.type === 'insecureWorkload' ? [`${fault.service}/${fault.region ?? '*'}`] : [],
      ),
    );
    for (const region of context.plan.regions) {
      const deployments = new Map<string, SimulatedDeployment>();
      for (const name of region.services) {
        const service = context.service(name);
        if (!service) continue;
        const image = context.previousImage(service);
        const replicas = service.replicas ?? 2;
        // A missingResource fault: the Deployment was never created, or its container is named otherwise.
        const container = context.isMissing('container', service.container, region.name)
          ? `${service.container}-main`
          : service.container;
        const spec = { deployment: service.deployment, service: name, container, image };
        const isInsecure = insecure.has(`${name}/${region.name}`) || insecure.has(`${name}/*`);
        deployments.set(key(service.namespace, service.deployment), {
          name: service.deployment,
          namespace: service.namespace,
          service: name,
          exists: !context.isMissing('deployment', service.deployment, region.name),
          labels: { app: service.deployment, 'app.kubernetes.io/name': name },
          template: isInsecure ? insecurePodTemplate(spec) : securePodTemplate(spec),
          replicas,
          generation: 1,
          segments: [settledSegment(context.startMs, replicas, image)],
        });
      }
      this.regions.set(region.name, { cluster: region.cluster, deployments });
    }
  }

  onChange(listener: ClusterChangeListener): void {
    this.listeners.push(listener);
  }

  // ── the port ──────────────────────────────────────────────────────────────

  async readDeployment(target: WorkloadTarget, track: Track = 'stable'): Promise<DeploymentView | undefined> {
    const deployment = this.find(target, deploymentName(target, track));
    return deployment && toView(deployment);
  }

  async snapshot(target: WorkloadTarget): Promise<DeploymentSnapshot> {
    const stable = this.require(target, target.deployment);
    const canary = this.find(target, canaryName(target.deployment));
    return snapshotOf(target, toView(stable), canary?.replicas);
  }

  async setImage(
    target: WorkloadTarget,
    container: string,
    image: string,
    track: Track = 'stable',
  ): Promise<void> {
    const name = deploymentName(target, track);
    const deployment = this.require(target, name);
    if (track === 'canary') assertOwnedCanary(deployment, target);
    const template = structuredClone(deployment.template);
    setContainerImage(template, container, image, describeDeployment(target, name));
    this.apply(target, deployment, { template });
  }

  async scale(target: WorkloadTarget, replicas: number, track: Track = 'stable'): Promise<void> {
    assertReplicas(replicas);
    const name = deploymentName(target, track);
    const deployment = this.require(target, name);
    if (track === 'canary') assertOwnedCanary(deployment, target);
    this.apply(target, deployment, { replicas });
  }

  async ensureCanary(
    target: WorkloadTarget,
    spec: { container: string; image: string; replicas: number },
  ): Promise<string> {
    assertReplicas(spec.replicas);
    const stable = this.require(target, target.deployment);
    const name = canaryName(target.deployment);
    const existing = this.find(target, name);
    if (existing) assertOwnedCanary(existing, target);
    const template = canaryTemplate(stable.template);
    setContainerImage(template, spec.container, spec.image, describeDeployment(target, target.deployment));
    this.createOrReplace(target, name, template, spec.replicas);
    return name;
  }

  async removeCanary(target: WorkloadTarget, mode: 'scaleToZero' | 'delete'): Promise<void> {
    const canary = this.find(target, canaryName(target.deployment));
    if (!canary) return;
    assertOwnedCanary(canary, target);
    if (mode === 'delete') this.delete(target, canary);
    else this.apply(target, canary, { replicas: 0 });
  }

  async rolloutStatus(target: WorkloadTarget, track: Track = 'stable'): Promise<RolloutStatus> {
    const name = deploymentName(target, track);
    const deployment = this.require(target, name);
    const segment = deployment.segments.at(-1)!;
    return judgeDeploymentRollout(
      deploymentStatus(name, deployment.generation, segment, this.context.timing, this.context.nowMs()),
    );
  }

  async podAddresses(target: WorkloadTarget, track: Track): Promise<string[]> {
    const deployment = this.find(target, deploymentName(target, track));
    if (!deployment) return [];
    return this.podsOfDeployment(target.region, deployment, track, this.context.nowMs()).map((pod) => pod.ip);
  }

  async restore(snapshot: DeploymentSnapshot): Promise<void> {
    const { target } = snapshot;
    let stable: SimulatedDeployment | undefined;
    if (snapshot.existed) {
      stable = this.require(target, target.deployment);
      this.apply(target, stable, {
        template: structuredClone(snapshot.template),
        replicas: snapshot.replicas,
      });
    } else {
      const present = this.find(target, target.deployment);
      if (present) this.delete(target, present);
    }

    const name = canaryName(target.deployment);
    if (!snapshot.canary.existed) {
      await this.removeCanary(target, 'delete');
      return;
    }
    const canary = this.find(target, name);
    if (canary) {
      assertOwnedCanary(canary, target);
      this.apply(target, canary, { replicas: snapshot.canary.replicas });
    } else if (stable && snapshot.canary.replicas > 0) {
      // The release deleted a canary that served before: it comes back on the restored template.
      this.createOrReplace(target, name, canaryTemplate(stable.template), snapshot.canary.replicas);
    }
  }

  // ── what the rest of the fleet reads ──────────────────────────────────────

  /** The pods of a service's stable or canary Deployment at a time (now or past). */
  census(
    region: string,
    service: ResolvedService,
    track: Track,
    atMs: number,
  ): PodCensus & { segment: RolloutSegment } {
    const segment = this.segmentAt(region, service, track, atMs);
    return { ...podsAt(segment, this.context.timing, atMs), segment };
  }

  /** Every pod of a service's stable and canary Deployments at a time (now or past). */
  pods(region: string, service: ResolvedService, atMs: number): SimulatedPod[] {
    return (['stable', 'canary'] as const).flatMap((track) => {
      const deployment = this.deploymentOf(region, service, track);
      return deployment ? this.podsOfDeployment(region, deployment, track, atMs) : [];
    });
  }

  /** Times a service's Deployments changed in [fromMs, toMs): where its pods start changing. */
  changeTimes(region: string, service: ResolvedService, fromMs: number, toMs: number): number[] {
    return (['stable', 'canary'] as const).flatMap((track) =>
      (this.deploymentOf(region, service, track)?.segments ?? [])
        .map((segment) => segment.startMs)
        .filter((at) => at >= fromMs && at < toMs),
    );
  }

  /** The current spec of a service's Deployment: replicas and the service container's image. */
  spec(
    region: string,
    service: ResolvedService,
    track: Track,
  ): { replicas: number; image: string } | undefined {
    const deployment = this.deploymentOf(region, service, track);
    if (!deployment?.exists) return undefined;
    return {
      replicas: deployment.replicas,
      image: containerImage(deployment.template, service.container) ?? '',
    };
  }

  // ── plumbing ──────────────────────────────────────────────────────────────

  private segmentAt(region: string, service: ResolvedService, track: Track, atMs: number): RolloutSegment {
    const segments = this.deploymentOf(region, service, track)?.segments ?? [];
    for (let index = segments.length - 1; index >= 0; index -= 1) {
      const segment = segments[index]!;
      if (segment.startMs <= atMs) return segment;
    }
    return emptySegment(this.context.startMs);
  }

  private podsOfDeployment(
    region: string,
    deployment: SimulatedDeployment,
    track: Track,
    atMs: number,
  ): SimulatedPod[] {
    let segment = emptySegment(this.context.startMs);
    for (const candidate of deployment.segments) if (candidate.startMs <= atMs) segment = candidate;
    const labels = podLabels(deployment.template);
    return podsOf(segment, this.context.timing, atMs).map((pod) => ({
      track,
      ip: podIp(this.context.seed, region, deployment.name, pod.image, pod.ordinal),
      labels,
      image: pod.image,
      readySinceMs: pod.readySinceMs,
    }));
  }

  private deploymentOf(
    region: string,
    service: ResolvedService,
    track: Track,
  ): SimulatedDeployment | undefined {
    const name = track === 'canary' ? canaryName(service.deployment) : service.deployment;
    return this.regions.get(region)?.deployments.get(key(service.namespace, name));
  }

  private deployments(target: WorkloadTarget): Map<string, SimulatedDeployment> {
    const region = this.regions.get(target.region);
    if (!region || region.cluster !== target.cluster) {
      throw new NotFoundError(`EKS cluster "${target.cluster}" not found in ${target.region}`);
    }
    const outage = this.context.outageAt(target.region, this.context.nowMs());
    if (outage?.controlPlane) {
      throw new TransientClusterError(
        `EKS cluster "${target.cluster}" (${target.region}): connect ETIMEDOUT (the region is down)`,
      );
    }
    return region.deployments;
  }

  private find(target: WorkloadTarget, name: string): SimulatedDeployment | undefined {
    const deployment = this.deployments(target).get(key(target.namespace, name));
    return deployment?.exists ? deployment : undefined;
  }

  private require(target: WorkloadTarget, name: string): SimulatedDeployment {
    const deployment = this.find(target, name);
    if (!deployment) {
      throw new NotFoundError(
        `${describeDeployment(target, name)} not found: deployments.apps "${name}" not found`,
      );
    }
    return deployment;
  }

  /** Applies a spec change; like the API server, an identical spec changes nothing. */
  private apply(
    target: WorkloadTarget,
    deployment: SimulatedDeployment,
    change: { template?: Json; replicas?: number },
  ): void {
    const templateChanged = change.template !== undefined && !deepEqual(change.template, deployment.template);
    const replicasChanged = change.replicas !== undefined && change.replicas !== deployment.replicas;
    if (!templateChanged && !replicasChanged) return;
    if (change.template !== undefined) deployment.template = change.template;
    if (change.replicas !== undefined) deployment.replicas = change.replicas;
    deployment.generation += 1;
    const now = this.context.nowMs();
    const image = this.imageOf(deployment);
    deployment.segments.push(
      nextSegment(deployment.segments.at(-1)!, this.context.timing, now, {
        desired: deployment.replicas,
        templateChanged,
        image,
        neverReady: this.neverReady(target.region, deployment.service, image),
      }),
    );
    this.changed(target.region, deployment.service);
  }

  private createOrReplace(target: WorkloadTarget, name: string, template: Json, replicas: number): void {
    const deployments = this.deployments(target);
    const existing = deployments.get(key(target.namespace, name));
    if (existing?.exists) {
      this.apply(target, existing, { template, replicas });
      return;
    }
    const now = this.context.nowMs();
    const service = this.context.serviceOfDeployment(target.region, target.namespace, name);
    const image = service ? containerImage(template, this.context.service(service)!.container) : undefined;
    const created: SimulatedDeployment = {
      name,
      namespace: target.namespace,
      service,
      exists: true,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TRACK_LABEL]: 'canary' },
      template,
      replicas,
      generation: 1,
      segments: [
        ...(existing?.segments ?? []),
        {
          ...emptySegment(now),
          desired: replicas,
          image,
          neverReady: this.neverReady(target.region, service, image),
        },
      ],
    };
    deployments.set(key(target.namespace, name), created);
    this.changed(target.region, service);
  }

  private delete(target: WorkloadTarget, deployment: SimulatedDeployment): void {
    deployment.exists = false;
    deployment.segments.push(emptySegment(this.context.nowMs()));
    this.changed(target.region, deployment.service);
  }

  private imageOf(deployment: SimulatedDeployment): string | undefined {
    const service = deployment.service ? this.context.service(deployment.service) : undefined;
    return containerImage(deployment.template, service?.container);
  }

  private neverReady(region: string, serviceName: string | undefined, image: string | undefined): boolean {
    const service = serviceName ? this.context.service(serviceName) : undefined;
    if (!service || image === undefined) return false;
    const version = this.context.versionOf(service, image);
    return this.context.faults.faults.some(
      (fault) =>
        fault.type === 'rolloutNeverReady' &&
        fault.service === service.name &&
        (fault.region === undefined || fault.region === region) &&
        fault.version === version,
    );
  }

  private changed(region: string, service: string | undefined): void {
    if (service === undefined) return;
    for (const listener of this.listeners) listener(service, region);
  }
}
