/**
 * In-memory fakes of every port, for handler tests. Each keeps the semantics its port documents
 * (lambdas/ports/) and the Kubernetes and Step Functions adapters implement; the store is
 * InMemoryStore (memory-store.ts), checked against DynamoDbStore by the store contract.
 * Answers from the outside world (rollout status, read-back weights, target health, metrics,
 * probes) are scripted by the test.
 */
import { NotFoundError, ReleaseConflictError, TrafficEditedError } from '../../lambdas/core/errors';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import { runPreflight } from '../../lambdas/handlers/preflight';
import type {
  AccessQuestion,
  AlarmState,
  Clock,
  Cluster,
  ClusterAccessView,
  ComparisonSample,
  DeploymentSnapshot,
  DeploymentView,
  Dns,
  DnsRecord,
  Events,
  ExecutionDescription,
  Inventory,
  MachineName,
  Ports,
  ProbeResult,
  ResolvedTraffic,
  RolloutStatus,
  Signals,
  SwitchyardEvent,
  SwitchyardGrants,
  TargetGroupView,
  TargetHealthSummary,
  Track,
  Traffic,
  TrafficTarget,
  Weights,
  Workflow,
  WorkloadTarget,
} from '../../lambdas/ports';
import { isAlbIngressTarget } from '../../lambdas/ports';
import { InMemoryStore } from './memory-store';

export { InMemoryStore } from './memory-store';

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);

// ── clock ────────────────────────────────────────────────────────────────────

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-11-22T10:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}

// ── workflow ─────────────────────────────────────────────────────────────────

export interface FakeExecution {
  machine: MachineName;
  name: string;
  executionArn: string;
  input: Record<string, unknown>;
  status: ExecutionDescription['status'];
  stopReason?: { error: string; cause: string };
}

export class FakeWorkflow implements Workflow {
  readonly executions = new Map<string, FakeExecution>();
  /** Executions actually started (not those that already existed). */
  readonly started: FakeExecution[] = [];
  readonly stopped: Array<{ executionArn: string; error: string; cause: string }> = [];
  readonly taskSuccesses: Array<{ token: string; output: Record<string, unknown> }> = [];
  readonly taskFailures: Array<{ token: string; error: string; cause: string }> = [];
  readonly heartbeats: string[] = [];
  /** Tokens whose task already ended: answering them is a NotFoundError, as the adapter reports. */
  readonly staleTokens = new Set<string>();

  /** Every execution's name, input and status. */
  dump(): Json {
    return clone(Object.fromEntries(this.executions));
  }

  executionArnFor(machine: MachineName, name: string): string {
    return `arn:aws:states:us-east-1:123456789012:execution:switchyard-${machine}:${name}`;
  }

  async startExecution(
    machine: MachineName,
    name: string,
    input: Record<string, unknown>,
  ): Promise<{ executionArn: string; alreadyExisted: boolean }> {
    const executionArn = this.executionArnFor(machine, name);
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (JSON.stringify(existing.input) !== JSON.stringify(input)) {
        throw new ReleaseConflictError(`an execution named "${name}" already exists with different input`);
      }
      return { executionArn, alreadyExisted: true };
    }
    const execution: FakeExecution = { machine, name, executionArn, input: clone(input), status: 'RUNNING' };
    this.executions.set(executionArn, execution);
    this.started.push(execution);
    return { executionArn, alreadyExisted: false };
  }

  async stopExecution(executionArn: string, reason: { error: string; cause: string }): Promise<void> {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new NotFoundError(`execution ${executionArn} does not exist`);
    // Stopping a finished execution changes nothing, as in Step Functions.
    if (execution.status !== 'RUNNING') return;
    execution.status = 'ABORTED';
    execution.stopReason = reason;
    this.stopped.push({ executionArn, ...reason });
  }

  async describeExecution(executionArn: string): Promise<ExecutionDescription | undefined> {
    const execution = this.executions.get(executionArn);
    if (!execution) return undefined;
    return {
      executionArn,
      name: execution.name,
      status: execution.status,
      startDate: '2026-11-22T10:00:00.000Z',
    };
  }

  async sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<void> {
    this.answer(token);
    this.taskSuccesses.push({ token, output: clone(output) });
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    this.answer(token);
    this.taskFailures.push({ token, error, cause });
  }

  async sendTaskHeartbeat(token: string): Promise<void> {
    if (this.staleTokens.has(token)) throw new NotFoundError(`task ${token} already ended`);
    this.heartbeats.push(token);
  }

  private answer(token: string): void {
    if (this.staleTokens.has(token)) throw new NotFoundError(`task ${token} already ended`);
    // A task is answered once; a second answer finds it ended.
    this.staleTokens.add(token);
  }
}

// ── cluster ──────────────────────────────────────────────────────────────────

interface FakeDeployment {
  replicas: number;
  images: Record<string, string>;
  template: Json;
  generation: number;
  labels: Record<string, string>;
}

export type ClusterCall =
  | { op: 'setImage'; deployment: string; track: Track; container: string; image: string }
  | { op: 'scale'; deployment: string; track: Track; replicas: number }
  | { op: 'ensureCanary'; deployment: string; image: string; replicas: number }
  | { op: 'removeCanary'; deployment: string; mode: 'scaleToZero' | 'delete' }
  | { op: 'restore'; deployment: string };

/** A pod template that passes the readiness gate: the baseline tests weaken one field at a time. */
export function securePodTemplate(container: string, image: string): Json {
  return {
    metadata: { labels: { app: container } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 10001 },
      containers: [
        {
          name: container,
          image,
          securityContext: {
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
          resources: {
            requests: { cpu: '100m', memory: '128Mi' },
            limits: { memory: '256Mi' },
          },
          livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
        },
      ],
    },
  };
}

/**
 * Deployments per region, cluster and namespace, stable and `-canary`. Rollout status answers
 * `complete` unless a test scripts it; every mutating call is recorded in order.
 */
export class FakeCluster implements Cluster {
  private readonly deployments = new Map<string, FakeDeployment>();
  private readonly statuses = new Map<string, RolloutStatus['state'][]>();
  readonly calls: ClusterCall[] = [];
  /** Deployments whose restore fails, by name: the rollback handlers must report them. */
  readonly failingRestores = new Set<string>();

  /** Adds a stable Deployment with one container named like the Deployment. */
  addDeployment(
    target: WorkloadTarget,
    spec: { replicas: number; image: string; container?: string; template?: Json },
  ): void {
    const container = spec.container ?? target.deployment;
    this.deployments.set(keyOf(target, 'stable'), {
      replicas: spec.replicas,
      images: { [container]: spec.image },
      template: spec.template ?? securePodTemplate(container, spec.image),
      generation: 1,
      labels: { app: target.deployment },
    });
  }

  /** The next answers of rolloutStatus for a track, in order; the last one repeats. */
  scriptRolloutStatus(target: WorkloadTarget, track: Track, states: RolloutStatus['state'][]): void {
    this.statuses.set(keyOf(target, track), [...states]);
  }

  /** Takes a Deployment away (someone deleted it, or it was never created). */
  removeDeployment(target: WorkloadTarget): void {
    this.deployments.delete(keyOf(target, 'stable'));
  }

  /** Every Deployment as plain data. */
  dump(): Json {
    return clone(Object.fromEntries(this.deployments));
  }

  deployment(target: WorkloadTarget, track: Track = 'stable'): FakeDeployment | undefined {
    const found = this.deployments.get(keyOf(target, track));
    return found && clone(found);
  }

  async readDeployment(target: WorkloadTarget, track: Track = 'stable'): Promise<DeploymentView | undefined> {
    const found = this.deployments.get(keyOf(target, track));
    if (!found) return undefined;
    return clone({
      name: track === 'canary' ? `${target.deployment}-canary` : target.deployment,
      namespace: target.namespace,
      replicas: found.replicas,
      images: found.images,
      template: found.template,
      generation: found.generation,
      labels: found.labels,
    });
  }

  async snapshot(target: WorkloadTarget): Promise<DeploymentSnapshot> {
    const stable = this.deployments.get(keyOf(target, 'stable'));
    if (!stable) throw new NotFoundError(`deployment ${target.deployment} not found in ${target.region}`);
    const canary = this.deployments.get(keyOf(target, 'canary'));
    return clone({
      target,
      existed: true,
      replicas: stable.replicas,
      images: stable.images,
      template: stable.template,
      canary: { existed: canary !== undefined, replicas: canary?.replicas ?? 0 },
    });
  }

  async setImage(
    target: WorkloadTarget,
    container: string,
    image: string,
    track: Track = 'stable',
  ): Promise<void> {
    const found = this.require(target, track);
    this.change(found, {
      images: { ...found.images, [container]: image },
      template: withImage(found.template, container, image),
    });
    this.calls.push({ op: 'setImage', deployment: target.deployment, track, container, image });
  }

  async scale(target: WorkloadTarget, replicas: number, track: Track = 'stable'): Promise<void> {
    this.change(this.require(target, track), { replicas });
    this.calls.push({ op: 'scale', deployment: target.deployment, track, replicas });
  }

  async ensureCanary(
    target: WorkloadTarget,
    spec: { container: string; image: string; replicas: number },
  ): Promise<string> {
    const stable = this.require(target, 'stable');
    const desired = {
      replicas: spec.replicas,
      images: { ...stable.images, [spec.container]: spec.image },
      template: withImage(stable.template, spec.container, spec.image),
    };
    const canary = this.deployments.get(keyOf(target, 'canary'));
    if (canary) this.change(canary, desired);
    else {
      this.deployments.set(keyOf(target, 'canary'), {
        ...desired,
        generation: 1,
        labels: { ...stable.labels, 'switchyard.dev/track': 'canary' },
      });
    }
    this.calls.push({
      op: 'ensureCanary',
      deployment: target.deployment,
      image: spec.image,
      replicas: spec.replicas,
    });
    return `${target.deployment}-canary`;
  }

  async removeCanary(target: WorkloadTarget, mode: 'scaleToZero' | 'delete'): Promise<void> {
    const canary = this.deployments.get(keyOf(target, 'canary'));
    if (canary && mode === 'scaleToZero') this.change(canary, { replicas: 0 });
    if (canary && mode === 'delete') this.deployments.delete(keyOf(target, 'canary'));
    this.calls.push({ op: 'removeCanary', deployment: target.deployment, mode });
  }

  async rolloutStatus(target: WorkloadTarget, track: Track = 'stable'): Promise<RolloutStatus> {
    const found = this.require(target, track);
    const scripted = this.statuses.get(keyOf(target, track));
    const state = (scripted && scripted.length > 1 ? scripted.shift() : scripted?.[0]) ?? 'complete';
    const ready = state === 'complete' ? found.replicas : 0;
    return {
      state,
      message:
        state === 'complete'
          ? `deployment "${target.deployment}" successfully rolled out`
          : state === 'failed'
            ? `deployment "${target.deployment}" exceeded its progress deadline`
            : `Waiting for deployment "${target.deployment}" rollout to finish: 0 of ${found.replicas} updated replicas are available...`,
      desired: found.replicas,
      updated: ready,
      ready,
      available: ready,
    };
  }

  async podAddresses(target: WorkloadTarget, track: Track): Promise<string[]> {
    return this.podIps(target.region, target.deployment, track);
  }

  /** One address per replica of a track's Deployment (found by region and name): what its group registers. */
  podIps(region: string, deployment: string, track: Track): string[] {
    const found = [...this.deployments].find(([key]) => {
      const [keyRegion, , , keyDeployment, keyTrack] = key.split('/');
      return keyRegion === region && keyDeployment === deployment && keyTrack === track;
    })?.[1];
    const subnet = track === 'stable' ? 1 : 2;
    return Array.from({ length: found?.replicas ?? 0 }, (_, index) => `10.${subnet}.0.${index + 1}`);
  }

  async restore(snapshot: DeploymentSnapshot): Promise<void> {
    const { target } = snapshot;
    if (this.failingRestores.has(target.deployment)) {
      throw new NotFoundError(`cannot restore ${target.deployment}: the API refused the patch`);
    }
    if (snapshot.existed) {
      const saved = { replicas: snapshot.replicas, images: snapshot.images, template: snapshot.template };
      const current = this.deployments.get(keyOf(target, 'stable'));
      if (current) this.change(current, saved);
      else
        this.deployments.set(keyOf(target, 'stable'), {
          ...clone(saved),
          generation: 1,
          labels: { app: target.deployment },
        });
    } else {
      this.deployments.delete(keyOf(target, 'stable'));
    }
    const canary = this.deployments.get(keyOf(target, 'canary'));
    if (!snapshot.canary.existed) this.deployments.delete(keyOf(target, 'canary'));
    else if (canary) this.change(canary, { replicas: snapshot.canary.replicas });
    this.calls.push({ op: 'restore', deployment: target.deployment });
  }

  /** Applies a spec change; like the API server, bumps the generation only when the spec changed. */
  private change(
    deployment: FakeDeployment,
    spec: Partial<Pick<FakeDeployment, 'replicas' | 'images' | 'template'>>,
  ): void {
    const before = JSON.stringify([deployment.replicas, deployment.images, deployment.template]);
    Object.assign(deployment, clone(spec));
    if (JSON.stringify([deployment.replicas, deployment.images, deployment.template]) !== before)
      deployment.generation++;
  }

  private require(target: WorkloadTarget, track: Track): FakeDeployment {
    const found = this.deployments.get(keyOf(target, track));
    if (!found)
      throw new NotFoundError(`deployment ${target.deployment} (${track}) not found in ${target.region}`);
    return found;
  }
}

function keyOf(target: WorkloadTarget, track: Track): string {
  return `${target.region}/${target.cluster}/${target.namespace}/${target.deployment}/${track}`;
}

function withImage(template: Json, container: string, image: string): Json {
  const copy = clone(template);
  const spec = copy.spec as { containers?: Array<{ name: string; image?: string }> } | undefined;
  for (const entry of spec?.containers ?? []) if (entry.name === container) entry.image = image;
  return copy;
}

// ── traffic, dns, signals, events ───────────────────────────────────────────

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
    return clone(Object.fromEntries(this.weights));
  }

  weightsOf(service: string, region: string): Weights {
    return clone(this.weights.get(`${region}/${service}`) ?? { stable: 100, canary: 0 });
  }

  scriptHealth(service: string, region: string, health: Record<Track, TargetHealthSummary>): void {
    this.health.set(`${region}/${service}`, clone(health));
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

  async setWeights(target: TrafficTarget, weights: Weights, expected?: Weights): Promise<Weights> {
    const live = this.weightsOf(target.service, target.region);
    if (expected && (live.stable !== expected.stable || live.canary !== expected.canary)) {
      throw new TrafficEditedError(
        `${target.service} in ${target.region} is at ${live.stable}/${live.canary}, not ${expected.stable}/${expected.canary}`,
      );
    }
    this.calls.push({ service: target.service, region: target.region, weights: clone(weights) });
    const applied = this.readBack ? this.readBack(target, weights) : weights;
    this.weights.set(`${target.region}/${target.service}`, clone(applied));
    return clone(applied);
  }

  async targetHealth(target: TrafficTarget): Promise<Record<Track, TargetHealthSummary>> {
    const scripted = this.health.get(`${target.region}/${target.service}`);
    if (scripted) return clone(scripted);
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
    return clone(Object.fromEntries(this.records));
  }

  setRecord(record: DnsRecord, weights: Record<string, number>): void {
    this.records.set(`${record.hostedZoneId}/${record.recordName}`, { ...weights });
  }

  async getWeights(record: DnsRecord): Promise<Record<string, number>> {
    return { ...(this.records.get(`${record.hostedZoneId}/${record.recordName}`) ?? {}) };
  }

  async setWeights(record: DnsRecord, weights: Record<string, number>): Promise<{ changeId: string }> {
    const key = `${record.hostedZoneId}/${record.recordName}`;
    this.records.set(key, { ...(this.records.get(key) ?? {}), ...weights });
    const changeId = `C${String(this.changes.length + 1).padStart(6, '0')}`;
    this.changes.push({ changeId, weights: { ...weights } });
    return { changeId };
  }

  async isInSync(_changeId: string): Promise<boolean> {
    return this.inSync;
  }
}

/** Signals answered from scripts: metric samples, alarm states, probe and hook results. */
export class FakeSignals implements Signals {
  samples: ComparisonSample[] = [];
  alarms: Record<string, AlarmState> = {};
  http: ProbeResult = { ok: true, detail: '200 OK', latencyMs: 12 };
  tcp: ProbeResult = { ok: true, detail: 'connected', latencyMs: 3 };
  hook: { verdict: 'pass' | 'fail' | 'inconclusive'; detail: string } = { verdict: 'pass', detail: 'ok' };
  readonly comparisons: Array<{ region: string; from: Date; to: Date; periodSeconds: number }> = [];

  async alarmStates(_region: string, alarmNames: readonly string[]): Promise<Record<string, AlarmState>> {
    return Object.fromEntries(alarmNames.map((name) => [name, this.alarms[name] ?? 'OK']));
  }

  async compareTargetGroups(
    region: string,
    _traffic: ResolvedTraffic,
    window: { from: Date; to: Date; periodSeconds: number },
  ): Promise<ComparisonSample[]> {
    this.comparisons.push({ region, ...window });
    return clone(this.samples);
  }

  async httpProbe(): Promise<ProbeResult> {
    return clone(this.http);
  }

  async tcpProbe(): Promise<ProbeResult> {
    return clone(this.tcp);
  }

  async invokeHook(): Promise<{ verdict: 'pass' | 'fail' | 'inconclusive'; detail: string }> {
    return clone(this.hook);
  }
}

export class FakeEvents implements Events {
  readonly published: SwitchyardEvent[] = [];

  async publish(events: readonly SwitchyardEvent[]): Promise<void> {
    this.published.push(...clone(events));
  }
}

// ── inventory ────────────────────────────────────────────────────────────────

/**
 * What preflight reads, as plain maps: by default every cluster exists with a full access entry
 * for each principal asked about, every alarm exists, and every question is allowed. Tests take
 * things away.
 */
export class FakeInventory implements Inventory {
  readonly missingClusters = new Set<string>();
  /** Clusters (`region/cluster`) whose principals have no access entry. */
  readonly clustersWithoutEntries = new Set<string>();
  readonly missingAlarms = new Set<string>();
  readonly deniedQuestions: AccessQuestion[] = [];
  readonly targetGroupsByArn = new Map<string, TargetGroupView>();
  roleArns: string[] = ['arn:aws:iam::123456789012:role/switchyard-cluster-handler'];

  grantsConfigured: SwitchyardGrants = {};

  clusterRoleArns(): readonly string[] {
    return this.roleArns;
  }

  grants(): SwitchyardGrants {
    return this.grantsConfigured;
  }

  async clusterAccess(
    region: string,
    cluster: string,
    principalArns: readonly string[],
  ): Promise<ClusterAccessView | undefined> {
    if (this.missingClusters.has(`${region}/${cluster}`)) return undefined;
    const entries = this.clustersWithoutEntries.has(`${region}/${cluster}`)
      ? []
      : principalArns.map((principalArn) => ({
          principalArn,
          kubernetesGroups: [],
          accessPolicies: [
            {
              policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
              scope: { type: 'cluster' as const },
            },
          ],
        }));
    return { status: 'ACTIVE', authenticationMode: 'API_AND_CONFIG_MAP', entries };
  }

  async mayI(_location: { region: string; cluster: string }, question: AccessQuestion) {
    const denied = this.deniedQuestions.some(
      (entry) =>
        entry.verb === question.verb &&
        entry.resource === question.resource &&
        entry.namespace === question.namespace,
    );
    return denied ? { allowed: false, reason: 'no RBAC rule allows it' } : { allowed: true };
  }

  async targetGroups(_region: string, arns: readonly string[]): Promise<TargetGroupView[]> {
    return arns.map(
      (arn) =>
        this.targetGroupsByArn.get(arn) ?? {
          arn,
          name: arn.split('/').at(-2) ?? arn,
          vpcId: 'vpc-1',
          protocol: 'HTTP',
          port: 8080,
          targetType: 'ip',
        },
    );
  }

  async existingAlarms(_region: string, alarmNames: readonly string[]): Promise<string[]> {
    return alarmNames.filter((name) => !this.missingAlarms.has(name));
  }
}

// ── all of them ──────────────────────────────────────────────────────────────

export interface FakePorts extends Ports {
  cluster: FakeCluster;
  traffic: FakeTraffic;
  trafficReader: FakeTraffic;
  dns: FakeDns;
  dnsReader: FakeDns;
  signals: FakeSignals;
  inventory: FakeInventory;
  store: InMemoryStore;
  workflow: FakeWorkflow;
  events: FakeEvents;
  clock: ManualClock;
}

export function fakePorts(clock = new ManualClock()): FakePorts {
  const cluster = new FakeCluster();
  const traffic = new FakeTraffic(cluster);
  const dns = new FakeDns();
  const inventory = new FakeInventory();
  return {
    cluster,
    traffic,
    trafficReader: traffic,
    dns,
    dnsReader: dns,
    signals: new FakeSignals(),
    inventory,
    preflight: { check: (plan) => runPreflight(resolvePlan(plan), { cluster, traffic, dns, inventory }) },
    store: new InMemoryStore(clock),
    workflow: new FakeWorkflow(),
    events: new FakeEvents(),
    clock,
  };
}
