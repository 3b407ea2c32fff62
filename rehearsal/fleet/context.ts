/**
 * What every part of the simulated fleet shares: the plan, the virtual clock, the seed, the fleet
 * settings and the faults, with the time-dependent questions about them answered in one place.
 */

import { CANARY_SUFFIX } from '../../lambdas/adapters/kubernetes/conventions';
import { type ResolvedPlan, type ResolvedService, seconds } from '../../lambdas/core/plan/resolve';
import type { Clock } from '../../lambdas/ports';
import type {
  CrashingVersionFault,
  FaultFile,
  FaultStart,
  MissingResourceKind,
  RegionOutageFault,
} from '../faults/schema';
import { trafficStepWeights } from '../faults/validate';

export type Version = 'new' | 'previous';

export interface FleetTiming {
  replicaIntervalMs: number;
  readinessDelayMs: number;
  progressDeadlineMs: number;
  dnsPropagationMs: number;
  healthCheckIntervalMs: number;
}

export class FleetContext {
  readonly startMs: number;
  readonly timing: FleetTiming;
  private readonly outagesByRegion = new Map<
    string,
    Array<{ fromMs: number; untilMs: number; controlPlane: boolean }>
  >();
  private readonly serviceByDeployment = new Map<string, string>();
  /** Per service and region: each time the new version's share of traffic reached a new high. */
  private readonly newVersionHighs = new Map<string, Array<{ atMs: number; percent: number }>>();
  private readonly crashes = new Map<string, CrashingVersionFault[]>();

  constructor(
    readonly plan: ResolvedPlan,
    readonly faults: FaultFile,
    readonly clock: Clock,
    readonly seed: number,
  ) {
    this.startMs = clock.now().getTime();
    const { rollout, dnsPropagationSeconds, healthCheckIntervalSeconds } = faults.fleet;
    this.timing = {
      replicaIntervalMs: rollout.replicaIntervalSeconds * 1000,
      readinessDelayMs: rollout.readinessDelaySeconds * 1000,
      progressDeadlineMs: rollout.progressDeadlineSeconds * 1000,
      dnsPropagationMs: dnsPropagationSeconds * 1000,
      healthCheckIntervalMs: healthCheckIntervalSeconds * 1000,
    };
    for (const fault of faults.faults) {
      if (fault.type !== 'regionOutage') continue;
      const list = this.outagesByRegion.get(fault.region) ?? [];
      list.push({
        fromMs: this.atMs(fault.at),
        untilMs: untilMs(this, fault),
        controlPlane: fault.controlPlane,
      });
      this.outagesByRegion.set(fault.region, list);
    }
    for (const fault of faults.faults) {
      if (fault.type !== 'crashingVersion') continue;
      this.crashes.set(fault.service, [...(this.crashes.get(fault.service) ?? []), fault]);
    }
    for (const region of plan.regions) {
      for (const name of region.services) {
        const service = plan.services.get(name);
        if (service)
          this.serviceByDeployment.set(
            deploymentKey(region.name, service.namespace, service.deployment),
            name,
          );
      }
    }
  }

  nowMs(): number {
    return this.clock.now().getTime();
  }

  /** A fault file's virtual time (`12m`) as a time on the clock. */
  atMs(duration: string): number {
    return this.startMs + seconds(duration) * 1000;
  }

  /** When the rehearsed release's last wave ended, once it has. */
  lastWaveEndedMs: number | undefined;

  /** A fault's time as it counts it (`after`): from the start, or from the last wave's end (undefined before it). */
  faultAtMs(fault: { after?: 'start' | 'lastWave' }, duration: string): number | undefined {
    if (fault.after !== 'lastWave') return this.atMs(duration);
    return this.lastWaveEndedMs === undefined ? undefined : this.lastWaveEndedMs + seconds(duration) * 1000;
  }

  service(name: string): ResolvedService | undefined {
    return this.plan.services.get(name);
  }

  /** The service a stable or canary Deployment belongs to, if the plan has it. */
  serviceOfDeployment(region: string, namespace: string, deployment: string): string | undefined {
    const stableName = deployment.endsWith(CANARY_SUFFIX)
      ? deployment.slice(0, -CANARY_SUFFIX.length)
      : deployment;
    return (
      this.serviceByDeployment.get(deploymentKey(region, namespace, deployment)) ??
      this.serviceByDeployment.get(deploymentKey(region, namespace, stableName))
    );
  }

  /** The image a service runs before the release. */
  previousImage(service: ResolvedService): string {
    return this.faults.fleet.images[service.name] ?? `${imageRepository(service.image)}:previous`;
  }

  /** An image is the new version when it is the plan's; anything else is what ran before. */
  versionOf(service: ResolvedService, image: string | undefined): Version {
    return image === service.image ? 'new' : 'previous';
  }

  /**
   * Whether a missingResource fault took this resource away before the release started: the
   * simulated APIs answer for it as AWS and Kubernetes answer for something that does not exist.
   */
  isMissing(kind: MissingResourceKind, name: string, region: string): boolean {
    return this.faults.faults.some(
      (fault) =>
        fault.type === 'missingResource' &&
        fault.kind === kind &&
        fault.name === name &&
        (fault.region === undefined || fault.region === region),
    );
  }

  /** The outage a region is in at `atMs`, if any. */
  outageAt(region: string, atMs: number): { controlPlane: boolean } | undefined {
    return this.outagesByRegion.get(region)?.find((outage) => outage.fromMs <= atMs && atMs < outage.untilMs);
  }

  /** Outage boundaries in a region: where metrics and alarms change without anyone acting. */
  outageBoundaries(region: string): number[] {
    return (this.outagesByRegion.get(region) ?? []).flatMap((outage) => [outage.fromMs, outage.untilMs]);
  }

  /** Records the new version's share of a service's traffic in a region after a change (at `atMs`, by default now). */
  noteNewVersionShare(service: string, region: string, percent: number, atMs = this.nowMs()): void {
    const key = `${service}/${region}`;
    const highs = this.newVersionHighs.get(key) ?? [];
    const best = highs.at(-1)?.percent ?? 0;
    if (highs.length === 0 || percent > best) {
      highs.push({ atMs, percent });
      this.newVersionHighs.set(key, highs);
    }
  }

  /** When the new version first had at least `percent` of the traffic; 0 % holds from the start. */
  newVersionReached(service: string, region: string, percent: number): number | undefined {
    if (percent <= 0) return this.startMs;
    return this.newVersionHighs.get(`${service}/${region}`)?.find((high) => high.percent >= percent)?.atMs;
  }

  /**
   * When a version fault starts in a region: from the start without `from`, at its time, or when
   * the new version first takes its step's weight; undefined while that has not happened.
   */
  faultStartMs(service: ResolvedService, region: string, from: FaultStart | undefined): number | undefined {
    if (from === undefined) return Number.NEGATIVE_INFINITY;
    if ('at' in from) return this.atMs(from.at);
    const weight = 'weight' in from ? from.weight : trafficStepWeights(service)[from.step - 1];
    return weight === undefined ? undefined : this.newVersionReached(service.name, region, weight);
  }

  /**
   * Whether pods running `image` accept no connections at a time (a crashingVersion fault): the one
   * answer the load balancer's target health and the metrics both go by.
   */
  crashing(service: ResolvedService, region: string, image: string | undefined, atMs: number): boolean {
    if (image === undefined) return false;
    const version = this.versionOf(service, image);
    return (this.crashes.get(service.name) ?? []).some((fault) => {
      if (fault.version !== version || (fault.region !== undefined && fault.region !== region)) return false;
      const from = this.faultStartMs(service, region, fault.from);
      return from !== undefined && from <= atMs;
    });
  }

  /** How many of a Deployment's ready pods (a census at `atMs`) run a crashing version. */
  crashedPods(
    service: ResolvedService,
    region: string,
    pods: { updatedReady: number; oldReady: number; segment: { image?: string; oldImage?: string } },
    atMs: number,
  ): number {
    return (
      (this.crashing(service, region, pods.segment.image, atMs) ? pods.updatedReady : 0) +
      (this.crashing(service, region, pods.segment.oldImage, atMs) ? pods.oldReady : 0)
    );
  }

  /** When the crashes of a service's versions start in a region: where its metrics change. */
  crashStarts(service: ResolvedService, region: string): number[] {
    return (this.crashes.get(service.name) ?? []).flatMap((fault) => {
      if (fault.region !== undefined && fault.region !== region) return [];
      const from = this.faultStartMs(service, region, fault.from);
      return from === undefined ? [] : [from];
    });
  }
}

/** The same suffix as adapters/kubernetes/cluster.ts (not imported: that module loads client-node). */

function deploymentKey(region: string, namespace: string, deployment: string): string {
  return `${region}/${namespace}/${deployment}`;
}

function untilMs(context: FleetContext, fault: RegionOutageFault): number {
  return fault.until === undefined ? Number.POSITIVE_INFINITY : context.atMs(fault.until);
}

/**
 * An image reference without its tag or digest: `registry:5000/team/app:1.2@sha256:…` →
 * `registry:5000/team/app`. A colon before the last slash belongs to the registry's port.
 */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
}
