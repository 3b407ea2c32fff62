/**
 * A rehearsal: the release plan runs through the real state machines and handlers on the
 * local engine, against the in-process store (or DynamoDB Local) and a simulated fleet, on virtual time, with the fault
 * file's faults injected. Same plan, faults and seed: same result and same timeline.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../lambdas/adapters/dynamodb/store';
import { createTableInput } from '../lambdas/adapters/dynamodb/table-definition';
import { approve } from '../lambdas/app/approve';
import { submitRelease } from '../lambdas/app/submit-release';
import { NotFoundError } from '../lambdas/core/errors';
import { PUBLICATION_ALLOWANCE_SECONDS } from '../lambdas/core/metric-window';
import { type ResolvedPlan, resolvePlan } from '../lambdas/core/plan/resolve';
import { previewRelease } from '../lambdas/core/planner/preview';
import { MACHINE_FILES } from '../lambdas/core/state-machines';
import { rolloutSteps } from '../lambdas/core/strategy';
import { type AnyHandlerDefinition, invokeHandler } from '../lambdas/handlers/define';
import { type HandlerName, handlers } from '../lambdas/handlers/index';
import { runPreflight } from '../lambdas/handlers/preflight';
import type { AuditEntry, MachineName, NewAuditEntry, Ports, Store } from '../lambdas/ports';
import { AsyncInvocations, type RehearsalError } from './async-invocations';
import { type CallTrace, traced, tracedPort } from './call-trace';
import {
  type AlarmPathCalls,
  alarmPathCalls,
  canaryStepTransitions,
  measuredCriticalPath,
  timeToRollback,
} from './counters';
import type { AslDefinition } from './engine/asl-support';
import { loadEngine } from './engine/load-engine';
import { LocalStepFunctions } from './engine/local-step-functions';
import { VirtualScheduler } from './engine/virtual-time';
import { type RehearsedFailover, scheduleFailovers } from './failovers';
import { describeFaults, type RehearsedFaults } from './fault-record';
import type { FaultFile } from './faults/schema';
import { type AlarmTransition, createSimulatedFleet, type SimulatedFleet } from './fleet/index';
import { type InterruptedAnalysis, readInterruptedAnalyses } from './interrupted-analyses';
import { InMemoryStore } from './memory-store';
import {
  errorsReported,
  type FleetLook,
  followedAudit,
  type RehearsalProgress,
  reportDuplicateAlarm,
} from './progress';
import { createRandom } from './random';
import { RecordedEvents } from './recorded-events';
import {
  type AuditSequence,
  describeReleaseLock,
  describeReleaseOutcome,
  describeWindow,
  type LockOutcome,
  type PreflightOutcome,
  type RegionOutcomes,
  type RehearsalStatus,
  type RehearsedWindow,
  type ReportedAuditEntry,
  reportedAudit,
} from './release-outcome';
import { type RehearsedSecondRelease, scheduleSecondReleases } from './second-releases';
import { countedStore, type StoreCalls } from './store-calls';

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
  /** DynamoDB Local (a fresh table each run); without it, the store is in this process (memory-store.ts). */
  dynamoDb?: DynamoDBClient;
  /** Approvals are given this many virtual seconds after they are asked for; undefined leaves them waiting. */
  autoApproveAfterSeconds?: number;
  onAudit?: (entry: AuditEntry, elapsedSeconds: number, fleet: FleetLook) => void;
  /** Told, as it happens, of what the audit does not hold (progress.ts): for a live view. */
  onProgress?: (event: RehearsalProgress) => void;
}

export type { RehearsalStatus } from './release-outcome';

export interface AlarmDelivery {
  atSeconds: number;
  alarmName: string;
  region: string;
  rolledBack: string[];
  /** Releases in their rollback window whose region's window had ended: left alone. */
  afterWindow?: string[];
  duplicate?: true;
}

export interface RehearsalResult {
  releaseId: string;
  /** The rehearsed release's final status (each second release has its own, in `secondReleases`). */
  status: RehearsalStatus;
  reason?: string;
  seed: number;
  /** The plan's waves in order, each with its regions. */
  waves: Array<{ wave: number; regions: string[] }>;
  /** The rehearsed release's services; images, weights and replicas are the fleet's at the end. */
  regions: RegionOutcomes;
  dns?: Record<string, number>;
  /** What preflight found before the release touched anything (absent if it never ran). */
  preflight?: PreflightOutcome;
  /** Its rollback window, once the last wave was done (absent: no window, or never reached). */
  rollbackWindow?: RehearsedWindow;
  /** The rehearsed release's audit, in causal order. */
  audit: ReportedAuditEntry[];
  /** The rehearsed release's audit sequence numbers: gap-free from 1 when nothing was lost. */
  auditSequence: AuditSequence;
  events: Array<{ atSeconds: number; detailType: string; detail: Record<string, unknown> }>;
  /** Each second-release fault, with its final status. */
  secondReleases: RehearsedSecondRelease[];
  /** The release lock at the end, and who took and let it go, when. */
  lock: LockOutcome;
  /** What failed outside the state machines: alarm handler invocations (retried, or dead-lettered), audit writes. */
  errors: RehearsalError[];
  /** Each failover and failback fault: what it changed, from the record its handlers wrote. */
  failovers: RehearsedFailover[];
  /** With a fault file: its description, when each fault was in force, the failures injected. */
  faults?: RehearsedFaults;
  /** Analyses the rollback cut short, with what CloudWatch had of them up to the stop. */
  interruptedAnalyses?: InterruptedAnalysis[];
  /**
   * The CloudWatch alarms Switchyard made and deleted (its abort alarms), in order: each change
   * with its virtual time in seconds. An alarm still there at the end would be a leak.
   */
  /** Each alarm state change EventBridge delivered and the alarm handler took: which releases it rolled back, which it left (after their window). */
  alarmDeliveries: AlarmDelivery[];
  metricAlarms: Array<{
    seconds: number;
    region: string;
    action: string;
    alarmName: string;
    switchyard: true;
  }>;
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
    /** From what set the rollback off to every touched service verified back; absent unless it completed. */
    timeToRollbackSeconds?: number;
    injectedFailures: number;
    /** Services times the regions each is released in: what the per-service-region figures divide by. */
    serviceRegions: number;
    /** Rollout steps over all service-regions (each strategy's steps, as `preview` lists them). */
    steps: number;
    /** Calls the release made on the Store port (the report's own reads after it are not counted). */
    storeCalls: StoreCalls;
    /**
     * From the first alarm event whose handling put a canary's traffic back on stable: the
     * sequential remote calls up to that write, and the calls of each step (parallel ones together).
     */
    alarmPath?: AlarmPathCalls;
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
          await target.updateServiceRollout(...args);
          const entries = args[2];
          for (const entry of Array.isArray(entries) ? entries : [entries]) onAudit(entry);
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
  /** DynamoDB Local (a fresh table each run); without it, the store is in this process (memory-store.ts). */
  dynamoDb?: DynamoDBClient;
  /** Approvals are given this many virtual seconds after they are asked for; undefined leaves them to a person. */
  autoApproveAfterSeconds?: number;
  onAudit?: (entry: AuditEntry, elapsedSeconds: number, fleet: FleetLook) => void;
  /** Told, as it happens, of what the audit does not hold (progress.ts): for a live view. */
  onProgress?: (event: RehearsalProgress) => void;
  /** Told of each failure outside the state machines (an alarm handler invocation, an audit write). */
  onError?: (error: RehearsalError) => void;
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
  /** What failed outside the state machines (the alarm handler's invocations, audit writes), in order. */
  errors: readonly RehearsalError[];
  /** The calls made on the Store port so far, by method. */
  storeCalls(): StoreCalls;
  /** The remote calls of each alarm handler invocation so far, in the order they ended. */
  alarmTraces(): ReadonlyArray<{ alarmName: string; eventId: string; trace: CallTrace }>;
  /** Each alarm event the alarm handler took, with what it answered. */
  alarmDeliveries(): readonly AlarmDelivery[];
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
  if (options.dynamoDb) await options.dynamoDb.send(new CreateTableCommand(createTableInput(tableName)));
  const fleet = createSimulatedFleet({
    plan: options.plan,
    ...(options.faults && { faults: options.faults }),
    clock: scheduler,
    seed: options.seed,
  });
  const events = new RecordedEvents(scheduler);
  const baseStore: Store = options.dynamoDb
    ? new DynamoDbStore({ client: options.dynamoDb, tableName, clock: scheduler })
    : new InMemoryStore(scheduler);
  const counted = countedStore(baseStore);
  const store = options.onAudit
    ? observedStore(counted.store, (entry) =>
        options.onAudit?.({ ...entry, seq: 0 }, scheduler.elapsedSeconds(), fleet),
      )
    : counted.store;
  const engine = loadEngine(scheduler, () => random.next());
  const invocations = new AsyncInvocations(scheduler, REHEARSAL_EPOCH, errorsReported(options));
  let ports: Ports | undefined;
  const invoke = async (name: string, input: unknown) => {
    const handler: AnyHandlerDefinition | undefined = handlers[name as HandlerName];
    if (!handler || !ports) throw new Error(`no handler named ${name}`);
    const output = await invokeHandler(handler, input, ports, {
      onUnrecordedFailure: (auditError, failure) =>
        invocations.record({
          source: 'audit',
          operation: name,
          error: auditError instanceof Error ? auditError.name : 'Error',
          message: `the audit entry of a transient ${failure.name} could not be written: ${String((auditError as Error)?.message ?? auditError)}`,
        }),
    });
    if (name === 'requestApproval' && options.autoApproveAfterSeconds !== undefined) {
      const { approval } = output as { approval: string };
      const releaseId = (input as { releaseId: string }).releaseId;
      scheduler.setTimeout(() => {
        void scheduler.track(giveApproval(ports!, releaseId, approval));
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
    abortAlarms: fleet.abortAlarms,
    inventory: fleet.inventory,
    preflight: { check: (plan) => runPreflight(resolvePlan(plan), fleet) },
    store,
    workflow,
    events,
    clock: scheduler,
  };
  const platformPorts = ports;
  // The alarm handler's calls to the store and the clusters are traced (call-trace.ts); the
  // simulated AWS APIs trace theirs themselves.
  const alarmPorts: Ports = {
    ...platformPorts,
    store: tracedPort(platformPorts.store, 'store'),
    cluster: tracedPort(platformPorts.cluster, 'kubernetes'),
    workflow: tracedPort(platformPorts.workflow, 'states', true),
  };
  const alarmTraces: Array<{ alarmName: string; eventId: string; trace: CallTrace }> = [];
  const alarmDeliveries: AlarmDelivery[] = [];

  // Alarms: fixed transitions from the fault file, and metric alarms polled once per period,
  // delivered as EventBridge would (at least once, asynchronously: failures are retried and
  // recorded) to the real alarm handler.
  const delivered = new Set<string>();
  const deliver = (transition: AlarmTransition) => {
    const key = `${transition.alarmName}@${transition.at.getTime()}`;
    if (delivered.has(key)) return;
    delivered.add(key);
    const description = fleet.alarmDescription(transition.region, transition.alarmName);
    const event = {
      id: `alarm-${transition.alarmName}-${transition.at.getTime()}`,
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      region: transition.region,
      time: transition.at.toISOString(),
      detail: {
        alarmName: transition.alarmName,
        // Every state change event carries the alarm's description, as the alarm has it when it changes:
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
        ...(description !== undefined && { configuration: { description } }),
        state: { value: 'ALARM', reason: transition.reason },
      },
    };
    for (let delivery = 0; delivery < transition.deliveries; delivery++) {
      const handled = async () => {
        const output = await traced(
          () => invokeHandler(handlers.onAlarm, event, alarmPorts),
          (trace) => alarmTraces.push({ alarmName: transition.alarmName, eventId: event.id, trace }),
        );
        reportDuplicateAlarm(output, { ...transition, eventId: event.id }, scheduler, options.onProgress);
        const answer = output as { rolledBack?: string[]; afterWindow?: string[]; duplicate?: boolean };
        alarmDeliveries.push({
          atSeconds: scheduler.elapsedSeconds(),
          alarmName: transition.alarmName,
          region: transition.region,
          rolledBack: answer.rolledBack ?? [],
          ...(answer.afterWindow && { afterWindow: answer.afterWindow }),
          ...(answer.duplicate && { duplicate: true }),
        });
      };
      invocations.invoke(handled, {
        source: 'alarmHandler',
        operation: handlers.onAlarm.name,
        alarmName: transition.alarmName,
        eventId: event.id,
      });
    }
  };
  // The fault file's alarms: the rehearsal runs until each has fired, so one after the release's
  // end (or its window's) is seen to roll nothing back.
  let faultAlarmsToCome = 0;
  const deliverAt = (transition: AlarmTransition) => {
    faultAlarmsToCome++;
    scheduler.at(transition.at, () => {
      faultAlarmsToCome--;
      deliver(transition);
    });
  };
  for (const transition of fleet.alarmEvents()) deliverAt(transition);
  // Alarm faults counted from the last wave get their times when the rehearsed release's last wave
  // ends: its rollback window opens, or it succeeds at once without one.
  events.onPublish((event, at) => {
    if (event.releaseId !== options.plan.releaseId) return;
    if (event.detailType !== 'Release Monitoring' && event.detailType !== 'Release Succeeded') return;
    for (const transition of fleet.anchorLastWave(at)) deliverAt(transition);
  });
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
    errors: invocations.errors,
    storeCalls: counted.calls,
    alarmTraces: () => alarmTraces,
    alarmDeliveries: () => alarmDeliveries,
    async runUntilIdle(stopWhen?: () => boolean) {
      if (!polling) {
        polling = true;
        lastPoll = scheduler.now();
        scheduler.daemon(pollAlarms, ALARM_PERIOD_SECONDS * 1000);
      }
      // An alarm handler's retry still to come may yet roll a release back: it is waited for too.
      return scheduler.runUntil(
        () =>
          (workflow.running() === 0 && invocations.pending() === 0 && faultAlarmsToCome === 0) ||
          (stopWhen?.() ?? false),
      );
    },
  };
}

const ALARM_PERIOD_SECONDS = 60;

/** The automatic approval, as a person would give it; one no longer waiting (given already) is let be. */
async function giveApproval(ports: Ports, releaseId: string, approval: string): Promise<void> {
  try {
    await approve(ports, releaseId, approval, 'rehearsal');
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const releaseId = options.plan.releaseId;
  const platform = await createLocalPlatform({
    ...options,
    ...(options.onAudit && { onAudit: followedAudit(releaseId, options.onAudit) }),
  });
  const { scheduler, workflow, fleet } = platform;
  const baseStore = platform.store;

  // Someone else submits a release while (or after) this one runs: refused while the lock is held.
  const secondSubmissions = scheduleSecondReleases(
    platform,
    { ...options, epoch: REHEARSAL_EPOCH },
    releaseId,
  );
  // An operator fails regions over and back while (or after) the release runs.
  const failovers = scheduleFailovers(platform, options.plan, options.faults, REHEARSAL_EPOCH);

  await scheduler.track(submitRelease(platform.ports, options.planDocument, 'rehearsal'));
  let outcome = await platform.runUntilIdle();
  // A second release or a failover timed after the first one ended is still submitted, and runs
  // to its end on the same clock (alarms polled again while it runs) before anything is reported.
  const pending = () => secondSubmissions.pending() + failovers.pending();
  while (outcome === 'finished' && pending() > 0) {
    outcome = await scheduler.runUntil(() => workflow.running() > 0 || pending() === 0);
    if (outcome === 'finished') outcome = await platform.runUntilIdle();
  }
  const stalled = outcome === 'stalled' && workflow.running() > 0;
  // What the release itself called, before the report's own reads below.
  const storeCalls = platform.storeCalls();
  const releaseArn = workflow.executionArnFor('release', releaseId);

  const description = fleet.describe();
  const first = await describeReleaseOutcome(baseStore, options.plan, description, stalled);
  const second = await secondSubmissions.results(description, stalled);
  const audit = first.audit;
  const reported = reportedAudit(audit, REHEARSAL_EPOCH);
  const window = describeWindow(first.record, audit, REHEARSAL_EPOCH);
  const preview = previewRelease(options.plan);
  const executions = workflow.all();
  const releaseExecution = executions.find((execution) => execution.arn === releaseArn);
  const endMs = Math.max(...executions.map((execution) => (execution.stopDate ?? scheduler.now()).getTime()));
  const elapsed = (date: Date) => (date.getTime() - REHEARSAL_EPOCH.getTime()) / 1000;
  const heaviest = executions.reduce(
    (max, execution) => (execution.history.events > max.history.events ? execution : max),
    executions[0]!,
  );

  const result: RehearsalResult = {
    releaseId,
    status: first.status,
    ...(first.reason && { reason: first.reason }),
    seed: options.seed,
    waves: options.plan.waves.map(({ wave, regions }) => ({
      wave,
      regions: regions.map((region) => region.name),
    })),
    regions: first.regions,
    ...(description.dns && { dns: description.dns }),
    ...(first.preflight && { preflight: first.preflight }),
    ...(window && { rollbackWindow: window }),
    audit: reported,
    auditSequence: first.auditSequence,
    events: platform.events.published.map((event) => ({
      atSeconds: elapsed(event.at),
      detailType: event.detailType,
      detail: event.detail,
    })),
    secondReleases: second.map(([reported]) => reported),
    lock: await describeReleaseLock(
      baseStore,
      [audit, ...second.flatMap(([, read]) => (read ? [read.audit] : []))],
      REHEARSAL_EPOCH,
    ),
    errors: [...platform.errors],
    failovers: await failovers.results(),
    ...(options.faults && { faults: describeFaults(options.faults, fleet, REHEARSAL_EPOCH) }),
    alarmDeliveries: [...platform.alarmDeliveries()],
    metricAlarms: fleet.alarmChanges().map(({ atMs, ...change }) => ({
      seconds: (atMs - REHEARSAL_EPOCH.getTime()) / 1000,
      ...change,
      switchyard: true as const,
    })),
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
      ...canaryStepTransitions(options.plan, executions, readStateMachines().serviceRollout),
      ...timeToRollback(reported),
      injectedFailures: fleet.injectedFailures().length,
      serviceRegions: options.plan.regions.reduce((sum, region) => sum + region.services.length, 0),
      steps: options.plan.regions.reduce(
        (sum, region) =>
          sum +
          region.services.reduce(
            (count, service) => count + rolloutSteps(options.plan.services.get(service)!).length,
            0,
          ),
        0,
      ),
      storeCalls,
      ...alarmPathCalls(platform.alarmTraces()),
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
  // Everything above is as the release left it; only then does time run on, for CloudWatch to
  // publish the minutes before the stop that an interrupted analysis never read.
  if (!stalled && reported.some((entry) => entry.action === 'rollback.started')) {
    scheduler.setTimeout(() => {}, PUBLICATION_ALLOWANCE_SECONDS * 1000);
    await scheduler.runUntil(() => false);
  }
  const interrupted = await readInterruptedAnalyses(platform.ports, releaseId, reported);
  return interrupted.length > 0 ? { ...result, interruptedAnalyses: interrupted } : result;
}
