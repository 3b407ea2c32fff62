/**
 * The simulated fleet the rehearsal runs a release against: per region of the plan an EKS cluster,
 * load balancers, CloudWatch metrics and alarms, and the plan's Route 53 record, behind the same
 * Cluster, Traffic, Dns, Signals and Inventory ports the AWS adapters implement. Traffic, Dns,
 * Signals and Inventory are the real adapters (alb-traffic.ts, alb-ingress-traffic.ts,
 * route53-dns.ts, cloudwatch-signals.ts, inventory.ts) talking to simulated ELBv2, Ingress,
 * Route 53, CloudWatch, Lambda and EKS APIs, so the rehearsal exercises their rules too; load balancers of albIngress services belong
 * to a simulated AWS Load Balancer Controller; only HTTP and TCP probes are simulated whole (they
 * would touch the network).
 *
 * Everything is on virtual time: the fleet never sleeps or sets timers; its state is a function
 * of `clock.now()` and of what was done to it, computed when asked. The same plan, fault file
 * and seed give the same answers.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { AlbIngressTraffic } from '../../lambdas/adapters/aws/alb-ingress-traffic';
import { AlbTraffic } from '../../lambdas/adapters/aws/alb-traffic';
import { CloudWatchAbortAlarms } from '../../lambdas/adapters/aws/cloudwatch-abort-alarms';
import { CloudWatchSignals } from '../../lambdas/adapters/aws/cloudwatch-signals';
import { AwsInventory } from '../../lambdas/adapters/aws/inventory';
import { Route53Dns } from '../../lambdas/adapters/aws/route53-dns';
import { TrafficByType } from '../../lambdas/adapters/aws/traffic';
import { InvalidInputError } from '../../lambdas/core/errors';
import type { ResolvedPlan } from '../../lambdas/core/plan/resolve';
import type {
  AbortAlarms,
  Clock,
  Cluster,
  DeploymentSnapshot,
  Dns,
  Inventory,
  ResolvedTraffic,
  Signals,
  Track,
  Traffic,
  TrafficTarget,
  Weights,
  WorkloadTarget,
} from '../../lambdas/ports';
import { type FaultFile, noFaults } from '../faults/schema';
import { type AlarmTransition, FleetAlarms } from './alarms';
import { SimulatedCloudWatch } from './aws/cloudwatch';
import { SIMULATED_HANDLER_ROLE_ARN, SimulatedEks } from './aws/eks';
import { type ActionWriter, SimulatedLoadBalancing } from './aws/elbv2';
import { SimulatedLambda } from './aws/lambda';
import { SimulatedLoadBalancerController } from './aws/load-balancer-controller';
import { SimulatedRoute53 } from './aws/route53';
import { SimulatedClusters } from './cluster';
import { FleetContext } from './context';
import { type CallScope, FaultInjector, type InjectedFailure, withFaults } from './fault-injection';
import { type FaultWindow, faultWindows } from './fault-windows';
import { SimulatedIngresses } from './ingresses';
import { FleetMetrics } from './metrics';
import { SimulatedProbes } from './signals';

export { type AlarmTransition, canaryErrorsAlarmName } from './alarms';
export type { InjectedFailure } from './fault-injection';
export type { FaultWindow } from './fault-windows';

export interface SimulatedFleetOptions {
  plan: ResolvedPlan;
  /** The parsed fault file; absent means no faults and default fleet settings. */
  faults?: FaultFile;
  clock: Clock;
  /** Absent means the fault file's seed, or 1. */
  seed?: number;
}

export interface WorkloadDescription {
  image: string;
  replicas: number;
  /** Pods passing their readiness probe now. */
  ready: number;
}

export interface ServiceDescription {
  /** null when the stable Deployment does not exist (a rollback deleted what a release created). */
  stable: WorkloadDescription | null;
  canary?: WorkloadDescription;
  /** The ALB weights, for services with ALB traffic. */
  weights?: Weights;
}

export interface FleetDescription {
  regions: Record<string, { down: boolean; services: Record<string, ServiceDescription> }>;
  /** Route 53 weight per set identifier, when the plan has a DNS record. */
  dns?: Record<string, number>;
}

export interface SimulatedFleet {
  readonly seed: number;
  cluster: Cluster;
  traffic: Traffic;
  dns: Dns;
  signals: Signals;
  /** Switchyard's abort alarms: the real CloudWatch adapter over the simulated CloudWatch. */
  abortAlarms: AbortAlarms;
  /** Every PutMetricAlarm and DeleteAlarms that changed an alarm, in order. */
  alarmChanges(): Array<{ atMs: number; region: string; action: string; alarmName: string }>;
  /** What preflight reads of the simulated account and clusters. */
  inventory: Inventory;
  /** The simulated CloudWatch of a region, as the signals adapter reads it: to inspect what it holds. */
  cloudWatch(region: string): CloudWatchClient;
  /**
   * Alarm transitions to ALARM the fault file fixes in advance (alarm faults, outages), earliest
   * first: the engine delivers each as `deliveries` EventBridge events at `at`.
   */
  alarmEvents(): AlarmTransition[];
  /** The rehearsed release's last wave ended: alarm faults counted from it get their times (returned). */
  anchorLastWave(at: Date): AlarmTransition[];
  /** An alarm's description as PutMetricAlarm set it (what its state change events carry), if any. */
  alarmDescription(region: string, alarmName: string): string | undefined;
  /**
   * Every transition to ALARM in (from, to], fixed ones and metric alarms' alike, earliest first.
   * Metric alarms depend on what the release did, so poll this as virtual time advances; past
   * now() it is a forecast that holds while nothing acts on the fleet before `to`.
   */
  alarmTransitionsBetween(from: Date, to: Date): AlarmTransition[];
  /** The fleet now: images, replicas and weights per region and service, and DNS weights. */
  describe(): FleetDescription;
  /** Operation faults injected so far, in order. */
  injectedFailures(): InjectedFailure[];
  /** When each of the fault file's faults was in force, so far. */
  faultWindows(): FaultWindow[];
  /** The simulated hosted zone's record sets as they are now. */
  dnsRecords(): ResourceRecordSet[];
  /**
   * Every change of a service's ALB weights, earliest first, with who made it: `initial`, an
   * ELBv2 `ModifyRule`/`ModifyListener` call, or the AWS Load Balancer Controller's reconcile.
   */
  weightChanges(
    service: string,
    region: string,
  ): Array<{ atMs: number; by?: ActionWriter; weights: Weights }>;
  /** The simulated clusters' Ingress API, as the albIngress adapter reaches it. */
  readonly ingresses: SimulatedIngresses;
}

export function createSimulatedFleet(options: SimulatedFleetOptions): SimulatedFleet {
  const faults = options.faults ?? noFaults();
  const seed = (options.seed ?? faults.seed ?? 1) >>> 0;
  const context = new FleetContext(options.plan, faults, options.clock, seed);
  const clusters = new SimulatedClusters(context);
  const balancers = new SimulatedLoadBalancing(context, clusters);
  const ingresses = new SimulatedIngresses(context);
  new SimulatedLoadBalancerController(context, balancers, ingresses);
  const route53 = new SimulatedRoute53(context);
  const metrics = new FleetMetrics(context, clusters, balancers);
  const alarms = new FleetAlarms(context, metrics);
  const injector = new FaultInjector(context);

  // After any change to a service: how far the new version has got (faults start from a step
  // or weight) and whether its canary serves traffic (metric alarms can only breach then). A
  // change the controller made before now (a reconcile caught up on) counts from its own time.
  const changed = (serviceName: string, region: string, atMs = context.nowMs()) => {
    const service = context.service(serviceName);
    if (!service) return;
    const stable = clusters.spec(region, service, 'stable');
    const canary = clusters.spec(region, service, 'canary');
    const isNew = (spec: { image: string } | undefined) =>
      spec !== undefined && context.versionOf(service, spec.image) === 'new';
    const split = balancers.splitAt(serviceName, region, atMs);
    let newShare: number;
    if (split) {
      newShare = (isNew(stable) ? split.stable : 0) + (isNew(canary) ? split.canary : 0);
    } else {
      const total = (stable?.replicas ?? 0) + (canary?.replicas ?? 0);
      const onNew = (isNew(stable) ? stable!.replicas : 0) + (isNew(canary) ? canary!.replicas : 0);
      newShare = total === 0 ? 0 : onNew / total;
    }
    context.noteNewVersionShare(serviceName, region, Math.round(newShare * 100_000) / 1000, atMs);
    alarms.noteCanaryActivity(serviceName, region, (canary?.replicas ?? 0) > 0 || (split?.canary ?? 0) > 0);
  };
  clusters.onChange(changed);
  balancers.onChange(changed);

  const workloadScope = (target: WorkloadTarget): CallScope => ({
    region: target.region,
    service: context.serviceOfDeployment(target.region, target.namespace, target.deployment),
    subject: `Deployment ${target.namespace}/${target.deployment} in EKS cluster "${target.cluster}" (${target.region})`,
  });
  const cluster = withFaults<Cluster>(
    clusters,
    'cluster',
    [
      'readDeployment',
      'snapshot',
      'setImage',
      'scale',
      'ensureCanary',
      'removeCanary',
      'rolloutStatus',
      'podAddresses',
      'restore',
    ],
    (method, args) =>
      workloadScope(
        method === 'restore' ? (args[0] as DeploymentSnapshot).target : (args[0] as WorkloadTarget),
      ),
    injector,
  );

  const elbv2For = (region: string) => balancers.client(region);
  const alb = new TrafficByType({
    alb: new AlbTraffic(elbv2For),
    albIngress: new AlbIngressTraffic({ elbv2For, ingresses }),
  });
  // Only services with ALB traffic have a load balancer, whatever names a caller passes.
  const requireLoadBalancer = (target: TrafficTarget) => {
    if (!balancers.hasLoadBalancer(target.service, target.region)) {
      const type = context.service(target.service)?.traffic.type;
      throw new InvalidInputError(
        type === 'replicaRatio'
          ? `${target.service} has replicaRatio traffic: it has no load balancer in ${target.region}`
          : `${target.service} has no load balancer in ${target.region}`,
      );
    }
  };
  const checkedTraffic: Traffic = {
    resolve: async (target) => {
      requireLoadBalancer(target);
      return alb.resolve(target);
    },
    getWeights: async (target) => {
      requireLoadBalancer(target);
      return alb.getWeights(target);
    },
    attachCanary: async (target) => {
      requireLoadBalancer(target);
      return alb.attachCanary(target);
    },
    setWeights: async (target, weights, expected, writeIf) => {
      requireLoadBalancer(target);
      return alb.setWeights(target, weights, expected, writeIf);
    },
    targetHealth: async (target) => {
      requireLoadBalancer(target);
      return alb.targetHealth(target);
    },
  };
  const traffic = withFaults<Traffic>(
    checkedTraffic,
    'traffic',
    ['resolve', 'getWeights', 'attachCanary', 'setWeights', 'targetHealth'],
    (_method, args) => {
      const target = args[0] as TrafficTarget;
      return {
        region: target.region,
        service: target.service,
        subject: `the load balancer of ${target.service} in ${target.region}`,
      };
    },
    injector,
  );

  const dns = withFaults<Dns>(
    new Route53Dns(route53.client()),
    'dns',
    ['getWeights', 'setWeights', 'isInSync'],
    (method, args) => ({
      subject:
        method === 'isInSync'
          ? `Route 53 change ${String(args[0])}`
          : `record ${(args[0] as { recordName: string }).recordName}`,
    }),
    injector,
  );

  const cloudWatch = new SimulatedCloudWatch(context, balancers, metrics, alarms);
  const lambda = new SimulatedLambda(context);
  const cloudWatchSignals = new CloudWatchSignals({
    cloudWatch: (region) => cloudWatch.client(region),
    lambda: (region) => lambda.client(region),
  });
  const abortAlarms = new CloudWatchAbortAlarms((region) => cloudWatch.client(region));
  const probes = new SimulatedProbes(context);
  const signals = withFaults<Signals>(
    {
      alarmStates: (region, names) => cloudWatchSignals.alarmStates(region, names),
      compareTargetGroups: (region, resolved, window) =>
        cloudWatchSignals.compareTargetGroups(region, resolved, window),
      invokeHook: (region, name, payload) => cloudWatchSignals.invokeHook(region, name, payload),
      httpProbe: (check) => probes.httpProbe(check),
      tcpProbe: (check) => probes.tcpProbe(check),
    },
    'signals',
    ['alarmStates', 'compareTargetGroups', 'httpProbe', 'tcpProbe', 'invokeHook'],
    (method, args) => {
      if (method === 'httpProbe' || method === 'tcpProbe') {
        const check = args[0] as { url?: string; host?: string; port?: number };
        return { subject: check.url ?? `${check.host}:${check.port}` };
      }
      const region = args[0] as string;
      if (method === 'compareTargetGroups') {
        const service = balancers.targetGroup(
          region,
          (args[1] as ResolvedTraffic).canaryTargetGroupArn,
        )?.service;
        return {
          region,
          service,
          subject: `target groups of ${service ?? 'an unknown service'} in ${region}`,
        };
      }
      return {
        region,
        subject: method === 'invokeHook' ? `function ${String(args[1])} in ${region}` : `alarms in ${region}`,
      };
    },
    injector,
  );

  // The real inventory adapter over the simulated EKS, ELBv2 and CloudWatch APIs. Its own access
  // review is not simulated: the simulated clusters authorize whatever the rehearsal does.
  const eks = new SimulatedEks(context);
  const inventory = new AwsInventory({
    clusterRoleArns: [SIMULATED_HANDLER_ROLE_ARN],
    eks: (region) => eks.client(region),
    elbv2: elbv2For,
    cloudWatch: (region) => cloudWatch.client(region),
    mayI: async () => ({ allowed: true }),
  });

  const describeWorkload = (
    region: string,
    serviceName: string,
    track: Track,
  ): WorkloadDescription | undefined => {
    const service = context.service(serviceName)!;
    const spec = clusters.spec(region, service, track);
    if (!spec) return undefined;
    const pods = clusters.census(region, service, track, context.nowMs());
    return { image: spec.image, replicas: spec.replicas, ready: pods.updatedReady + pods.oldReady };
  };

  return {
    seed,
    cluster,
    traffic,
    dns,
    signals,
    abortAlarms,
    alarmChanges: () => cloudWatch.alarmCalls.map((call) => ({ ...call })),
    inventory,
    cloudWatch: (region) => cloudWatch.client(region),
    alarmEvents: () => alarms.events(),
    anchorLastWave: (at) => alarms.anchorLastWave(at.getTime()),
    alarmDescription: (region, alarmName) => cloudWatch.descriptionOf(region, alarmName),
    alarmTransitionsBetween: (from, to) => alarms.transitionsBetween(from.getTime(), to.getTime()),
    injectedFailures: () => [...injector.injected],
    faultWindows: () => faultWindows(context),
    dnsRecords: () => route53.recordSets(),
    weightChanges: (service, region) =>
      balancers.weightHistory(service, region).map(({ atMs, by, split }) => ({
        atMs,
        ...(by !== undefined && { by }),
        weights: percentWeights(split),
      })),
    ingresses,
    describe: () => {
      const now = context.nowMs();
      const regions: FleetDescription['regions'] = {};
      for (const region of context.plan.regions) {
        const services: Record<string, ServiceDescription> = {};
        for (const name of region.services) {
          const canary = describeWorkload(region.name, name, 'canary');
          const split = balancers.splitAt(name, region.name, now);
          services[name] = {
            stable: describeWorkload(region.name, name, 'stable') ?? null,
            ...(canary && { canary }),
            ...(split && { weights: percentWeights(split) }),
          };
        }
        regions[region.name] = { down: context.outageAt(region.name, now) !== undefined, services };
      }
      return { regions, ...(context.plan.source.dns && { dns: route53.weights() }) };
    },
  };
}

/** Fractions as whole percents adding up to 100, rounded the way the ALB adapter reads them back. */
function percentWeights(split: Record<Track, number>): Weights {
  const total = split.stable + split.canary;
  if (total === 0) return { stable: 0, canary: 0 };
  const stable = Math.round((split.stable * 100) / total);
  return { stable, canary: 100 - stable };
}
