/**
 * Preparing a service's new version: its snapshot and start, the readiness gate, the canary (or
 * green, or next batch) at the step's replicas, recreate's stop-then-start, and the check that
 * what was deployed has rolled out and is healthy behind its load balancer.
 */
import * as z from 'zod';
import { makeAbortAlarm } from '../../app/abort-alarms';
import { assertReleaseRunning, loadReleaseContext, runningRollout } from '../../app/release-context';
import { auditEntry } from '../../core/audit';
import { ReadinessGateFailedError, RolloutStuckError } from '../../core/errors';
import { readinessGateFailure, scoreReadiness } from '../../core/readiness';
import { type StepState, stepState } from '../../core/step-state';
import { replicasForStep } from '../../core/strategy';
import { judgeTrackReady } from '../../core/target-health';
import type { Track } from '../../ports';
import { defineHandler } from '../define';
import { auditKey, currentStep, originalReplicas, ServiceKey, StepStateInput } from './shared';

export const startServiceRollout = defineHandler({
  name: 'startServiceRollout',
  ports: ['store', 'cluster', 'trafficReader', 'clock', 'events'],
  input: ServiceKey,
  async run(key, ports): Promise<StepState> {
    const { rollout: record, snapshot: stored } = await runningRollout(ports.store, key);
    const context = await loadReleaseContext(ports.store, key.releaseId);
    let snapshot = stored;
    if (!snapshot) {
      const target = context.trafficTarget(key.region, key.service);
      const taken = await ports.cluster.snapshot(context.workload(key.region, key.service));
      const weights = target ? await ports.trafficReader.getWeights(target) : undefined;
      snapshot = { ...taken, ...(weights && { weights }) };
      await ports.store.putSnapshot(key.releaseId, key.service, snapshot);
    }
    const now = ports.clock.now();
    await ports.store.updateServiceRollout(
      key,
      {
        // A claimed rollout is IN_PROGRESS already: leaving its status alone lets the store write without reading.
        ...(record?.status !== 'IN_PROGRESS' && { status: 'IN_PROGRESS' as const }),
        stepIndex: record?.stepIndex ?? 0,
        ...(record?.startedAt ? {} : { startedAt: now.toISOString() }),
        // The weights found before the release are what its first shift expects to find.
        ...(record?.status === 'PENDING' && snapshot.weights && { weights: snapshot.weights }),
      },
      auditEntry('service.started', {
        releaseId: key.releaseId,
        key: auditKey(key, 'started'),
        at: now.toISOString(),
        actor: 'switchyard',
        region: key.region,
        service: key.service,
        detail: {
          strategy: context.service(key.service).strategy.type,
          steps: context.steps(key.service).length,
        },
      }),
      ['PENDING', 'IN_PROGRESS', 'VALIDATING'],
    );
    return stepState(context.steps(key.service), key, record?.stepIndex ?? 0, now);
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
    await ports.store.appendAudit(
      auditEntry(report.passed ? 'gate.passed' : 'gate.failed', {
        releaseId: input.releaseId,
        key: auditKey(input, 'readiness-gate'),
        at: ports.clock.now().toISOString(),
        actor: 'switchyard',
        region: input.region,
        service: input.service,
        detail: { score: report.score, minScore: service.readiness.minScore, blockers: report.blockers },
      }),
    );
    const failure = readinessGateFailure(report, service.readiness.minScore);
    if (failure)
      throw new ReadinessGateFailedError(
        `${input.service} in ${input.region} failed the readiness gate: ${failure}`,
      );
    return { ...input, gateScore: report.score };
  },
});

/**
 * Canary (or green, or the next rolling batch) at the step's replicas; stable scaled for rolling.
 * The canary target group joins the forward action at weight 0 first: an ALB health-checks only
 * groups that a rule forwards to, so until then its targets read `unused` and can never pass
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/check-target-health.html).
 * Before a canary's first weight, its abort alarm is made (app/abort-alarms.ts).
 */
export const prepareCanary = defineHandler({
  name: 'prepareCanary',
  ports: ['store', 'cluster', 'traffic', 'abortAlarms', 'clock'],
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
    const steps = context.steps(input.service);
    if (steps.findIndex((candidate) => candidate.kind === 'setWeight') === input.stepIndex)
      await makeAbortAlarm(ports, ports.traffic, context, input.region, input.service);
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
    const target = context.trafficTarget(input.region, input.service);
    const readsTraffic = target && status.state === 'complete' && status.desired > 0;
    const [health, stablePods, canaryPods] = readsTraffic
      ? await Promise.all([
          ports.trafficReader.targetHealth(target),
          ports.cluster.podAddresses(workload, 'stable'),
          ports.cluster.podAddresses(workload, 'canary'),
        ])
      : [];
    const notReady = judgeTrackReady(
      { service: input.service, region: input.region, track },
      status,
      health && { health, podIps: { stable: stablePods ?? [], canary: canaryPods ?? [] } },
    );
    if (notReady) throw notReady;
    const { track: _track, ...state } = input;
    return state;
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
    await ports.store.appendAudit(
      auditEntry(input.phase === 'stop' ? 'workload.stopped' : 'workload.started', {
        releaseId: input.releaseId,
        key: auditKey(input, `recreate-${input.phase}`),
        at: ports.clock.now().toISOString(),
        actor: 'switchyard',
        region: input.region,
        service: input.service,
        detail: input.phase === 'start' ? { image: service.image } : {},
      }),
    );
    const { phase: _phase, ...state } = input;
    return state;
  },
});
