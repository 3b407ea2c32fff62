/**
 * Analysis: read each check the plan lists, then let the core judge them (core/analysis-step.ts:
 * how checks combine into one verdict, and the inconclusive policy). A fail ends the rollout; an
 * inconclusive verdict that the policy pauses on goes to approval.
 */

import { loadReleaseContext, type ReleaseContext } from '../../app/release-context';
import { recordedComparison } from '../../core/analysis-readings';
import type { AnalysisStepOutcome } from '../../core/analysis-step';
import {
  analysisFailureMessage,
  analysisWindow,
  type CheckReading,
  comparisonWindow,
  judgeAnalysisStep,
  perMinute,
} from '../../core/analysis-step';
import { auditEntry } from '../../core/audit';
import { AnalysisFailedError } from '../../core/errors';
import type { MetricWindow } from '../../core/metric-window';
import { seconds } from '../../core/plan/resolve';
import type { AnalysisPlan } from '../../core/plan/schema';
import { stepState } from '../../core/step-state';
import type { ComparisonSample, NewAuditEntry, Ports } from '../../ports';
import { defineHandler } from '../define';
import { heartbeatParkedLanes } from '../parked-tasks';
import { recordStepWhileRunning, stepCompleted } from './completion';
import { auditKey, currentStep, type ServiceKey, StepStateInput } from './shared';

type StepKey = ServiceKey & { stepIndex: number };

/**
 * One analysis step. A pass ends the step: the verdict and the step done are one write (while
 * the release runs), and it returns the next step; otherwise it returns this one, with its verdict.
 */
export const runAnalysis = defineHandler({
  name: 'runAnalysis',
  ports: ['store', 'trafficReader', 'signals', 'clock', 'workflow'],
  input: StepStateInput,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const analysis = context.service(input.service).analysis;
    const now = ports.clock.now();
    const step = currentStep(context, input);
    const next = () => ({
      ...stepState(context.steps(input.service), input, input.stepIndex + 1, now),
      verdict: 'pass' as const,
    });
    if (!analysis) {
      await recordStepWhileRunning(
        ports,
        input,
        { stepIndex: input.stepIndex + 1 },
        stepCompleted(input, step, now),
      );
      return next();
    }
    const window = analysisWindow(step, input.windowStart, now);
    const readings = await readChecks(ports, context, input, analysis, window);
    const outcome = judgeAnalysisStep(analysis, readings);
    const ended = outcome.verdict === 'pass';
    await recordVerdict(
      ports,
      input,
      outcome,
      readings,
      window,
      now,
      ended ? stepCompleted(input, step, now) : undefined,
    );
    if (outcome.verdict === 'fail') throw new AnalysisFailedError(analysisFailureMessage(input, outcome));
    if (!ended)
      return { ...input, verdict: outcome.verdict, timeoutSeconds: seconds(analysis.approvalTimeout) };
    // An analysis is a wait: lanes parked on a dependency expect a heartbeat (advanceStep's reason).
    await heartbeatParkedLanes(ports, input.releaseId, input.region);
    return next();
  },
});

/** Each check's reading, one after another in the plan's order. */
async function readChecks(
  ports: Pick<Ports, 'trafficReader' | 'signals'>,
  context: ReleaseContext,
  key: StepKey,
  analysis: AnalysisPlan,
  window: MetricWindow | undefined,
): Promise<CheckReading[]> {
  const readings: CheckReading[] = [];
  for (const check of analysis.checks) {
    switch (check.type) {
      case 'compare':
      case 'judge': {
        const read = await readTargetGroups(ports, context, key, window, check.type);
        // Without a load balancer there are no target groups to compare.
        if (!read) break;
        if ('skipped' in read) readings.push({ type: 'compareSkipped', detail: read.skipped });
        else if (check.type === 'compare') readings.push({ type: 'compare', check, samples: read.samples });
        else readings.push({ type: 'judge', check, samples: read.samples });
        break;
      }
      case 'cloudwatchAlarms':
        readings.push({
          type: 'cloudwatchAlarms',
          states: await ports.signals.alarmStates(key.region, check.alarmNames),
        });
        break;
      case 'http':
        readings.push({ type: 'probe', check, ...(await ports.signals.httpProbe(check)) });
        break;
      case 'tcp':
        readings.push({ type: 'probe', check, ...(await ports.signals.tcpProbe(check)) });
        break;
      case 'lambda': {
        const result = await ports.signals.invokeHook(key.region, check.functionName, {
          releaseId: key.releaseId,
          region: key.region,
          service: key.service,
          stepIndex: key.stepIndex,
        });
        readings.push({ type: 'lambda', functionName: check.functionName, ...result });
        break;
      }
    }
  }
  return readings;
}

/**
 * Canary and stable target-group figures over the window: per interval for a comparison, per
 * minute for a judge (each minute one sample). Nothing without a load balancer.
 */
async function readTargetGroups(
  ports: Pick<Ports, 'trafficReader' | 'signals'>,
  context: ReleaseContext,
  key: StepKey,
  window: MetricWindow | undefined,
  checkType: 'compare' | 'judge',
): Promise<{ samples: ComparisonSample[] } | { skipped: string } | undefined> {
  const target = context.trafficTarget(key.region, key.service);
  if (!target) return undefined;
  const read = comparisonWindow(window, checkType);
  if ('skipped' in read) return read;
  const resolved = await ports.trafficReader.resolve(target);
  const periods = checkType === 'judge' ? perMinute(read.window) : read.window;
  return { samples: await ports.signals.compareTargetGroups(key.region, resolved, periods) };
}

/**
 * The verdict and its counts on the rollout, with the audit entry, in one write. The entry keeps
 * the compared figures and limits it was judged on (bounded: core/analysis-readings.ts).
 */
async function recordVerdict(
  ports: Pick<Ports, 'store'>,
  key: StepKey,
  outcome: AnalysisStepOutcome,
  readings: readonly CheckReading[],
  window: MetricWindow | undefined,
  now: Date,
  /** The step done, recorded with the verdict (a pass), while the release runs. */
  stepDone?: NewAuditEntry,
): Promise<void> {
  const { verdict, judgement, details, judgements } = outcome;
  const judge = judgements[0];
  const comparison = recordedComparison(readings, window);
  const patch = {
    verdict,
    addChecks: { passed: judgement.passed, failed: judgement.failed },
    consecutiveFailures: judgement.consecutiveFailures,
    ...(stepDone && { stepIndex: key.stepIndex + 1 }),
  };
  const judged = auditEntry(`analysis.${verdict}`, {
    releaseId: key.releaseId,
    key: auditKey(key, `step-${key.stepIndex}/analysis`),
    at: now.toISOString(),
    actor: 'switchyard',
    region: key.region,
    service: key.service,
    detail: {
      ...judgement,
      stepIndex: key.stepIndex,
      ...(window && { window: { from: window.from.toISOString(), to: window.to.toISOString() } }),
      details: details.slice(0, 10),
      ...(comparison && { comparison }),
      ...(judge && { judge }),
    },
  });
  if (stepDone) await recordStepWhileRunning(ports, key, patch, [judged, stepDone]);
  else await ports.store.updateServiceRollout(key, patch, judged);
}
