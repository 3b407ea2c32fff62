/** Target health as an ALB reports it, for the simulated load balancers (elbv2.ts). */
import type {
  TargetHealthDescription,
  TargetHealthReasonEnum,
  TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SimulatedClusters, SimulatedPod } from '../cluster';
import type { FleetContext } from '../context';
import { type RegionBalancers, type SimulatedTargetGroup, TARGET_PORT } from './elbv2-resources';

/**
 * The targets a TargetGroupBinding registers: the ready pods its Service selects, by label
 * (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/targetgroupbinding/targetgroupbinding/).
 * An ALB health-checks only groups a rule or default action forwards to (weight 0 included);
 * until then every target reads `unused` (Target.NotInUse). Once in use, a target reads
 * `initial` (Elb.InitialHealthChecking) until it passes a health check, one interval on
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
 */
export function targetHealthOf(
  context: FleetContext,
  clusters: SimulatedClusters,
  balancers: RegionBalancers,
  region: string,
  group: SimulatedTargetGroup,
): TargetHealthDescription[] {
  const service = context.service(group.service)!;
  const now = context.nowMs();
  const down = context.outageAt(region, now) !== undefined;
  const inUseSinceMs = inUseSince(balancers, group.arn, now);
  const intervalMs = context.timing.healthCheckIntervalMs;
  return registeredPods(context, clusters, region, group, now).map((pod) => {
    let health: { State: TargetHealthStateEnum; Reason?: TargetHealthReasonEnum; Description?: string };
    if (inUseSinceMs === undefined) {
      health = {
        State: 'unused',
        Reason: 'Target.NotInUse',
        Description: 'Target group is not configured to receive traffic from the load balancer',
      };
    } else if (down) {
      health = { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' };
    } else if (now < Math.max(pod.readySinceMs!, inUseSinceMs) + intervalMs) {
      health = {
        State: 'initial',
        Reason: 'Elb.InitialHealthChecking',
        Description: 'Initial health checks in progress',
      };
    } else if (context.crashing(service, region, pod.image, now)) {
      // Pods of a crashing version accept no connections: they fail their health checks.
      health = {
        State: 'unhealthy',
        Reason: 'Target.FailedHealthChecks',
        Description: 'Health checks failed',
      };
    } else {
      health = { State: 'healthy' };
    }
    return {
      Target: { Id: pod.ip, Port: TARGET_PORT },
      HealthCheckPort: String(TARGET_PORT),
      TargetHealth: health,
    };
  });
}

/** The ready pods of the group's service whose labels its Service's selector matches. */
export function registeredPods(
  context: FleetContext,
  clusters: SimulatedClusters,
  region: string,
  group: SimulatedTargetGroup,
  atMs: number,
): SimulatedPod[] {
  const service = context.service(group.service)!;
  return clusters
    .pods(region, service, atMs)
    .filter(
      (pod) =>
        pod.readySinceMs !== undefined &&
        Object.entries(group.selector).every(([key, value]) => pod.labels[key] === value),
    );
}

/** Since when a forward action has continuously listed the group, at any weight; undefined if not now. */
function inUseSince(balancers: RegionBalancers, groupArn: string, atMs: number): number | undefined {
  let since: number | undefined;
  for (const holder of new Set([...balancers.listeners.values(), ...balancers.rules.values()])) {
    let run: number | undefined;
    holder.history.forEach((entry, index) => {
      if (entry.atMs > atMs) return;
      // What the rehearsal starts with has been so for long: its targets were checked long ago.
      if (entry.weights.has(groupArn)) run ??= index === 0 ? Number.NEGATIVE_INFINITY : entry.atMs;
      else run = undefined;
    });
    if (run !== undefined && (since === undefined || run < since)) since = run;
  }
  return since;
}
