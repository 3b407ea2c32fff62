/**
 * Rollback order: within a region, dependents are restored before what they depend on (the
 * reverse of rollout order), after traffic has gone back to stable for every touched service.
 * Also which regions and executions a rollback covers, and whether a restore worked. Free of
 * I/O: the acts are in handlers/rollback.ts.
 */
import type {
  DeploymentSnapshot,
  DeploymentView,
  RolloutStatus,
  ServiceRolloutRecord,
  Weights,
} from '../ports';
import { topologicalOrder } from './graph';
import { laneName, regionRolloutName, serviceRolloutName } from './naming';
import { laneCount, type RollbackRamp } from './plan/resolve';
import { judgeTargetGroup, type TargetGroupTargets } from './target-health';

export function rollbackOrder(
  touched: readonly string[],
  dependsOn: (service: string) => readonly string[],
): string[] {
  const included = new Set(touched);
  const dependencies = new Map(
    touched.map((service) => [service, dependsOn(service).filter((dep) => included.has(dep))]),
  );
  return topologicalOrder(dependencies).reverse();
}

/** Stages of services that can be restored together: each after all its dependents. */
export function rollbackStages(
  touched: readonly string[],
  dependsOn: (service: string) => readonly string[],
): string[][] {
  const included = new Set(touched);
  const dependents = new Map<string, string[]>(touched.map((service) => [service, []]));
  for (const service of touched)
    for (const dep of dependsOn(service)) if (included.has(dep)) dependents.get(dep)!.push(service);
  const depth = new Map<string, number>();
  for (const service of rollbackOrder(touched, dependsOn)) {
    const after = dependents.get(service)!.map((dependent) => depth.get(dependent)! + 1);
    depth.set(service, Math.max(0, ...after));
  }
  const stages: string[][] = [];
  for (const service of rollbackOrder(touched, dependsOn)) {
    const stage = depth.get(service)!;
    stages[stage] = [...(stages[stage] ?? []), service];
  }
  return stages;
}

/** Touched: the release acted on it (anything past PENDING, except a skipped service). */
export function isTouched(record: Pick<ServiceRolloutRecord, 'status'>): boolean {
  return record.status !== 'PENDING' && record.status !== 'SKIPPED';
}

/**
 * Why the release rolls back: the reason given (by an alarm, a person) or recorded on the
 * release, else what failed first among its rollouts, in words.
 */
export function rollbackReason(given: string | undefined, records: readonly ServiceRolloutRecord[]): string {
  return given ?? firstFailure(records) ?? 'a step failed';
}

function firstFailure(records: readonly ServiceRolloutRecord[]): string | undefined {
  const first = records
    .filter((record) => record.status === 'FAILED' && record.reason)
    .sort((a, b) => (a.endedAt ?? '').localeCompare(b.endedAt ?? ''))[0];
  if (!first?.reason) return undefined;
  return first.reason.includes(first.service)
    ? first.reason
    : `${first.service} in ${first.region}: ${first.reason}`;
}

export interface ExecutionToStop {
  machine: 'regionRollout' | 'serviceLane' | 'serviceRollout';
  name: string;
}

/**
 * The regions a rollback restores (those with a touched service) and, for each, the executions
 * that may still act for the release: its running service rollouts, every lane, the region
 * rollout — innermost first, so nothing starts a new rollout while they are stopped.
 */
export function rollbackScope(
  releaseId: string,
  regions: ReadonlyArray<{ name: string; concurrency: number; services: readonly string[] }>,
  records: readonly ServiceRolloutRecord[],
  /** Regions whose drain is not restored yet: in scope even if no service of theirs was touched. */
  drained: ReadonlySet<string> = new Set(),
): { regions: string[]; executions: ExecutionToStop[] } {
  const touched: string[] = [];
  const executions: ExecutionToStop[] = [];
  for (const region of regions) {
    const inRegion = records.filter((record) => record.region === region.name);
    if (!inRegion.some(isTouched) && !drained.has(region.name)) continue;
    touched.push(region.name);
    for (const record of inRegion.filter(
      (entry) => entry.status === 'IN_PROGRESS' || entry.status === 'VALIDATING',
    )) {
      executions.push({
        machine: 'serviceRollout',
        name: serviceRolloutName(releaseId, region.name, record.service),
      });
    }
    for (let lane = 0; lane < laneCount(region.concurrency, region.services.length); lane++)
      executions.push({ machine: 'serviceLane', name: laneName(releaseId, region.name, lane) });
    executions.push({ machine: 'regionRollout', name: regionRolloutName(releaseId, region.name) });
  }
  return { regions: touched, executions };
}

/** What verifyRestored read of one touched service after its restore. */
export interface RestoredReading {
  /** The stable Deployment; absent when it does not exist. */
  deployment?: Pick<DeploymentView, 'images' | 'replicas'> | undefined;
  /** Its rollout status; read only when the Deployment exists. */
  status?: Pick<RolloutStatus, 'state' | 'message'> | undefined;
  canary?: Pick<DeploymentView, 'replicas'> | undefined;
  /** The load balancer's weights; absent for a service without one. */
  weights?: Weights | undefined;
}

export interface RestoreJudgement {
  /** What differs from the snapshot: the rollback needs a person. */
  wrong: string[];
  /** What is restored but still rolling out: look again later. */
  settling: string[];
}

/**
 * Whether a service is back as its snapshot says: the Deployment (if it existed) with its images
 * and replicas, rolled out; no canary replicas unless a canary existed before; stable traffic 100 %.
 */
export function judgeRestored(
  service: string,
  snapshot: Pick<DeploymentSnapshot, 'existed' | 'images' | 'replicas' | 'canary'>,
  reading: RestoredReading,
): RestoreJudgement {
  const wrong: string[] = [];
  const settling: string[] = [];
  const { deployment, status, canary, weights } = reading;
  if (snapshot.existed && !deployment) return { wrong: [`${service}: Deployment missing`], settling };
  if (deployment) {
    for (const [container, image] of Object.entries(snapshot.images)) {
      if (deployment.images[container] !== image)
        wrong.push(`${service}: ${container} runs ${deployment.images[container]}, not ${image}`);
    }
    if (deployment.replicas !== snapshot.replicas)
      wrong.push(`${service}: ${deployment.replicas} replicas, not ${snapshot.replicas}`);
    if (status?.state === 'progressing') settling.push(`${service}: ${status.message}`);
    if (status?.state === 'failed') wrong.push(`${service}: ${status.message}`);
  }
  if (canary && canary.replicas > 0 && !snapshot.canary.existed)
    wrong.push(`${service}: canary still has ${canary.replicas} replicas`);
  if (weights && weights.stable !== 100) wrong.push(`${service}: stable has ${weights.stable} % of traffic`);
  return { wrong, settling };
}

/**
 * The canary weight a return to stable moves to next: the ramp's first step below the current
 * weight (a ramp never raises the canary's share), or 0 at once without a ramp.
 */
export function nextReturnWeight(canary: number, ramp: Pick<RollbackRamp, 'steps'> | undefined): number {
  if (canary <= 0 || !ramp) return 0;
  return ramp.steps.find((step) => step < canary) ?? 0;
}

/** What returnTrafficToStable read of a service's stable side before it moves traffic there. */
export interface StableReading {
  /** Its rollout status (the Deployment's ready and available replicas). */
  status: Pick<RolloutStatus, 'ready' | 'available' | 'message'>;
  /** The stable target group's targets; absent for a service without a load balancer. */
  group?: TargetGroupTargets | undefined;
}

/**
 * Why stable may not take traffic back yet, or undefined when it may: every replica it had
 * before the release ready and available (a Deployment's status.readyReplicas and
 * availableReplicas, https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status),
 * and as many healthy targets in its group, since an ALB routes only to healthy targets
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
 */
export function stableNotReadyReason(
  service: string,
  replicas: number,
  reading: StableReading,
): string | undefined {
  const { status, group } = reading;
  const serving = Math.min(status.ready, status.available);
  if (serving < replicas)
    return `${service}: ${serving} of ${replicas} stable replicas ready and available (${status.message})`;
  if (!group) return undefined;
  const judged = judgeTargetGroup(group.name, group.targets, replicas);
  return judged.ready ? undefined : `${service}: ${judged.message}`;
}
