/**
 * CloudWatch figures of the simulated fleet, computed from history rather than recorded: a
 * service in a region serves a steady request rate, split between its stable and canary target
 * groups by the weights in force (or, without a load balancer, by ready pods), and each request
 * behaves as the version of the pod that serves it. A minute is cut where anything changed
 * (weights, Deployments, an outage, a fault starting) and each piece is judged at its middle.
 *
 * The figures are the ALB's, per target group and minute (the period Elastic Load Balancing sends
 * metrics in): RequestCount, HTTPCode_Target_5XX_Count, TargetConnectionErrorCount,
 * TargetResponseTime and Healthy/UnHealthyHostCount.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 * A pod of a crashing version refuses connections: its health checks fail, and a request sent to
 * it is a target connection error, not a target 5xx. The load balancer sends requests only to
 * healthy targets, or to all of them when none is healthy (it fails open):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 * A target group with no ready pod at all gets no request: the load balancer answers 503 itself,
 * which shows only in its own (per load balancer) HTTPCode_ELB_5XX_Count.
 *
 * Healthy versions fail 0.2 % of requests with a p95 of 80–160 ms (by service and seed); the
 * seeded noise (±5 % requests, up to ±10 % on error rates, ±3 % latency) never makes a healthy canary fail
 * the default compare thresholds (+0.5 points of errors, ×1.1 latency).
 */
import type { ResolvedService } from '../../lambdas/core/plan/resolve';
import type { Track } from '../../lambdas/ports';
import type { DegradedVersionFault } from '../faults/schema';
import { noise } from '../random';
import type { SimulatedLoadBalancing } from './aws/elbv2';
import type { SimulatedClusters } from './cluster';
import type { FleetContext } from './context';

export const HEALTHY_ERROR_RATE = 0.002;
export const MINUTE_MS = 60_000;
/** Pieces of a period are judged at most this far apart, so pods becoming ready show up in time. */
const MAX_PIECE_MS = 10_000;

export interface Behaviour {
  /** Fraction of requests that fail, 0 to 1. */
  errorRate: number;
  p95Ms: number;
}

/** The targets of a target group at once: healthy, and failing their health checks. */
export interface TargetCounts {
  healthy: number;
  unhealthy: number;
}

/** One target group's figures for one minute, as the load balancer reports them. */
export interface MinuteFigures {
  /** RequestCount: requests the load balancer sent to one of the group's targets. */
  requests: number;
  /** HTTPCode_Target_5XX_Count. */
  targetErrors: number;
  /** TargetConnectionErrorCount: requests whose target accepted no connection. */
  connectionErrors: number;
  /** TargetResponseTime's p95 in ms, over the requests a target answered; undefined when none did. */
  p95Ms: number | undefined;
  /** Requests a target answered: what the p95 is over. */
  answered: number;
  /** Host counts over the minute, each the fewest, the most and the time average at once. */
  healthyHosts: { minimum: number; maximum: number; average: number };
  unhealthyHosts: { minimum: number; maximum: number; average: number };
}

export class FleetMetrics {
  private readonly degradations = new Map<string, DegradedVersionFault[]>();
  private readonly rates = new Map<string, number>();
  private readonly healthyP95Ms = new Map<string, number>();
  /** Minutes wholly in the past never change. */
  private readonly settled = new Map<string, MinuteFigures>();

  constructor(
    private readonly context: FleetContext,
    private readonly clusters: SimulatedClusters,
    private readonly balancers: SimulatedLoadBalancing,
  ) {
    for (const fault of context.faults.faults) {
      if (fault.type !== 'degradedVersion') continue;
      const list = this.degradations.get(fault.service) ?? [];
      list.push(fault);
      this.degradations.set(fault.service, list);
    }
  }

  requestsPerSecond(service: string, region: string): number {
    const key = `${service}/${region}`;
    let rate = this.rates.get(key);
    if (rate === undefined) {
      rate =
        this.context.faults.fleet.requestsPerSecond ??
        40 + 40 * noise(this.context.seed, 'rps', service, region);
      this.rates.set(key, rate);
    }
    return rate;
  }

  /** How requests to `image` of a service in a region behave at a time. */
  behaviour(service: ResolvedService, region: string, image: string | undefined, atMs: number): Behaviour {
    let healthyP95Ms = this.healthyP95Ms.get(service.name);
    if (healthyP95Ms === undefined) {
      healthyP95Ms = 80 + 80 * noise(this.context.seed, 'p95', service.name);
      this.healthyP95Ms.set(service.name, healthyP95Ms);
    }
    const behaviour: Behaviour = { errorRate: HEALTHY_ERROR_RATE, p95Ms: healthyP95Ms };
    const version = this.context.versionOf(service, image);
    // Later faults in the file win where they overlap.
    for (const fault of this.degradations.get(service.name) ?? []) {
      if (fault.version !== version || (fault.region !== undefined && fault.region !== region)) continue;
      const from = this.context.faultStartMs(service, region, fault.from);
      if (from === undefined || from > atMs) continue;
      if (fault.errorRatePercent !== undefined) behaviour.errorRate = fault.errorRatePercent / 100;
      if (fault.p95LatencyMs !== undefined) behaviour.p95Ms = fault.p95LatencyMs;
    }
    return behaviour;
  }

  /** Fraction of a service's requests each track receives at a time. */
  splitAt(service: ResolvedService, region: string, atMs: number): Record<Track, number> {
    const weighted = this.balancers.splitAt(service.name, region, atMs);
    if (weighted) return weighted;
    // No load balancer: a Service spreads requests over ready pods.
    const stable = this.readyPods(service, region, 'stable', atMs);
    const canary = this.readyPods(service, region, 'canary', atMs);
    const total = stable + canary;
    return total === 0 ? { stable: 0, canary: 0 } : { stable: stable / total, canary: canary / total };
  }

  /**
   * A target group's targets at a time. Ready pods are healthy unless their version crashes;
   * pods failing their readiness probe, and every pod of a region that is down, are unhealthy;
   * pods still starting are neither (their targets are `initial`).
   */
  targetsAt(service: ResolvedService, region: string, track: Track, atMs: number): TargetCounts {
    const pods = this.clusters.census(region, service, track, atMs);
    if (this.context.outageAt(region, atMs)) {
      return { healthy: 0, unhealthy: pods.updatedReady + pods.oldReady + pods.starting + pods.failing };
    }
    const crashed = this.context.crashedPods(service, region, pods, atMs);
    return { healthy: pods.updatedReady + pods.oldReady - crashed, unhealthy: pods.failing + crashed };
  }

  /** One target group's figures for the minute starting at `minuteMs` (a whole minute). */
  minute(service: ResolvedService, region: string, track: Track, minuteMs: number): MinuteFigures {
    const key = `${service.name}/${region}/${track}/${minuteMs}`;
    const cached = this.settled.get(key);
    if (cached) return cached;
    const figures = this.measure(service, region, track, minuteMs, minuteMs + MINUTE_MS);
    // A minute wholly in the past can no longer change; a later one is a forecast.
    if (minuteMs + MINUTE_MS <= this.context.nowMs()) this.settled.set(key, figures);
    return figures;
  }

  private measure(
    service: ResolvedService,
    region: string,
    track: Track,
    fromMs: number,
    toMs: number,
  ): MinuteFigures {
    let requests = 0;
    let targetErrors = 0;
    let refused = 0;
    const latencies: Array<{ p95Ms: number; requests: number }> = [];
    const hosts = { healthy: new HostCounter(), unhealthy: new HostCounter() };
    const rate = this.requestsPerSecond(service.name, region);

    for (const [start, end] of this.pieces(service, region, fromMs, toMs)) {
      const middle = (start + end) / 2;
      const targets = this.targetsAt(service, region, track, middle);
      hosts.healthy.add(targets.healthy, end - start);
      hosts.unhealthy.add(targets.unhealthy, end - start);
      const pieceRequests = ((rate * (end - start)) / 1000) * this.splitAt(service, region, middle)[track];
      if (pieceRequests === 0) continue;
      if (this.context.outageAt(region, middle)) {
        // The region's targets are unreachable: every connection fails.
        requests += pieceRequests;
        refused += pieceRequests;
        continue;
      }
      const pods = this.clusters.census(region, service, track, middle);
      const groups = [
        { image: pods.segment.image, pods: pods.updatedReady },
        { image: pods.segment.oldImage, pods: pods.oldReady },
      ].map((group) => ({ ...group, crashing: this.context.crashing(service, region, group.image, middle) }));
      const serving = groups.filter((group) => group.pods > 0 && !group.crashing);
      const servingPods = serving.reduce((sum, group) => sum + group.pods, 0);
      const crashingPods = groups.reduce((sum, group) => sum + (group.crashing ? group.pods : 0), 0);
      // No ready pod at all: the load balancer answers 503 itself, outside the target group.
      if (servingPods === 0 && crashingPods === 0) continue;
      requests += pieceRequests;
      // Only crashing targets: the load balancer fails open and their connections are refused.
      if (servingPods === 0) {
        refused += pieceRequests;
        continue;
      }
      for (const group of serving) {
        const served = (pieceRequests * group.pods) / servingPods;
        const behaviour = this.behaviour(service, region, group.image, middle);
        targetErrors += served * behaviour.errorRate;
        latencies.push({ p95Ms: behaviour.p95Ms, requests: served });
      }
    }

    const seed = this.context.seed;
    const key = [service.name, region, track, fromMs, toMs] as const;
    const healthyHosts = hosts.healthy.figures();
    const unhealthyHosts = hosts.unhealthy.figures();
    const measured = Math.round(requests * (0.95 + 0.1 * noise(seed, 'requests', ...key)));
    if (measured === 0) {
      return {
        requests: 0,
        targetErrors: 0,
        connectionErrors: 0,
        p95Ms: undefined,
        answered: 0,
        healthyHosts,
        unhealthyHosts,
      };
    }
    const connectionErrors = Math.round((measured * refused) / requests);
    const answered = measured - connectionErrors;
    // ±10 % on the error rate, shrinking towards 0 and 100 % as a binomial's spread does.
    const errorRate = requests > refused ? Math.min(1, targetErrors / (requests - refused)) : 0;
    const spread = 0.2 * noise(seed, 'errors', ...key) - 0.1;
    const measuredErrors = Math.round(answered * errorRate * (1 + spread * (1 - errorRate)));
    const p95 = answered > 0 ? mixtureP95(latencies) : undefined;
    return {
      requests: measured,
      targetErrors: Math.min(answered, measuredErrors),
      connectionErrors,
      p95Ms:
        p95 === undefined
          ? undefined
          : Math.round(p95 * (0.97 + 0.06 * noise(seed, 'latency', ...key)) * 10) / 10,
      answered,
      healthyHosts,
      unhealthyHosts,
    };
  }

  private readyPods(service: ResolvedService, region: string, track: Track, atMs: number): number {
    const pods = this.clusters.census(region, service, track, atMs);
    return pods.updatedReady + pods.oldReady;
  }

  /** [fromMs, toMs) cut wherever the service's traffic or pods may have changed. */
  private pieces(
    service: ResolvedService,
    region: string,
    fromMs: number,
    toMs: number,
  ): Array<[number, number]> {
    const cuts = new Set<number>([fromMs, toMs]);
    const inside = (at: number | undefined) => at !== undefined && at > fromMs && at < toMs;
    for (const at of this.balancers.changeTimes(service.name, region, fromMs, toMs))
      if (inside(at)) cuts.add(at);
    for (const at of this.clusters.changeTimes(region, service, fromMs, toMs)) if (inside(at)) cuts.add(at);
    for (const at of this.context.outageBoundaries(region)) if (inside(at)) cuts.add(at);
    for (const fault of this.degradations.get(service.name) ?? []) {
      const at = this.context.faultStartMs(service, region, fault.from);
      if (inside(at)) cuts.add(at!);
    }
    for (const at of this.context.crashStarts(service, region)) if (inside(at)) cuts.add(at);
    const sorted = [...cuts].sort((a, b) => a - b);
    const pieces: Array<[number, number]> = [];
    for (let index = 0; index + 1 < sorted.length; index += 1) {
      const start = sorted[index]!;
      const end = sorted[index + 1]!;
      const count = Math.ceil((end - start) / MAX_PIECE_MS);
      for (let piece = 0; piece < count; piece += 1) {
        pieces.push([start + ((end - start) * piece) / count, start + ((end - start) * (piece + 1)) / count]);
      }
    }
    return pieces;
  }
}

/** Fewest, most and time average of a count over the pieces of a minute. */
class HostCounter {
  private minimum = Number.POSITIVE_INFINITY;
  private maximum = 0;
  private weighted = 0;
  private duration = 0;

  add(count: number, durationMs: number): void {
    this.minimum = Math.min(this.minimum, count);
    this.maximum = Math.max(this.maximum, count);
    this.weighted += count * durationMs;
    this.duration += durationMs;
  }

  figures(): { minimum: number; maximum: number; average: number } {
    if (this.duration === 0) return { minimum: 0, maximum: 0, average: 0 };
    return { minimum: this.minimum, maximum: this.maximum, average: this.weighted / this.duration };
  }
}

/**
 * The p95 of requests served by groups with different p95s: the slowest group's when it serves at
 * least 5 % of requests, and so on down. Coarse, but it keeps a slow canary visible in a mix.
 */
export function mixtureP95(groups: ReadonlyArray<{ p95Ms: number; requests: number }>): number | undefined {
  const total = groups.reduce((sum, group) => sum + group.requests, 0);
  if (total === 0) return undefined;
  const slowestFirst = [...groups].sort((a, b) => b.p95Ms - a.p95Ms);
  let served = 0;
  for (const group of slowestFirst) {
    served += group.requests;
    if (served >= total * 0.05) return group.p95Ms;
  }
  return slowestFirst.at(-1)!.p95Ms;
}
