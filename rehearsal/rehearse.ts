/**
 * A rehearsal: the release plan runs through the real state machines and handlers on the
 * local engine, against DynamoDB Local and a simulated fleet, on virtual time, with the fault
 * file's faults injected. Same plan, faults and seed: same result and same timeline.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../lambdas/adapters/dynamodb/store';
import { createTableInput } from '../lambdas/adapters/dynamodb/table-definition';
import { LockHeldError } from '../lambdas/core/errors';
import { serviceRolloutName } from '../lambdas/core/naming';
import { type ResolvedPlan, resolvePlan, seconds } from '../lambdas/core/plan/resolve';
import { previewRelease } from '../lambdas/core/planner/preview';
import { criticalPath } from '../lambdas/core/planner/schedule';
import type { PreflightProblem } from '../lambdas/core/preflight';
import { MACHINE_FILES } from '../lambdas/core/state-machines';
import { type AnyHandlerDefinition, invokeHandler } from '../lambdas/handlers/define';
import { type HandlerName, handlers } from '../lambdas/handlers/index';
import { runPreflight } from '../lambdas/handlers/preflight';
import { submitRelease } from '../lambdas/handlers/submit';
import type {
  AuditEntry,
  DeploymentSnapshot,
  Events,
  MachineName,
  NewAuditEntry,
  Ports,
  ReleaseStatus,
  ServiceRolloutRecord,
  Store,
  SwitchyardEvent,
} from '../lambdas/ports';
import type { AslDefinition } from './engine/asl-support';
import { loadEngine } from './engine/load-engine';
import { LocalStepFunctions } from './engine/local-step-functions';
import { VirtualScheduler } from './engine/virtual-time';
import { type RehearsedFailover, scheduleFailovers } from './failovers';
import { secondReleases } from './faults/load';
import type { FaultFile } from './faults/schema';
import {
  type AlarmTransition,
  createSimulatedFleet,
  type FleetDescription,
  type SimulatedFleet,
} from './fleet/index';
import { createRandom } from './random';

export const STATE_MACHINE_DIRECTORY = fileURLToPath(new URL('../statemachines/', import.meta.url));

export function readStateMachines(directory = STATE_MACHINE_DIRECTORY): Record<MachineName, AslDefinition> {
  return Object.fromEntries(
    Object.entries(MACHINE_FILES).map(([machine, file]) => [
      machine,
      JSON.parse(readFileSync(`${directory}${file}`, 'utf8')),
    ]),
  ) as Record<MachineName, AslDefinition>;
}

/** Virtual time starts here, so timelines are the same on every machine and every day. */
export const REHEARSAL_EPOCH = new Date('2026-01-05T09:00:00.000Z');

export interface RehearsalOptions {
  plan: ResolvedPlan;
  /** The plan document as written: what is submitted and stored. */
  planDocument: unknown;
  faults?: FaultFile;
  /** Plans for second releases, by the fault's `plan` path (already loaded by the caller). */
  secondReleasePlans?: Record<string, unknown>;
  seed: number;
  dynamoDb: DynamoDBClient;
  /** Approvals are given this many virtual seconds after they are asked for; undefined leaves them waiting. */
  autoApproveAfterSeconds?: number;
  onAudit?: (entry: AuditEntry, elapsedSeconds: number) => void;
}

export type RehearsalStatus = ReleaseStatus | 'STALLED';

export interface RehearsalResult {
  releaseId: string;
  status: RehearsalStatus;
  reason?: string;
  seed: number;
  /** The plan's waves in order, each with its regions. */
  waves: Array<{ wave: number; regions: string[] }>;
  regions: Record<
    string,
    Record<
      string,
      {
        status: ServiceRolloutRecord['status'] | 'UNTOUCHED';
        image: string | null;
        previousImage: string | null;
        weights: { stable: number; canary: number } | null;
        stepReached: number;
        steps: number;
        canaryReplicas: number;
      }
    >
  >;
  dns?: Record<string, number>;
  /** What preflight found before the release touched anything (absent if it never ran). */
  preflight?: { ok: boolean; checks: number; problems: PreflightProblem[]; moreProblems?: number };
  audit: Array<{
    atSeconds: number;
    at: string;
    action: string;
    region?: string;
    service?: string;
    detail?: Record<string, unknown>;
  }>;
  events: Array<{ atSeconds: number; detailType: string; detail: Record<string, unknown> }>;
  secondReleases: Array<{
    releaseId: string;
    atSeconds: number;
    outcome: 'refused' | 'started';
    message: string;
  }>;
  /** Each failover and failback fault: what it changed, from the record its handlers wrote. */
  failovers: RehearsedFailover[];
  counters: {
    stateTransitions: number;
    maxHistoryEvents: number;
    maxHistoryExecution: string;
    executions: number;
    makespanSeconds: number;
    criticalPathSeconds: number;
    /** The same lower bound with each service's measured rollout time instead of its estimate. */
    measuredCriticalPathSeconds: number;
    /** State transitions (retries included) per canary weight step, its verification and analysis included. */
    canaryTransitionsPerStep?: number;
    timeToRollbackSeconds?: number;
    injectedFailures: number;
  };
  executions: Array<{
    name: string;
    machine: string;
    status: string;
    startSeconds: number;
    endSeconds: number;
    transitions: number;
    historyEvents: number;
    error?: string;
    cause?: string;
  }>;
}

/** Records what Switchyard publishes, on virtual time. */
export class RecordedEvents implements Events {
  readonly published: Array<SwitchyardEvent & { at: Date }> = [];
  constructor(private readonly clock: VirtualScheduler) {}
  async publish(events: readonly SwitchyardEvent[]): Promise<void> {
    for (const event of events) this.published.push({ ...event, at: this.clock.now() });
  }
}

/** Reports every audit entry as it is written, for live progress. */
function observedStore(store: Store, onAudit: (entry: NewAuditEntry) => void): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'appendAudit') {
        return async (entry: NewAuditEntry) => {
          const stored = await target.appendAudit(entry);
          onAudit(entry);
          return stored;
        };
      }
      if (property === 'updateServiceRollout') {
        return async (...args: Parameters<Store['updateServiceRollout']>) => {
          const stored = await target.updateServiceRollout(...args);
          onAudit(args[2]);
          return stored;
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface LocalPlatformOptions {
  /** The plan whose services and regions make up the simulated fleet. */
  plan: ResolvedPlan;
  faults?: FaultFile;
  seed: number;
  dynamoDb: DynamoDBClient;
  /** Approvals are given this many virtual seconds after they are asked for; undefined leaves them to a person. */
  autoApproveAfterSeconds?: number;
  onAudit?: (entry: AuditEntry, elapsedSeconds: number) => void;
}

/**
 * Switchyard on this machine: the real handlers behind the local engine, DynamoDB Local, the
 * simulated fleet and virtual time. `rehearse` runs one release on it; `serve` keeps it up
 * behind the HTTP API.
 */
export interface LocalPlatform {
  ports: Ports;
  workflow: LocalStepFunctions;
  scheduler: VirtualScheduler;
  fleet: SimulatedFleet;
  store: Store;
  events: RecordedEvents;
  /**
   * Advances virtual time until every execution has ended or waits on a person, or until
   * `stopWhen()` holds (`serve` stops while an approval waits, before its timeout passes).
   */
  runUntilIdle(stopWhen?: () => boolean): Promise<'finished' | 'stalled' | 'limit'>;
}

export async function createLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const scheduler = new VirtualScheduler(REHEARSAL_EPOCH);
  const random = createRandom(options.seed);
  const tableName = `switchyard-local-${options.seed}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  await options.dynamoDb.send(new CreateTableCommand(createTableInput(tableName)));
  const fleet = createSimulatedFleet({
    plan: options.plan,
    ...(options.faults && { faults: options.faults }),
    clock: scheduler,
    seed: options.seed,
  });
  const events = new RecordedEvents(scheduler);
  const baseStore = new DynamoDbStore({ client: options.dynamoDb, tableName, clock: scheduler });
  const store = options.onAudit
    ? observedStore(baseStore, (entry) => options.onAudit?.({ ...entry, seq: 0 }, scheduler.elapsedSeconds()))
    : baseStore;
  const engine = loadEngine(scheduler, () => random.next());
  let ports: Ports | undefined;
  const invoke = async (name: string, input: unknown) => {
    const handler: AnyHandlerDefinition | undefined = handlers[name as HandlerName];
    if (!handler || !ports) throw new Error(`no handler named ${name}`);
    const output = await invokeHandler(handler, input, ports);
    if (name === 'requestApproval' && options.autoApproveAfterSeconds !== undefined) {
      const { approval } = output as { approval: string };
      const releaseId = (input as { releaseId: string }).releaseId;
      scheduler.setTimeout(() => {
        void scheduler.track(approve(ports!, releaseId, approval, 'rehearsal'));
      }, options.autoApproveAfterSeconds * 1000);
    }
    return output;
  };
  const workflow = new LocalStepFunctions(engine, scheduler, readStateMachines(), invoke);
  ports = {
    cluster: fleet.cluster,
    traffic: fleet.traffic,
    trafficReader: fleet.traffic,
    dns: fleet.dns,
    dnsReader: fleet.dns,
    signals: fleet.signals,
    inventory: fleet.inventory,
    preflight: { check: (plan) => runPreflight(resolvePlan(plan), fleet) },
    store,
    workflow,
    events,
    clock: scheduler,
  };
  const platformPorts = ports;

  // Alarms: fixed transitions from the fault file, and metric alarms polled once per period,
  // delivered as EventBridge would (at least once) to the real alarm handler.
  const delivered = new Set<string>();
  const deliver = (transition: AlarmTransition) => {
    const key = `${transition.alarmName}@${transition.at.getTime()}`;
    if (delivered.has(key)) return;
    delivered.add(key);
    const event = {
      id: `alarm-${transition.alarmName}-${transition.at.getTime()}`,
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      region: transition.region,
      time: transition.at.toISOString(),
      detail: { alarmName: transition.alarmName, state: { value: 'ALARM', reason: transition.reason } },
    };
    for (let delivery = 0; delivery < transition.deliveries; delivery++) {
      void scheduler.track(invokeHandler(handlers.onAlarm, event, platformPorts).catch(() => undefined));
    }
  };
  for (const transition of fleet.alarmEvents()) scheduler.at(transition.at, () => deliver(transition));
  let lastPoll = scheduler.now();
  let polling = false;
  const pollAlarms = () => {
    const now = scheduler.now();
    for (const transition of fleet.alarmTransitionsBetween(lastPoll, now)) deliver(transition);
    lastPoll = now;
    polling = workflow.running() > 0;
    if (polling) scheduler.daemon(pollAlarms, ALARM_PERIOD_SECONDS * 1000);
  };

  return {
    ports: platformPorts,
    workflow,
    scheduler,
    fleet,
    store,
    events,
    async runUntilIdle(stopWhen?: () => boolean) {
      if (!polling) {
        polling = true;
        lastPoll = scheduler.now();
        scheduler.daemon(pollAlarms, ALARM_PERIOD_SECONDS * 1000);
      }
      return scheduler.runUntil(() => workflow.running() === 0 || (stopWhen?.() ?? false));
    },
  };
}

const ALARM_PERIOD_SECONDS = 60;

/** Gives a parked approval: the token is taken once, so two approvals resume it once. */
export async function approve(
  ports: Ports,
  releaseId: string,
  approval: string,
  actor: string,
): Promise<boolean> {
  const token = await ports.store.takeTaskToken({ releaseId, kind: 'approval', name: approval });
  if (!token) return false;
  await ports.store.appendAudit({
    releaseId,
    key: `approval/${approval}`,
    at: ports.clock.now().toISOString(),
    action: 'approval.given',
    actor,
    detail: { approval },
  });
  await ports.workflow.sendTaskSuccess(token, { approvedBy: actor });
  return true;
}

export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const releaseId = options.plan.releaseId;
  const platform = await createLocalPlatform({
    ...options,
    ...(options.onAudit && {
      onAudit: (entry: AuditEntry, elapsed: number) => {
        if (entry.releaseId === releaseId) options.onAudit?.(entry, elapsed);
      },
    }),
  });
  const { ports, scheduler, workflow, fleet } = platform;
  const baseStore = platform.store;

  // Someone else submits a release while this one runs: it must be refused, naming the holder.
  const second: RehearsalResult['secondReleases'] = [];
  let pendingSubmissions = 0;
  for (const fault of options.faults ? secondReleases(options.faults) : []) {
    const document = structuredClone(
      fault.plan ? options.secondReleasePlans?.[fault.plan] : options.planDocument,
    ) as {
      metadata: { releaseId: string };
    };
    document.metadata.releaseId = fault.releaseId ?? `${releaseId}-second`.slice(0, 80);
    pendingSubmissions++;
    scheduler.at(new Date(REHEARSAL_EPOCH.getTime() + seconds(fault.at) * 1000), () => {
      pendingSubmissions--;
      void scheduler.track(
        submitRelease(ports, document, 'rehearsal').then(
          () =>
            second.push({
              releaseId: document.metadata.releaseId,
              atSeconds: scheduler.elapsedSeconds(),
              outcome: 'started',
              message: 'started',
            }),
          (error: Error) =>
            second.push({
              releaseId: document.metadata.releaseId,
              atSeconds: scheduler.elapsedSeconds(),
              outcome: error instanceof LockHeldError ? 'refused' : 'started',
              message: error.message,
            }),
        ),
      );
    });
  }

  // An operator fails regions over and back while (or after) the release runs.
  const failovers = scheduleFailovers(platform, options.plan, options.faults, REHEARSAL_EPOCH);

  await scheduler.track(submitRelease(ports, options.planDocument, 'rehearsal'));
  let outcome = await platform.runUntilIdle();
  // A second release or a failover timed after the first one ended is still submitted, and runs.
  const pending = () => pendingSubmissions + failovers.pending();
  if (outcome === 'finished' && pending() > 0) {
    outcome = await scheduler.runUntil(() => pending() === 0 && workflow.running() === 0);
  }
  const releaseArn = workflow.executionArnFor('release', releaseId);

  const release = await baseStore.getRelease(releaseId);
  const records = await baseStore.listServiceRollouts(releaseId);
  const snapshots = await baseStore.getSnapshots(releaseId);
  const audit = await readAllAudit(baseStore, releaseId);
  const description = fleet.describe();
  const preview = previewRelease(options.plan);
  const executions = workflow.all();
  const releaseExecution = executions.find((execution) => execution.arn === releaseArn);
  const endMs = Math.max(...executions.map((execution) => (execution.stopDate ?? scheduler.now()).getTime()));
  const elapsed = (date: Date) => (date.getTime() - REHEARSAL_EPOCH.getTime()) / 1000;
  const heaviest = executions.reduce(
    (max, execution) => (execution.history.events > max.history.events ? execution : max),
    executions[0]!,
  );

  const status: RehearsalStatus =
    outcome === 'stalled' && workflow.running() > 0 ? 'STALLED' : (release?.status ?? 'FAILED');
  return {
    releaseId,
    status,
    ...(release?.reason && { reason: release.reason }),
    ...(outcome === 'stalled' && {
      reason: 'every execution is waiting for something outside the rehearsal (an approval?)',
    }),
    seed: options.seed,
    waves: options.plan.waves.map(({ wave, regions }) => ({
      wave,
      regions: regions.map((region) => region.name),
    })),
    regions: describeRegions(options.plan, records, snapshots, description),
    ...(description.dns && { dns: description.dns }),
    ...preflightOf(audit),
    audit: audit.map((entry) => ({
      atSeconds: (new Date(entry.at).getTime() - REHEARSAL_EPOCH.getTime()) / 1000,
      at: entry.at,
      action: entry.action,
      ...(entry.region && { region: entry.region }),
      ...(entry.service && { service: entry.service }),
      ...(entry.detail && { detail: entry.detail }),
    })),
    events: platform.events.published.map((event) => ({
      atSeconds: elapsed(event.at),
      detailType: event.detailType,
      detail: event.detail,
    })),
    secondReleases: second,
    failovers: await failovers.results(),
    counters: {
      stateTransitions: executions.reduce((sum, execution) => sum + execution.history.transitions, 0),
      maxHistoryEvents: heaviest.history.events,
      maxHistoryExecution: heaviest.name,
      executions: executions.length,
      makespanSeconds: releaseExecution
        ? elapsed(releaseExecution.stopDate ?? new Date(endMs)) - elapsed(releaseExecution.startDate)
        : 0,
      criticalPathSeconds: preview.totals.criticalPathSeconds,
      measuredCriticalPathSeconds: measuredCriticalPath(options.plan, executions),
      ...canaryStepTransitions(options.plan, executions),
      ...timeToRollback(audit),
      injectedFailures: fleet.injectedFailures().length,
    },
    executions: executions.map((execution) => ({
      name: execution.name,
      machine: execution.machine,
      status: execution.status,
      startSeconds: elapsed(execution.startDate),
      endSeconds: elapsed(execution.stopDate ?? new Date(endMs)),
      transitions: execution.history.transitions,
      historyEvents: execution.history.events,
      ...(execution.error && { error: execution.error }),
      ...(execution.cause && { cause: execution.cause.slice(0, 500) }),
    })),
  };
}

/** The preflight's finding, as its audit entry recorded it. */
function preflightOf(audit: readonly AuditEntry[]): Pick<RehearsalResult, 'preflight'> {
  const entry = audit.find((candidate) => candidate.action.startsWith('preflight.'));
  if (!entry) return {};
  const detail = (entry.detail ?? {}) as {
    checks?: number;
    problems?: PreflightProblem[];
    moreProblems?: number;
  };
  return {
    preflight: {
      ok: entry.action === 'preflight.passed',
      checks: detail.checks ?? 0,
      problems: detail.problems ?? [],
      ...(detail.moreProblems && { moreProblems: detail.moreProblems }),
    },
  };
}

async function readAllAudit(store: Store, releaseId: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (;;) {
    const page = await store.listAudit(releaseId, { afterSeq: entries.at(-1)?.seq ?? 0, limit: 500 });
    entries.push(...page);
    if (page.length < 500) break;
  }
  // Handler calls run one at a time in the engine's order, so time then seq is causal order.
  return entries.sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
}

/** From the first failure or alarm to the moment stable traffic was back everywhere. */
function timeToRollback(audit: readonly AuditEntry[]): { timeToRollbackSeconds?: number } {
  const trigger = audit.find(
    (entry) =>
      entry.action === 'alarm.received' ||
      entry.action === 'service.failed' ||
      entry.action === 'gate.failed',
  );
  const restored = audit.filter((entry) => entry.action === 'rollback.traffic-restored').at(-1);
  if (!trigger || !restored) return {};
  return { timeToRollbackSeconds: (new Date(restored.at).getTime() - new Date(trigger.at).getTime()) / 1000 };
}

function describeRegions(
  plan: ResolvedPlan,
  records: readonly ServiceRolloutRecord[],
  snapshots: ReadonlyArray<{ service: string; snapshot: DeploymentSnapshot }>,
  fleet: FleetDescription,
): RehearsalResult['regions'] {
  const result: RehearsalResult['regions'] = {};
  for (const region of plan.regions) {
    result[region.name] = {};
    for (const service of region.services) {
      const record = records.find((entry) => entry.region === region.name && entry.service === service);
      const live = fleet.regions[region.name]?.services[service];
      const before = snapshots.find(
        (entry) => entry.service === service && entry.snapshot.target.region === region.name,
      );
      const container = plan.services.get(service)?.container ?? service;
      result[region.name]![service] = {
        status: record?.status ?? 'UNTOUCHED',
        image: live?.stable?.image ?? null,
        previousImage: before?.snapshot.images[container] ?? null,
        weights: live?.weights ?? null,
        stepReached: record?.stepIndex ?? 0,
        steps: record?.stepCount ?? 0,
        canaryReplicas: live?.canary?.replicas ?? 0,
      };
    }
  }
  return result;
}

/** Waves in order, each as long as its slowest region's dependency chain of measured rollouts, plus bakes. */
function measuredCriticalPath(
  plan: ResolvedPlan,
  executions: ReadonlyArray<{ machine: string; name: string; startDate: Date; stopDate?: Date }>,
): number {
  const took = new Map(
    executions
      .filter((execution) => execution.machine === 'serviceRollout' && execution.stopDate)
      .map((execution) => [
        execution.name,
        (execution.stopDate!.getTime() - execution.startDate.getTime()) / 1000,
      ]),
  );
  let total = 0;
  plan.waves.forEach(({ regions }, index) => {
    const longest = regions.map((region) => {
      const included = new Set(region.services);
      const tasks = region.services.map((service) => ({
        id: service,
        durationSeconds: took.get(serviceRolloutName(plan.releaseId, region.name, service)) ?? 0,
        dependsOn: plan.services.get(service)!.dependsOn.filter((dependency) => included.has(dependency)),
      }));
      return criticalPath(tasks).seconds;
    });
    total += Math.max(0, ...longest) + (index < plan.waves.length - 1 ? plan.waveBakeSeconds : 0);
  });
  return total;
}

/** The service-rollout states a canary weight step and its analysis go through. */
const CANARY_STEP_STATES = [
  'Which Step?',
  'Scale Canary',
  'Verify Canary Ready',
  'Shift Traffic',
  'Wait For Analysis Window',
  'Run Analysis',
  'Analysis Passed?',
  'Pause',
  'Next Step',
];

function canaryStepTransitions(
  plan: ResolvedPlan,
  executions: ReadonlyArray<{
    machine: string;
    name: string;
    status: string;
    history: { byState: Map<string, number> };
  }>,
): { canaryTransitionsPerStep?: number } {
  let transitions = 0;
  let steps = 0;
  for (const region of plan.regions) {
    for (const service of region.services) {
      const strategy = plan.services.get(service)!.strategy;
      if (strategy.type !== 'canary') continue;
      const name = serviceRolloutName(plan.releaseId, region.name, service);
      const execution = executions.find((entry) => entry.machine === 'serviceRollout' && entry.name === name);
      if (execution?.status !== 'SUCCEEDED') continue;
      for (const state of CANARY_STEP_STATES) transitions += execution.history.byState.get(state) ?? 0;
      steps += strategy.steps.filter((step) => 'setWeight' in step).length;
    }
  }
  return steps === 0 ? {} : { canaryTransitionsPerStep: Math.round((transitions / steps) * 10) / 10 };
}
