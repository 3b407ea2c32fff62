/**
 * In-memory fakes of every port, for handler tests. Each keeps the semantics its port documents
 * (lambdas/ports/) and the Kubernetes and Step Functions adapters implement; the store is
 * InMemoryStore (memory-store.ts), checked against DynamoDbStore by the store contract; the
 * cluster is in fake-cluster.ts, traffic and DNS in fake-traffic.ts.
 * Answers from the outside world (rollout status, read-back weights, target health, metrics,
 * probes) are scripted by the test.
 */
import { AlarmNotOwnedError, NotFoundError, ReleaseConflictError } from '../../lambdas/core/errors';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import { runPreflight } from '../../lambdas/handlers/preflight';
import type {
  AbortAlarmDefinition,
  AbortAlarms,
  AccessQuestion,
  AlarmState,
  Clock,
  ClusterAccessView,
  ComparisonSample,
  Events,
  ExecutionDescription,
  Inventory,
  MachineName,
  Ports,
  ProbeResult,
  ResolvedTraffic,
  Signals,
  SwitchyardEvent,
  SwitchyardGrants,
  TargetGroupView,
  Workflow,
} from '../../lambdas/ports';
import { InMemoryStore } from '../../rehearsal/memory-store';
import { FakeCluster } from './fake-cluster';
import { FakeDns, FakeTraffic } from './fake-traffic';

export { InMemoryStore } from '../../rehearsal/memory-store';
export { type ClusterCall, FakeCluster, securePodTemplate } from './fake-cluster';
export { FakeDns, FakeTraffic } from './fake-traffic';

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

// ── signals, events ──────────────────────────────────────────────────────────

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

/** Abort alarms by region/name; `owned: false` is an alarm someone else made. */
export class FakeAbortAlarms implements AbortAlarms {
  readonly alarms = new Map<string, { owned: boolean; definition?: AbortAlarmDefinition }>();
  readonly removed: string[] = [];

  async ensure(alarm: AbortAlarmDefinition): Promise<'created' | 'exists'> {
    const existing = this.alarms.get(`${alarm.region}/${alarm.name}`);
    if (existing && !existing.owned) throw new AlarmNotOwnedError(`${alarm.name} is not Switchyard's`);
    if (existing) return 'exists';
    this.alarms.set(`${alarm.region}/${alarm.name}`, { owned: true, definition: clone(alarm) });
    return 'created';
  }

  async remove(region: string, name: string): Promise<'deleted' | 'absent'> {
    const existing = this.alarms.get(`${region}/${name}`);
    if (!existing) return 'absent';
    if (!existing.owned) throw new AlarmNotOwnedError(`${name} is not Switchyard's`);
    this.alarms.delete(`${region}/${name}`);
    this.removed.push(`${region}/${name}`);
    return 'deleted';
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
  abortAlarms: FakeAbortAlarms;
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
    abortAlarms: new FakeAbortAlarms(),
    inventory,
    preflight: { check: (plan) => runPreflight(resolvePlan(plan), { cluster, traffic, dns, inventory }) },
    store: new InMemoryStore(clock),
    workflow: new FakeWorkflow(),
    events: new FakeEvents(),
    clock,
  };
}
