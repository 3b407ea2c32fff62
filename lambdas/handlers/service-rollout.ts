/**
 * The service-rollout state machine's tasks. Its payload is a small "step state": which
 * release, region and service, the current step index and that step's description; the plan
 * itself stays in the store. Every task is safe to run twice with the same input.
 */
import * as z from 'zod';
import { type IntervalResult, judgeAnalysis, judgeComparison, worstOf } from '../core/analysis';
import {
  AnalysisFailedError,
  ConditionFailedError,
  causeMessage,
  ReadinessGateFailedError,
  ReleaseAbortedError,
  RolloutNotReadyError,
  RolloutStuckError,
  SharedTargetGroupError,
  TrafficNotReadyError,
  WeightsMismatchError,
} from '../core/errors';
import { planMetricWindow, readableWindow } from '../core/metric-window';
import { seconds } from '../core/plan/resolve';
import { scoreReadiness } from '../core/readiness';
import { type RolloutStep, replicaRatioWeights, replicasForStep } from '../core/strategy';
import { judgeTargetGroup, tracksSharingGroups } from '../core/target-health';
import type { Ports, Track, Weights } from '../ports';
import { defineHandler } from './define';
import { heartbeatParkedLanes } from './parked-tasks';
import { assertReleaseRunning, loadReleaseContext, type ReleaseContext } from './release-context';

export const ServiceKey = z.object({ releaseId: z.string(), region: z.string(), service: z.string() });
export type ServiceKey = z.infer<typeof ServiceKey>;

const StepStateInput = ServiceKey.extend({
  stepIndex: z.number().int().min(0),
  windowStart: z.string().optional(),
}).passthrough();

export interface StepState extends ServiceKey {
  stepIndex: number;
  stepCount: number;
  step: RolloutStep | { kind: 'done' };
  /** Seconds the next Wait state waits: a pause, or an analysis window. */
  waitSeconds: number;
  /** For approvals: how long to wait before the approval times out. */
  timeoutSeconds: number;
  /** When the current analysis window began. */
  windowStart?: string;
}

function stepState(context: ReleaseContext, key: ServiceKey, stepIndex: number, now: Date): StepState {
  const steps = context.steps(key.service);
  const step = steps[stepIndex] ?? { kind: 'done' as const };
  // An analysis of metrics judges whole minutes after this step's traffic shift, once published.
  const window =
    step.kind === 'analysis' && step.metrics
      ? planMetricWindow(now, step.seconds, step.metrics.intervalSeconds)
      : undefined;
  const waitSeconds =
    window?.waitSeconds ??
    (step.kind === 'pause' || step.kind === 'analysis' ? Math.max(1, step.seconds) : 0);
  const timeoutSeconds = step.kind === 'approval' ? step.timeoutSeconds : 0;
  return {
    releaseId: key.releaseId,
    region: key.region,
    service: key.service,
    stepIndex,
    stepCount: steps.length,
    step,
    waitSeconds,
    timeoutSeconds: Math.max(1, timeoutSeconds),
    ...(step.kind === 'analysis' && { windowStart: (window?.windowStart ?? now).toISOString() }),
  };
}

const auditKey = (key: ServiceKey, what: string) => `${key.region}/${key.service}/${what}`;

function currentStep(context: ReleaseContext, input: { service: string; stepIndex: number }): RolloutStep {
  const step = context.steps(input.service)[input.stepIndex];
  if (!step) throw new RolloutStuckError(`${input.service} has no step ${input.stepIndex}`);
  return step;
}

/** The stable Deployment's replicas before the release: what every step's replica math uses. */
async function originalReplicas(ports: Ports, key: ServiceKey): Promise<number> {
  const cacheKey = `${key.releaseId}/${key.region}/${key.service}`;
  const known = replicasBefore.get(cacheKey);
  if (known !== undefined) return known;
  const snapshots = await ports.store.getSnapshots(key.releaseId, key.region);
  const found = snapshots.find((entry) => entry.service === key.service);
  if (!found)
    throw new RolloutStuckError(`no snapshot of ${key.service} in ${key.region}: the rollout did not start`);
  replicasBefore.set(cacheKey, found.snapshot.replicas);
  return found.snapshot.replicas;
}

/** Snapshots never change once written (first write wins), so a warm container may keep them. */
const replicasBefore = new Map<string, number>();

export const startServiceRollout = defineHandler({
  name: 'startServiceRollout',
  ports: ['store', 'cluster', 'trafficReader', 'clock', 'events'],
  input: ServiceKey,
  async run(key, ports): Promise<StepState> {
    await assertReleaseRunning(ports.store, key.releaseId);
    const context = await loadReleaseContext(ports.store, key.releaseId);
    const existing = await ports.store.getSnapshots(key.releaseId, key.region);
    let snapshot = existing.find((entry) => entry.service === key.service)?.snapshot;
    if (!snapshot) {
      const target = context.trafficTarget(key.region, key.service);
      const taken = await ports.cluster.snapshot(context.workload(key.region, key.service));
      const weights = target ? await ports.trafficReader.getWeights(target) : undefined;
      snapshot = { ...taken, ...(weights && { weights }) };
      await ports.store.putSnapshot(key.releaseId, key.service, snapshot);
    }
    const now = ports.clock.now();
    const record = await ports.store.getServiceRollout(key.releaseId, key.region, key.service);
    await ports.store.updateServiceRollout(
      key,
      {
        status: 'IN_PROGRESS',
        stepIndex: record?.stepIndex ?? 0,
        ...(record?.startedAt ? {} : { startedAt: now.toISOString() }),
        // The weights found before the release are what its first shift expects to find.
        ...(record?.status === 'PENDING' && snapshot.weights && { weights: snapshot.weights }),
      },
      {
        releaseId: key.releaseId,
        key: auditKey(key, 'started'),
        at: now.toISOString(),
        action: 'service.started',
        actor: 'switchyard',
        region: key.region,
        service: key.service,
        detail: {
          strategy: context.service(key.service).strategy.type,
          steps: context.steps(key.service).length,
        },
      },
      ['PENDING', 'IN_PROGRESS', 'VALIDATING'],
    );
    return stepState(context, key, record?.stepIndex ?? 0, now);
  },
});

export const checkReadinessGate = defineHandler({
  name: 'checkReadinessGate',
  ports: ['store', 'cluster', 'clock'],
  input: StepStateInput,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const service = context.service(input.service);
    const deployment = await ports.cluster.readDeployment(context.workload(input.region, input.service));
    if (!deployment) throw new RolloutStuckError(`${service.deployment} does not exist in ${input.region}`);
    const report = scoreReadiness(deployment.template, service.readiness);
    await ports.store.appendAudit({
      releaseId: input.releaseId,
      key: auditKey(input, 'readiness-gate'),
      at: ports.clock.now().toISOString(),
      action: report.passed ? 'gate.passed' : 'gate.failed',
      actor: 'switchyard',
      region: input.region,
      service: input.service,
      detail: { score: report.score, minScore: service.readiness.minScore, blockers: report.blockers },
    });
    if (!report.passed) {
      const reasons =
        report.blockers.length > 0
          ? report.blockers.join('; ')
          : `score ${report.score} below ${service.readiness.minScore}`;
      throw new ReadinessGateFailedError(
        `${input.service} in ${input.region} failed the readiness gate: ${reasons}`,
      );
    }
    return { ...input, gateScore: report.score };
  },
});

/**
 * Canary (or green, or the next rolling batch) at the step's replicas; stable scaled for rolling.
 * The canary target group joins the forward action at weight 0 first: an ALB health-checks only
 * groups that a rule forwards to, so until then its targets read `unused` and can never pass
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/check-target-health.html).
 */
export const prepareCanary = defineHandler({
  name: 'prepareCanary',
  ports: ['store', 'cluster', 'traffic'],
  input: StepStateInput,
  async run(input, ports) {
    // No release check here: the step began at Next Step, which checks, and Shift Traffic checks again.
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const step = currentStep(context, input);
    if (step.kind !== 'setWeight') return input;
    const service = context.service(input.service);
    const target = context.workload(input.region, input.service);
    const replicas = replicasForStep(await originalReplicas(ports, input), step);
    await ports.cluster.ensureCanary(target, {
      container: service.container,
      image: service.image,
      replicas: replicas.canary,
    });
    if (step.scaleDownStable) await ports.cluster.scale(target, replicas.stable, 'stable');
    const traffic = context.trafficTarget(input.region, input.service);
    if (traffic) await ports.traffic.attachCanary(traffic);
    return input;
  },
});

const VerifyInput = StepStateInput.extend({ track: z.enum(['stable', 'canary']) });

/**
 * Judged like `kubectl rollout status`, then by the load balancer: every desired pod must be a
 * healthy target of its group, and stable and canary pods must be in their own groups only.
 * Not-ready is retried by the state machine with backoff; shared groups are refused at once.
 */
export const verifyRollout = defineHandler({
  name: 'verifyRollout',
  ports: ['store', 'cluster', 'trafficReader'],
  input: VerifyInput,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const track: Track = input.track;
    const workload = context.workload(input.region, input.service);
    const status = await ports.cluster.rolloutStatus(workload, track);
    if (status.state === 'failed')
      throw new RolloutStuckError(`${input.service} (${track}) in ${input.region}: ${status.message}`);
    if (status.state === 'progressing')
      throw new RolloutNotReadyError(`${input.service} (${track}) in ${input.region}: ${status.message}`);
    const target = context.trafficTarget(input.region, input.service);
    if (target && status.desired > 0) {
      const [health, stablePods, canaryPods] = await Promise.all([
        ports.trafficReader.targetHealth(target),
        ports.cluster.podAddresses(workload, 'stable'),
        ports.cluster.podAddresses(workload, 'canary'),
      ]);
      const shared = tracksSharingGroups(health, { stable: stablePods, canary: canaryPods });
      if (shared.length > 0) {
        throw new SharedTargetGroupError(
          `${input.service} in ${input.region}: ${shared.join('; ')}. Stable and canary pods must never share a target group: label the stable pod template switchyard.dev/track: stable and make the stable Service select on it (the canary's pods carry switchyard.dev/track: canary); see the README, "Target groups"`,
        );
      }
      const readiness = judgeTargetGroup(health[track].name, health[track].targets, status.desired);
      if (!readiness.ready) {
        throw new TrafficNotReadyError(`${input.service} ${track} in ${input.region}: ${readiness.message}`);
      }
    }
    const { track: _track, ...state } = input;
    return state;
  },
});

async function applyWeights(
  ports: Ports,
  context: ReleaseContext,
  key: ServiceKey & { stepIndex: number },
  wanted: Weights,
  replicas: { stable: number; canary: number },
  what: string,
): Promise<Weights> {
  const target = context.trafficTarget(key.region, key.service);
  let applied: Weights;
  if (target) {
    // What Switchyard last applied (or found before the release): anything else is someone's edit.
    const record = await ports.store.getServiceRollout(key.releaseId, key.region, key.service);
    applied = await ports.traffic.setWeights(target, wanted, record?.weights);
    if (applied.stable !== wanted.stable || applied.canary !== wanted.canary) {
      throw new WeightsMismatchError(
        `${key.service} in ${key.region}: asked for ${wanted.stable}/${wanted.canary}, read back ${applied.stable}/${applied.canary}`,
      );
    }
  } else {
    applied = replicaRatioWeights(replicas);
  }
  const now = ports.clock.now().toISOString();
  await ports.store.updateServiceRollout(
    key,
    { weights: applied, stepIndex: key.stepIndex, status: applied.canary > 0 ? 'VALIDATING' : 'IN_PROGRESS' },
    {
      releaseId: key.releaseId,
      key: auditKey(key, what),
      at: now,
      action: 'traffic.shifted',
      actor: 'switchyard',
      region: key.region,
      service: key.service,
      detail: {
        stable: applied.stable,
        canary: applied.canary,
        via: context.service(key.service).traffic.type,
      },
    },
  );
  await ports.events.publish([
    {
      detailType: 'Service Rollout Step',
      releaseId: key.releaseId,
      detail: { region: key.region, service: key.service, stepIndex: key.stepIndex, weights: applied },
    },
  ]);
  return applied;
}

export const shiftTraffic = defineHandler({
  name: 'shiftTraffic',
  ports: ['store', 'traffic', 'clock', 'events'],
  input: StepStateInput,
  async run(input, ports) {
    await assertReleaseRunning(ports.store, input.releaseId);
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const step = currentStep(context, input);
    if (step.kind !== 'setWeight') return input;
    const replicas = replicasForStep(await originalReplicas(ports, input), step);
    const weights = await applyWeights(
      ports,
      context,
      input,
      { stable: 100 - step.weight, canary: step.weight },
      replicas,
      `step-${input.stepIndex}/weights`,
    );
    return { ...input, weights };
  },
});

export const runAnalysis = defineHandler({
  name: 'runAnalysis',
  ports: ['store', 'trafficReader', 'signals', 'clock'],
  input: StepStateInput,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const service = context.service(input.service);
    const analysis = service.analysis;
    const now = ports.clock.now();
    if (!analysis) return { ...input, verdict: 'pass' as const };
    const step = currentStep(context, input);
    // Only periods complete and published by now: an unpublished one would read as no data.
    const window =
      step.kind === 'analysis' && step.metrics
        ? readableWindow({
            windowStart: input.windowStart ? new Date(input.windowStart) : undefined,
            now,
            durationSeconds: step.seconds,
            intervalSeconds: step.metrics.intervalSeconds,
          })
        : undefined;
    const intervals: IntervalResult[] = [];
    const instant: IntervalResult[] = [];
    const details: string[] = [];
    for (const check of analysis.checks) {
      switch (check.type) {
        case 'compare': {
          const target = context.trafficTarget(input.region, input.service);
          if (!target) break;
          // A blue-green preview: green takes no traffic yet, so there is nothing to compare.
          if (!window) {
            details.push('compare skipped: the new version takes no traffic yet');
            break;
          }
          if (window.to <= window.from) {
            details.push('compare judged nothing: no period of the window is published yet');
            break;
          }
          const resolved = await ports.trafficReader.resolve(target);
          const samples = await ports.signals.compareTargetGroups(input.region, resolved, window);
          for (const sample of samples) {
            const observation = judgeComparison(check, sample.canary, sample.stable);
            intervals.push(observation.result);
            if (observation.result !== 'pass') details.push(`${sample.at}: ${observation.detail}`);
          }
          break;
        }
        case 'cloudwatchAlarms': {
          const states = await ports.signals.alarmStates(input.region, check.alarmNames);
          const firing = Object.entries(states)
            .filter(([, state]) => state === 'ALARM')
            .map(([name]) => name);
          const unknown = Object.entries(states)
            .filter(([, state]) => state === 'INSUFFICIENT_DATA')
            .map(([name]) => name);
          instant.push(firing.length > 0 ? 'fail' : unknown.length > 0 ? 'inconclusive' : 'pass');
          if (firing.length > 0) details.push(`alarms in ALARM: ${firing.join(', ')}`);
          break;
        }
        case 'http': {
          const result = await ports.signals.httpProbe(check);
          instant.push(result.ok ? 'pass' : 'fail');
          if (!result.ok) details.push(`http ${check.url}: ${result.detail}`);
          break;
        }
        case 'tcp': {
          const result = await ports.signals.tcpProbe(check);
          instant.push(result.ok ? 'pass' : 'fail');
          if (!result.ok) details.push(`tcp ${check.host}:${check.port}: ${result.detail}`);
          break;
        }
        case 'lambda': {
          const result = await ports.signals.invokeHook(input.region, check.functionName, {
            releaseId: input.releaseId,
            region: input.region,
            service: input.service,
            stepIndex: input.stepIndex,
          });
          instant.push(result.verdict);
          if (result.verdict !== 'pass') details.push(`hook ${check.functionName}: ${result.detail}`);
          break;
        }
      }
    }
    // Checks observed once stand for the latest interval.
    if (instant.length > 0) {
      const latest = intervals.pop();
      intervals.push(worstOf([...(latest ? [latest] : []), ...instant]));
    }
    const judgement = judgeAnalysis(intervals, {
      failureLimit: analysis.failureLimit,
      ...(analysis.consecutiveFailureLimit !== undefined && {
        consecutiveFailureLimit: analysis.consecutiveFailureLimit,
      }),
    });
    const verdict =
      judgement.verdict === 'inconclusive' && analysis.inconclusive !== 'pause'
        ? analysis.inconclusive
        : judgement.verdict;
    const record = await ports.store.getServiceRollout(input.releaseId, input.region, input.service);
    await ports.store.updateServiceRollout(
      input,
      {
        verdict,
        checksPassed: (record?.checksPassed ?? 0) + judgement.passed,
        checksFailed: (record?.checksFailed ?? 0) + judgement.failed,
        consecutiveFailures: judgement.consecutiveFailures,
      },
      {
        releaseId: input.releaseId,
        key: auditKey(input, `step-${input.stepIndex}/analysis`),
        at: now.toISOString(),
        action: `analysis.${verdict}`,
        actor: 'switchyard',
        region: input.region,
        service: input.service,
        detail: {
          ...judgement,
          stepIndex: input.stepIndex,
          ...(window && { window: { from: window.from.toISOString(), to: window.to.toISOString() } }),
          details: details.slice(0, 10),
        },
      },
    );
    if (verdict === 'fail') {
      throw new AnalysisFailedError(
        `${input.service} in ${input.region} failed analysis at step ${input.stepIndex}: ${judgement.reason}${details[0] ? ` (${details[0]})` : ''}`,
      );
    }
    return { ...input, verdict, timeoutSeconds: seconds(analysis.approvalTimeout) };
  },
});

const ApprovalInput = StepStateInput.extend({
  taskToken: z.string().min(1),
  reason: z.string().default('approval'),
});

/** Parks the task token; the approve API (or the rehearsal) resumes it. */
export const requestApproval = defineHandler({
  name: 'requestApproval',
  ports: ['store', 'clock', 'events'],
  input: ApprovalInput,
  async run(input, ports) {
    const name = `${input.region}/${input.service}/step-${input.stepIndex}`;
    await ports.store.putTaskToken({ releaseId: input.releaseId, kind: 'approval', name }, input.taskToken);
    await ports.store.appendAudit({
      releaseId: input.releaseId,
      key: auditKey(input, `step-${input.stepIndex}/approval-requested`),
      at: ports.clock.now().toISOString(),
      action: 'approval.requested',
      actor: 'switchyard',
      region: input.region,
      service: input.service,
      detail: { reason: input.reason, approval: name },
    });
    return { approval: name };
  },
});

const RecreateInput = StepStateInput.extend({ phase: z.enum(['stop', 'start']) });

/** Recreate: stop every old pod first, then start the new version — never both at once. */
export const recreateWorkload = defineHandler({
  name: 'recreateWorkload',
  ports: ['store', 'cluster', 'clock'],
  input: RecreateInput,
  async run(input, ports) {
    await assertReleaseRunning(ports.store, input.releaseId);
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const service = context.service(input.service);
    const target = context.workload(input.region, input.service);
    if (input.phase === 'stop') {
      await ports.cluster.scale(target, 0, 'stable');
    } else {
      await ports.cluster.setImage(target, service.container, service.image, 'stable');
      await ports.cluster.scale(target, await originalReplicas(ports, input), 'stable');
    }
    await ports.store.appendAudit({
      releaseId: input.releaseId,
      key: auditKey(input, `recreate-${input.phase}`),
      at: ports.clock.now().toISOString(),
      action: input.phase === 'stop' ? 'workload.stopped' : 'workload.started',
      actor: 'switchyard',
      region: input.region,
      service: input.service,
      detail: input.phase === 'start' ? { image: service.image } : {},
    });
    const { phase: _phase, ...state } = input;
    return state;
  },
});

const PromoteInput = StepStateInput.extend({
  phase: z.enum(['updateStable', 'returnTraffic', 'retireCanary']),
});

/** Promotion: stable takes the new image, then all traffic, then the canary scales to zero. */
export const promoteCanary = defineHandler({
  name: 'promoteCanary',
  ports: ['store', 'cluster', 'traffic', 'clock', 'events'],
  input: PromoteInput,
  async run(input, ports) {
    if (input.phase === 'updateStable') await assertReleaseRunning(ports.store, input.releaseId);
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const service = context.service(input.service);
    const target = context.workload(input.region, input.service);
    const replicas = await originalReplicas(ports, input);
    if (input.phase === 'updateStable') {
      await ports.cluster.setImage(target, service.container, service.image, 'stable');
      await ports.cluster.scale(target, replicas, 'stable');
    } else if (input.phase === 'returnTraffic') {
      await applyWeights(
        ports,
        context,
        input,
        { stable: 100, canary: 0 },
        { stable: replicas, canary: 0 },
        'promote/weights',
      );
    } else {
      await ports.cluster.removeCanary(target, 'scaleToZero');
    }
    const { phase: _phase, ...state } = input;
    return state;
  },
});

/** Moves to the next step, unless the release stopped running meanwhile. */
export const advanceStep = defineHandler({
  name: 'advanceStep',
  ports: ['store', 'clock', 'workflow'],
  input: StepStateInput,
  async run(input, ports): Promise<StepState> {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const next = input.stepIndex + 1;
    const now = ports.clock.now();
    const step = context.steps(input.service)[input.stepIndex];
    try {
      // The step is recorded only while the release runs, in the same transaction: once a
      // rollback has begun, this rollout stops here.
      await ports.store.updateServiceRollout(
        input,
        { stepIndex: next },
        {
          releaseId: input.releaseId,
          key: auditKey(input, `step-${input.stepIndex}/done`),
          at: now.toISOString(),
          action: 'step.completed',
          actor: 'switchyard',
          region: input.region,
          service: input.service,
          detail: { stepIndex: input.stepIndex, kind: step?.kind ?? 'done' },
        },
        undefined,
        'RUNNING',
      );
    } catch (error) {
      if (error instanceof ConditionFailedError)
        throw new ReleaseAbortedError(`${error.message}: this rollout stops acting`);
      throw error;
    }
    // Lanes parked on a dependency expect a heartbeat at least every HeartbeatSeconds; the
    // long gaps in a rollout are its waits, so beat after each of them.
    if (step?.kind === 'analysis' || step?.kind === 'pause' || step?.kind === 'approval') {
      await heartbeatParkedLanes(ports, input.releaseId, input.region);
    }
    return stepState(context, input, next, now);
  },
});

export const completeServiceRollout = defineHandler({
  name: 'completeServiceRollout',
  ports: ['store', 'clock', 'events'],
  input: StepStateInput,
  async run(input, ports) {
    const now = ports.clock.now().toISOString();
    await ports.store.updateServiceRollout(
      input,
      { status: 'COMPLETED', endedAt: now, weights: { stable: 100, canary: 0 } },
      {
        releaseId: input.releaseId,
        key: auditKey(input, 'completed'),
        at: now,
        action: 'service.completed',
        actor: 'switchyard',
        region: input.region,
        service: input.service,
      },
      ['IN_PROGRESS', 'VALIDATING', 'COMPLETED'],
    );
    await ports.events.publish([
      {
        detailType: 'Service Rollout Completed',
        releaseId: input.releaseId,
        detail: { region: input.region, service: input.service },
      },
    ]);
    return { releaseId: input.releaseId, region: input.region, service: input.service, status: 'COMPLETED' };
  },
});

const FailureInput = ServiceKey.extend({
  error: z
    .object({ Error: z.string(), Cause: z.string().optional() })
    .passthrough()
    .default({ Error: 'AnalysisFailedError', Cause: 'the analysis verdict was fail' }),
}).passthrough();

export const failServiceRollout = defineHandler({
  name: 'failServiceRollout',
  ports: ['store', 'clock', 'events'],
  input: FailureInput,
  async run(input, ports) {
    const now = ports.clock.now().toISOString();
    const reason = `${input.error.Error}: ${causeMessage(input.error.Cause)}`;
    const record = await ports.store.getServiceRollout(input.releaseId, input.region, input.service);
    if (record && record.status !== 'FAILED' && record.status !== 'ROLLED_BACK') {
      await ports.store.updateServiceRollout(
        input,
        { status: 'FAILED', endedAt: now, reason },
        {
          releaseId: input.releaseId,
          key: auditKey(input, 'failed'),
          at: now,
          action: 'service.failed',
          actor: 'switchyard',
          region: input.region,
          service: input.service,
          detail: { error: input.error.Error, reason },
        },
      );
      await ports.events.publish([
        {
          detailType: 'Service Rollout Failed',
          releaseId: input.releaseId,
          detail: { region: input.region, service: input.service, reason },
        },
      ]);
    }
    return { error: input.error.Error, cause: reason };
  },
});
