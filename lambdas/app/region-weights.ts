/**
 * Moving a region's Route 53 weight to the other regions, shared by failover (handlers/failover.ts)
 * and a release's drain (handlers/drain.ts): the plan's record, the replicas the others scale to,
 * scaling them and judging that they are rolled out.
 */
import { InvalidInputError, RolloutNotReadyError, RolloutStuckError } from '../core/errors';
import {
  type FailoverRecord,
  failoverScaleTargets,
  judgeScaledRollouts,
  planFailover,
  scaledReplicas,
} from '../core/failover';
import type { DnsRecord, Ports } from '../ports';
import type { ReleaseContext } from './release-context';

/** The plan's weighted record, and each region's set identifier in it. */
export function dnsFleet(
  context: ReleaseContext,
  region: string,
): { dns: DnsRecord; identifiers: Map<string, string> } {
  const dns = context.plan.source.dns;
  if (!dns)
    throw new InvalidInputError(`release ${context.releaseId}'s plan has no dns record to move weight in`);
  const identifiers = new Map(
    context.plan.regions.map((entry) => [entry.name, entry.dns?.setIdentifier ?? entry.name]),
  );
  if (!identifiers.has(region)) throw new InvalidInputError(`region ${region} is not in the plan's regions`);
  return { dns, identifiers };
}

/**
 * Weight away from `region`, and the replicas each service of the other regions goes to so they
 * can carry it (those a failover must leave alone listed with why).
 */
export async function weightMovedAway(
  ports: Pick<Ports, 'cluster'>,
  context: ReleaseContext,
  region: string,
  byRegion: Record<string, number>,
): Promise<Pick<FailoverRecord, 'weightsBefore' | 'weightsAfter' | 'replicas' | 'unscaled'>> {
  const plan = planFailover(byRegion, region);
  const targets = failoverScaleTargets(plan.scaleFactors, context.regionServices, context.service);
  const replicas: FailoverRecord['replicas'] = [];
  for (const { region: other, service, factor } of targets.scale) {
    const deployment = await ports.cluster.readDeployment(context.workload(other, service));
    if (!deployment) continue;
    replicas.push({
      region: other,
      service,
      before: deployment.replicas,
      after: scaledReplicas(deployment.replicas, factor),
    });
  }
  return { weightsBefore: byRegion, weightsAfter: plan.weights, replicas, unscaled: targets.unscaled };
}

/** Scales each entry to its `before` or its `after` replicas. */
export async function scaleReplicas(
  ports: Pick<Ports, 'cluster'>,
  context: ReleaseContext,
  replicas: FailoverRecord['replicas'],
  to: 'before' | 'after',
): Promise<void> {
  await Promise.all(
    replicas.map((entry) => ports.cluster.scale(context.workload(entry.region, entry.service), entry[to])),
  );
}

/** Throws until every listed Deployment is rolled out (RolloutNotReadyError), or when one never will. */
export async function assertRolledOut(
  ports: Pick<Ports, 'cluster'>,
  context: ReleaseContext,
  workloads: ReadonlyArray<{ region: string; service: string }>,
): Promise<void> {
  const statuses = [];
  for (const entry of workloads) {
    const status = await ports.cluster.rolloutStatus(context.workload(entry.region, entry.service));
    statuses.push({ ...entry, ...status });
  }
  const { failed, waiting } = judgeScaledRollouts(statuses);
  if (failed) throw new RolloutStuckError(failed);
  if (waiting.length > 0) throw new RolloutNotReadyError(waiting.join('; '));
}
