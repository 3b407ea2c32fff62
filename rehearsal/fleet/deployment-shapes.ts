/**
 * The simulated Kubernetes Deployments of cluster.ts, and what is read from and written into a
 * Deployment's shape: names, replicas, pod templates and their containers, labels and images.
 */

import {
  canaryName,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  TRACK_LABEL,
} from '../../lambdas/adapters/kubernetes/conventions';
import { InvalidInputError } from '../../lambdas/core/errors';
import type { DeploymentView, Track, WorkloadTarget } from '../../lambdas/ports';
import { deriveSeed } from '../random';
import type { RolloutSegment } from './rollout';

export type Json = Record<string, unknown>;

export interface SimulatedDeployment {
  name: string;
  namespace: string;
  /** The plan's service, when the Deployment is one of its stable or canary Deployments. */
  service: string | undefined;
  exists: boolean;
  labels: Record<string, string>;
  template: Json;
  replicas: number;
  generation: number;
  /** Every segment since the rehearsal started, kept after deletion so past metrics stay answerable. */
  segments: RolloutSegment[];
}

export interface Container {
  name: string;
  image?: string;
}

// ── Deployment shapes ───────────────────────────────────────────────────────

export function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function deploymentName(target: WorkloadTarget, track: Track): string {
  return track === 'canary' ? canaryName(target.deployment) : target.deployment;
}

export function describeDeployment(target: WorkloadTarget, name: string): string {
  return `Deployment ${target.namespace}/${name} in EKS cluster "${target.cluster}" (${target.region})`;
}

export function assertReplicas(replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new InvalidInputError(`replicas must be a whole number ≥ 0, got ${replicas}`);
  }
}

export function assertOwnedCanary(canary: SimulatedDeployment, target: WorkloadTarget): void {
  if (canary.labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) {
    throw new InvalidInputError(
      `${describeDeployment(target, canary.name)} exists but is not labelled ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}; Switchyard will not change a Deployment it does not own`,
    );
  }
}

export function podSpec(template: Json): { containers?: Container[]; initContainers?: Container[] } {
  return (template.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
}

export function allContainers(template: Json): Container[] {
  const spec = podSpec(template);
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** The image of `container`, or of the first container when none is named. */
export function containerImage(template: Json, container: string | undefined): string | undefined {
  const containers = podSpec(template).containers ?? [];
  const found =
    container === undefined ? containers[0] : allContainers(template).find((c) => c.name === container);
  return found?.image;
}

export function setContainerImage(template: Json, container: string, image: string, subject: string): void {
  const found = allContainers(template).find((candidate) => candidate.name === container);
  if (!found) {
    const known = allContainers(template).map((candidate) => candidate.name);
    throw new InvalidInputError(
      `${subject} has no container "${container}" (it has: ${known.join(', ') || 'none'})`,
    );
  }
  found.image = image;
}

export function podLabels(template: Json): Record<string, string> {
  return { ...((template.metadata ?? {}) as { labels?: Record<string, string> }).labels };
}

/** A private address per pod, fixed by the seed and the pod (its Deployment, template and ordinal). */
export function podIp(
  seed: number,
  region: string,
  deployment: string,
  image: string | undefined,
  ordinal: number,
): string {
  const value = deriveSeed(seed, 'pod-ip', region, deployment, image ?? '', ordinal);
  return `10.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${(value & 0xfe) + 1}`;
}

/** The stable's pod template with the canary track label on its pods. */
export function canaryTemplate(stableTemplate: Json): Json {
  const template = structuredClone(stableTemplate);
  const metadata = (template.metadata ?? {}) as { labels?: Record<string, string> };
  template.metadata = { ...metadata, labels: { ...metadata.labels, [TRACK_LABEL]: 'canary' } };
  return template;
}

export function toView(deployment: SimulatedDeployment): DeploymentView {
  const images: Record<string, string> = {};
  for (const container of allContainers(deployment.template)) images[container.name] = container.image ?? '';
  return {
    name: deployment.name,
    namespace: deployment.namespace,
    replicas: deployment.replicas,
    images,
    template: structuredClone(deployment.template),
    generation: deployment.generation,
    labels: { ...deployment.labels },
  };
}

export function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
