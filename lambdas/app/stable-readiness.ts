/**
 * Whether a service's stable side may take its traffic back: the one judgement both the rollback
 * (handlers/rollback.ts returnTrafficToStable) and the alarm path (app/alarm-traffic.ts) make
 * before moving traffic there, so neither sends traffic to pods that are not ready.
 */
import { stableNotReadyReason } from '../core/rollback';
import type { DeploymentSnapshot, Ports, TrafficReader } from '../ports';
import type { ReleaseContext } from './release-context';
import { auditBySwitchyard } from './switchyard-audit';

/** A touched service as its snapshot recorded it before the release. */
export interface SnapshotOf {
  service: string;
  snapshot: DeploymentSnapshot;
}

/**
 * Judges stable as it is now, reading its rollout status and its target group at once: why it may
 * not take traffic, or undefined when it may (every replica of its snapshot ready, available and
 * healthy in its group). A stable that has fewer replicas than its snapshot is not ready.
 */
export async function stableReadiness(
  ports: Pick<Ports, 'cluster'> & { traffic: TrafficReader },
  context: ReleaseContext,
  region: string,
  { service, snapshot }: SnapshotOf,
): Promise<string | undefined> {
  // Nothing of stable's to wait for: the release created it, or it ran no pods before.
  if (!snapshot.existed || snapshot.replicas === 0) return undefined;
  const workload = context.workload(region, service);
  const target = context.trafficTarget(region, service);
  const [status, health] = await Promise.all([
    ports.cluster.rolloutStatus(workload, 'stable'),
    target ? ports.traffic.targetHealth(target) : undefined,
  ]);
  return stableNotReadyReason(service, snapshot.replicas, { status, group: health?.stable });
}

/**
 * Gets stable ready to take its traffic back: scaled to its snapshot's replicas when it has fewer
 * (a rolling update scales it down), then judged. Returns why it is not ready, or undefined.
 */
export async function readyStable(
  ports: Pick<Ports, 'traffic' | 'cluster' | 'store' | 'clock'>,
  context: ReleaseContext,
  key: { releaseId: string; region: string },
  entry: SnapshotOf,
): Promise<string | undefined> {
  const { service, snapshot } = entry;
  if (!snapshot.existed || snapshot.replicas === 0) return undefined;
  const workload = context.workload(key.region, service);
  const stable = await ports.cluster.readDeployment(workload);
  if (!stable) return `${service}: the stable Deployment ${workload.deployment} is missing`;
  if (stable.replicas < snapshot.replicas) {
    await ports.cluster.scale(workload, snapshot.replicas, 'stable');
    await auditBySwitchyard(ports, 'rollback.stable-scaled', {
      releaseId: key.releaseId,
      key: `rollback/${key.region}/${service}/stable-scaled`,
      region: key.region,
      service,
      detail: { from: stable.replicas, to: snapshot.replicas },
    });
  }
  return stableReadiness(ports, context, key.region, entry);
}
