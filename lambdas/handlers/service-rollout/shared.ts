/**
 * What every task of the service-rollout state machine shares: its key, its step-state input,
 * the audit key of what it did, and the replicas the release started from.
 */
import * as z from 'zod';
import type { ReleaseContext } from '../../app/release-context';
import { RolloutStuckError } from '../../core/errors';
import { LruMap } from '../../core/lru-map';
import type { RolloutStep } from '../../core/strategy';
import type { Ports } from '../../ports';

export const ServiceKey = z.object({ releaseId: z.string(), region: z.string(), service: z.string() });
export type ServiceKey = z.infer<typeof ServiceKey>;

export const StepStateInput = ServiceKey.extend({
  stepIndex: z.number().int().min(0),
  windowStart: z.string().optional(),
}).passthrough();

export const auditKey = (key: ServiceKey, what: string) => `${key.region}/${key.service}/${what}`;

export function currentStep(
  context: ReleaseContext,
  input: { service: string; stepIndex: number },
): RolloutStep {
  const step = context.steps(input.service)[input.stepIndex];
  if (!step) throw new RolloutStuckError(`${input.service} has no step ${input.stepIndex}`);
  return step;
}

const replicasKey = (key: ServiceKey) => `${key.releaseId}/${key.region}/${key.service}`;

/** The stable Deployment's replicas before the release: what every step's replica math uses. */
export async function originalReplicas(ports: Ports, key: ServiceKey): Promise<number> {
  const known = replicasBefore.get(replicasKey(key));
  if (known !== undefined) return known;
  const snapshot = await ports.store.getSnapshot(key.releaseId, key.region, key.service);
  if (!snapshot)
    throw new RolloutStuckError(`no snapshot of ${key.service} in ${key.region}: the rollout did not start`);
  rememberReplicas(key, snapshot.replicas);
  return snapshot.replicas;
}

/** A snapshot read otherwise (with the rollout) saves originalReplicas its own read. */
export function rememberReplicas(key: ServiceKey, replicas: number): void {
  replicasBefore.set(replicasKey(key), replicas);
}

/**
 * Snapshots never change once written (first write wins), so a warm container may keep them;
 * bounded, as a warm container meets every service of every release it serves.
 */
const replicasBefore = new LruMap<string, number>(1024);
