/** A small plan, a virtual clock and a fleet over them, for the fleet's tests. */
import { loadPlan } from '../../../lambdas/core/plan/load';
import { type ResolvedPlan, resolvePlan } from '../../../lambdas/core/plan/resolve';
import type { AlbTarget, Clock, WorkloadTarget } from '../../../lambdas/ports';
import { loadFaults } from '../../../rehearsal/faults/load';
import { createSimulatedFleet, type SimulatedFleet } from '../../../rehearsal/fleet';

export const PLAN_YAML = `
metadata: { releaseId: fleet-test }
dns: { hostedZoneId: ZTESTZONE, recordName: api.example.com }
defaults:
  strategy:
    type: canary
    steps:
      - setWeight: 5
      - analysis: {}
      - setWeight: 10
      - analysis: {}
      - setWeight: 50
      - analysis: {}
      - setWeight: 100
regions:
  - { name: us-east-1, cluster: use1, wave: 1, dns: { setIdentifier: use1, weight: 100 } }
  - { name: us-west-2, cluster: usw2, wave: 2, dns: { setIdentifier: usw2, weight: 50 } }
services:
  - name: auth
    namespace: platform
    image: registry.example.com/platform/auth:2.8.0
    replicas: 4
    traffic:
      type: alb
      loadBalancerName: internal
      port: 443
      rule: { hostHeader: auth.example.com }
      stableTargetGroup: auth-stable
      canaryTargetGroup: auth-canary
    analysis: &compare
      interval: 1m
      count: 5
      checks:
        - type: compare
          abortErrorRatePercent: 5
          abortP95LatencyMs: 2000
  - name: api
    namespace: edge
    image: registry.example.com:5000/edge/api:5.2.0
    dependsOn: [auth]
    traffic:
      type: alb
      loadBalancerName: public
      port: 443
      stableTargetGroup: api-blue
      canaryTargetGroup: api-green
    analysis: *compare
  - name: worker
    namespace: jobs
    image: registry.example.com/jobs/worker:1.0.0
    replicas: 3
    strategy: { type: rolling, batch: { size: 1 }, analysisPerBatch: false }
`;

export function testPlan(yaml = PLAN_YAML): ResolvedPlan {
  const loaded = loadPlan(yaml);
  if (!loaded.ok) throw new Error(`test plan invalid: ${JSON.stringify(loaded.problems)}`);
  return resolvePlan(loaded.plan);
}

/** Virtual time: moves only when a test says so. */
export class TestClock implements Clock {
  private ms = Date.parse('2026-11-22T10:00:00.000Z');
  now(): Date {
    return new Date(this.ms);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export function fleetFor(options: { faults?: string; seed?: number; plan?: ResolvedPlan } = {}): {
  fleet: SimulatedFleet;
  clock: TestClock;
  plan: ResolvedPlan;
} {
  const plan = options.plan ?? testPlan();
  const clock = new TestClock();
  let faults: ReturnType<typeof loadFaults> | undefined;
  if (options.faults !== undefined) {
    faults = loadFaults(options.faults, plan);
    if (!faults.ok) throw new Error(`test faults invalid: ${JSON.stringify(faults.problems)}`);
  }
  const fleet = createSimulatedFleet({
    plan,
    clock,
    seed: options.seed ?? 7,
    ...(faults?.ok && { faults: faults.faults }),
  });
  return { fleet, clock, plan };
}

export function workload(plan: ResolvedPlan, service: string, region = 'us-east-1'): WorkloadTarget {
  const resolved = plan.services.get(service)!;
  const cluster = plan.regions.find((candidate) => candidate.name === region)!.cluster;
  return { region, cluster, namespace: resolved.namespace, deployment: resolved.deployment };
}

export function trafficTarget(plan: ResolvedPlan, service: string, region = 'us-east-1'): AlbTarget {
  const traffic = plan.services.get(service)!.traffic;
  if (traffic.type !== 'alb') throw new Error(`${service} has no ALB`);
  return { service, region, alb: traffic };
}
