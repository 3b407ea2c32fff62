/**
 * In-memory Traffic and Dns ports for handler tests: ALB weights per service and region, and
 * Route 53 record weights. Re-exported by fakes.ts, where fakePorts builds them.
 */
import { TrafficEditedError } from '../../lambdas/core/errors';
import type {
  Dns,
  DnsChange,
  DnsRecord,
  ResolvedTraffic,
  TargetHealthSummary,
  Track,
  Traffic,
  TrafficTarget,
  Weights,
  WriteCondition,
} from '../../lambdas/ports';
import { isAlbIngressTarget } from '../../lambdas/ports';
import type { FakeCluster } from './fake-cluster';

type Json = Record<string, unknown>;

/**
 * ALB weights per service and region (stable 100 % until set); read-back and health scripted.
 * Unscripted health: every pod of the cluster's Deployment named like the service is a healthy
 * target of its track's group.
 */
export class FakeTraffic implements Traffic {
  private readonly weights = new Map<string, Weights>();
  private readonly health = new Map<string, Record<Track, TargetHealthSummary>>();
  readonly calls: Array<{ service: string; region: string; weights: Weights }> = [];
  readonly attached: Array<{ service: string; region: string }> = [];

  constructor(private readonly cluster?: FakeCluster) {}
  /** What the load balancer reports after a set, when it is not what was asked (a racing writer). */
  readBack: ((target: TrafficTarget, asked: Weights) => Weights) | undefined;

  dump(): Json {
    return structuredClone(Object.fromEntries(this.weights));
  }

  weightsOf(service: string, region: string): Weights {
    return structuredClone(this.weights.get(`${region}/${service}`) ?? { stable: 100, canary: 0 });
  }

  scriptHealth(service: string, region: string, health: Record<Track, TargetHealthSummary>): void {
    this.health.set(`${region}/${service}`, structuredClone(health));
  }

  /** Errors resolve throws for a service in a region (`region/service`): a missing load balancer, rule or group. */
  readonly resolveErrors = new Map<string, Error>();

  async resolve(target: TrafficTarget): Promise<ResolvedTraffic> {
    const scripted = this.resolveErrors.get(`${target.region}/${target.service}`);
    if (scripted) throw scripted;
    const prefix = `arn:aws:elasticloadbalancing:${target.region}:123456789012`;
    const names =
      'alb' in target
        ? {
            balancer: target.alb.loadBalancerName,
            port: target.alb.port,
            stable: target.alb.stableTargetGroup,
            canary: target.alb.canaryTargetGroup,
          }
        : {
            balancer: `k8s-${target.namespace}-${target.albIngress.ingress}`.slice(0, 32),
            port: 80,
            stable: target.albIngress.stableService,
            canary: target.albIngress.canaryService,
          };
    return {
      loadBalancerArn: `${prefix}:loadbalancer/app/${names.balancer}/0123456789abcdef`,
      listenerArn: `${prefix}:listener/app/${names.balancer}/0123456789abcdef/${names.port}`,
      stableTargetGroupArn: `${prefix}:targetgroup/${names.stable}/0000000000000001`,
      canaryTargetGroupArn: `${prefix}:targetgroup/${names.canary}/0000000000000002`,
    };
  }

  async getWeights(target: TrafficTarget): Promise<Weights> {
    return this.weightsOf(target.service, target.region);
  }

  async attachCanary(target: TrafficTarget): Promise<void> {
    this.attached.push({ service: target.service, region: target.region });
  }

  async setWeights(
    target: TrafficTarget,
    weights: Weights,
    expected?: Weights,
    writeIf?: WriteCondition,
  ): Promise<Weights> {
    const live = this.weightsOf(target.service, target.region);
    if (expected && (live.stable !== expected.stable || live.canary !== expected.canary)) {
      throw new TrafficEditedError(
        `${target.service} in ${target.region} is at ${live.stable}/${live.canary}, not ${expected.stable}/${expected.canary}`,
      );
    }
    if (writeIf && !(await writeIf(live))) return live;
    this.calls.push({ service: target.service, region: target.region, weights: structuredClone(weights) });
    const applied = this.readBack ? this.readBack(target, weights) : weights;
    this.weights.set(`${target.region}/${target.service}`, structuredClone(applied));
    return structuredClone(applied);
  }

  async targetHealth(target: TrafficTarget): Promise<Record<Track, TargetHealthSummary>> {
    const scripted = this.health.get(`${target.region}/${target.service}`);
    if (scripted) return structuredClone(scripted);
    const group = (track: Track, name: string): TargetHealthSummary => ({
      name,
      targets: (this.cluster?.podIps(target.region, target.service, track) ?? []).map((id) => ({
        id,
        state: 'healthy' as const,
      })),
    });
    const names = isAlbIngressTarget(target)
      ? { stable: target.albIngress.stableService, canary: target.albIngress.canaryService }
      : { stable: target.alb.stableTargetGroup, canary: target.alb.canaryTargetGroup };
    return { stable: group('stable', names.stable), canary: group('canary', names.canary) };
  }
}

export class FakeDns implements Dns {
  private readonly records = new Map<string, Record<string, number>>();
  readonly changes: Array<{ changeId: string; weights: Record<string, number> }> = [];
  inSync = true;

  dump(): Json {
    return structuredClone(Object.fromEntries(this.records));
  }

  setRecord(record: DnsRecord, weights: Record<string, number>): void {
    this.records.set(`${record.hostedZoneId}/${record.recordName}`, { ...weights });
  }

  async getWeights(record: DnsRecord): Promise<Record<string, number>> {
    return { ...(this.records.get(`${record.hostedZoneId}/${record.recordName}`) ?? {}) };
  }

  /** The TTL every record of the fake zone has. */
  ttlSeconds = 60;

  async setWeights(record: DnsRecord, weights: Record<string, number>): Promise<DnsChange> {
    const key = `${record.hostedZoneId}/${record.recordName}`;
    this.records.set(key, { ...(this.records.get(key) ?? {}), ...weights });
    const changeId = `C${String(this.changes.length + 1).padStart(6, '0')}`;
    this.changes.push({ changeId, weights: { ...weights } });
    return { changeId, ttlSeconds: this.ttlSeconds };
  }

  async isInSync(_changeId: string): Promise<boolean> {
    return this.inSync;
  }
}
