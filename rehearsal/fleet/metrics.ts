/**
 * CloudWatch figures of the simulated fleet, computed from history rather than recorded: a
 * service in a region serves a steady request rate, split between its stable and canary target
 * groups by the weights in force (or, without a load balancer, by ready pods), and each request
 * behaves as the version of the pod that serves it. A period is cut where anything changed
 * (weights, Deployments, an outage, a fault starting) and each piece is judged at its middle.
 *
 * Healthy versions fail 0.2 % of requests with a p95 of 80–160 ms (by service and seed); the
 * seeded noise (±5 % requests, up to ±10 % on error rates, ±3 % latency) never makes a healthy canary fail
 * the default compare thresholds (+0.5 points of errors, ×1.1 latency).
 */
import type { ResolvedService } from '../../lambdas/core/plan/resolve';
import type { Track, VersionMetrics } from '../../lambdas/ports';
import type { DegradedVersionFault } from '../faults/schema';
import { trafficStepWeights } from '../faults/validate';
import { noise } from '../random';
import type { SimulatedLoadBalancing } from './aws/elbv2';
import type { SimulatedClusters } from './cluster';
import type { FleetContext } from './context';

export const HEALTHY_ERROR_RATE = 0.002;
/** What a request to a region that is down looks like from the load balancer: a timeout. */
export const OUTAGE_P95_MS = 30_000;
/** Pieces of a period are judged at most this far apart, so pods becoming ready show up in time. */
const MAX_PIECE_MS = 10_000;

export interface Behaviour {
  /** Fraction of requests that fail, 0 to 1. */
  errorRate: number;
  p95Ms: number;
}

export class FleetMetrics {
  private readonly degradations = new Map<string, DegradedVersionFault[]>();
  private readonly rates = new Map<string, number>();
  private readonly healthyP95Ms = new Map<string, number>();

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
      const from = this.degradationStart(service, region, fault);
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

  /** One target group's requests, errors and p95 latency over [fromMs, toMs). */
  sample(
    service: ResolvedService,
    region: string,
    track: Track,
    fromMs: number,
    toMs: number,
  ): VersionMetrics {
    let requests = 0;
    let errors = 0;
    const latencies: Array<{ p95Ms: number; requests: number }> = [];
    const rate = this.requestsPerSecond(service.name, region);

    for (const [start, end] of this.pieces(service, region, fromMs, toMs)) {
      const middle = (start + end) / 2;
      const pieceRequests = ((rate * (end - start)) / 1000) * this.splitAt(service, region, middle)[track];
      if (pieceRequests === 0) continue;
      requests += pieceRequests;
      if (this.context.outageAt(region, middle)) {
        errors += pieceRequests;
        latencies.push({ p95Ms: OUTAGE_P95_MS, requests: pieceRequests });
        continue;
      }
      const pods = this.clusters.census(region, service, track, middle);
      const ready = pods.updatedReady + pods.oldReady;
      if (ready === 0) {
        // No healthy target: the load balancer answers 503 itself, with no target latency.
        errors += pieceRequests;
        continue;
      }
      const groups = [
        { image: pods.segment.image, pods: pods.updatedReady },
        { image: pods.segment.oldImage, pods: pods.oldReady },
      ];
      for (const group of groups) {
        if (group.pods === 0) continue;
        const served = (pieceRequests * group.pods) / ready;
        const behaviour = this.behaviour(service, region, group.image, middle);
        errors += served * behaviour.errorRate;
        latencies.push({ p95Ms: behaviour.p95Ms, requests: served });
      }
    }

    const seed = this.context.seed;
    const key = [service.name, region, track, fromMs, toMs] as const;
    const measured = Math.round(requests * (0.95 + 0.1 * noise(seed, 'requests', ...key)));
    if (measured === 0) return { requests: 0, errors: 0, p95LatencyMs: undefined };
    // ±10 % on the error rate, shrinking towards 0 and 100 % as a binomial's spread does: a
    // region that is down fails every request, not 95 % of them.
    const errorRate = Math.min(1, errors / requests);
    const spread = 0.2 * noise(seed, 'errors', ...key) - 0.1;
    const measuredErrors = Math.round(measured * errorRate * (1 + spread * (1 - errorRate)));
    const p95 = mixtureP95(latencies);
    return {
      requests: measured,
      errors: Math.min(measured, measuredErrors),
      p95LatencyMs:
        p95 === undefined
          ? undefined
          : Math.round(p95 * (0.97 + 0.06 * noise(seed, 'latency', ...key)) * 10) / 10,
    };
  }

  /** When a degradation starts in a region; undefined while its step or weight is not reached. */
  private degradationStart(
    service: ResolvedService,
    region: string,
    fault: DegradedVersionFault,
  ): number | undefined {
    const from = fault.from;
    if (from === undefined) return Number.NEGATIVE_INFINITY;
    if ('at' in from) return this.context.atMs(from.at);
    const weight = 'weight' in from ? from.weight : trafficStepWeights(service)[from.step - 1];
    return weight === undefined ? undefined : this.context.newVersionReached(service.name, region, weight);
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
      const at = this.degradationStart(service, region, fault);
      if (inside(at)) cuts.add(at!);
    }
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

/**
 * The p95 of requests served by groups with different p95s: the slowest group's when it serves at
 * least 5 % of requests, and so on down. Coarse, but it keeps a slow canary visible in a mix.
 */
function mixtureP95(groups: ReadonlyArray<{ p95Ms: number; requests: number }>): number | undefined {
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
