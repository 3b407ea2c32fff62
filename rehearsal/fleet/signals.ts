/**
 * The Signals port of the simulated fleet: CloudWatch alarms and target-group metrics from the
 * fleet's history, and probes and hooks that answer as healthy endpoints do. Probe and hook
 * failures are rehearsed with operation faults; a region's trouble shows in its metrics and alarms.
 */
import type { CheckPlan } from '../../lambdas/core/plan/schema';
import type {
  AlarmState,
  ComparisonSample,
  ProbeResult,
  ResolvedTraffic,
  Signals,
} from '../../lambdas/ports';
import { noise } from '../random';
import type { FleetAlarms } from './alarms';
import type { SimulatedLoadBalancing } from './aws/elbv2';
import type { FleetContext } from './context';
import type { FleetMetrics } from './metrics';

export class SimulatedSignals implements Signals {
  constructor(
    private readonly context: FleetContext,
    private readonly balancers: SimulatedLoadBalancing,
    private readonly metrics: FleetMetrics,
    private readonly alarms: FleetAlarms,
  ) {}

  async alarmStates(region: string, alarmNames: readonly string[]): Promise<Record<string, AlarmState>> {
    const now = this.context.nowMs();
    return Object.fromEntries(alarmNames.map((name) => [name, this.alarms.stateAt(region, name, now)]));
  }

  /**
   * One sample per whole period from `from`, up to `to` and never past now (CloudWatch has no
   * future datapoints). Target groups CloudWatch has no data for give empty samples.
   */
  async compareTargetGroups(
    region: string,
    traffic: ResolvedTraffic,
    window: { from: Date; to: Date; periodSeconds: number },
  ): Promise<ComparisonSample[]> {
    const periodMs = window.periodSeconds * 1000;
    if (!(periodMs > 0)) throw new RangeError(`periodSeconds must be positive (got ${window.periodSeconds})`);
    const stable = this.balancers.targetGroup(region, traffic.stableTargetGroupArn);
    const canary = this.balancers.targetGroup(region, traffic.canaryTargetGroupArn);
    const service = canary ? this.context.service(canary.service) : undefined;
    const end = Math.min(window.to.getTime(), this.context.nowMs());
    const samples: ComparisonSample[] = [];
    for (let start = window.from.getTime(); start + periodMs <= end; start += periodMs) {
      const empty = { requests: 0, errors: 0, p95LatencyMs: undefined };
      samples.push({
        at: new Date(start).toISOString(),
        canary:
          service && canary
            ? this.metrics.sample(service, region, canary.track, start, start + periodMs)
            : empty,
        stable:
          service && stable?.service === service.name
            ? this.metrics.sample(service, region, stable.track, start, start + periodMs)
            : empty,
      });
    }
    return samples;
  }

  async httpProbe(check: Extract<CheckPlan, { type: 'http' }>): Promise<ProbeResult> {
    const latencyMs = this.latency('http', check.url);
    return { ok: true, detail: `HTTP ${check.expectStatus} from ${check.url}`, latencyMs };
  }

  async tcpProbe(check: Extract<CheckPlan, { type: 'tcp' }>): Promise<ProbeResult> {
    const latencyMs = this.latency('tcp', `${check.host}:${check.port}`);
    return { ok: true, detail: `connected to ${check.host}:${check.port}`, latencyMs };
  }

  async invokeHook(
    region: string,
    functionName: string,
    _payload: Record<string, unknown>,
  ): Promise<{ verdict: 'pass' | 'fail' | 'inconclusive'; detail: string }> {
    return { verdict: 'pass', detail: `${functionName} in ${region} passed (simulated hook)` };
  }

  private latency(kind: string, target: string): number {
    return Math.round(10 + 40 * noise(this.context.seed, kind, target, this.context.nowMs()));
  }
}
