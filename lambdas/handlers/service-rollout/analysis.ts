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
} from '../../core/analysis-step';
import { auditEntry } from '../../core/audit';
import { AnalysisFailedError } from '../../core/errors';
import type { MetricWindow } from '../../core/metric-window';
import { seconds } from '../../core/plan/resolve';
import type { AnalysisPlan } from '../../core/plan/schema';
import type { Ports } from '../../ports';
import { defineHandler } from '../define';
import { auditKey, currentStep, type ServiceKey, StepStateInput } from './shared';

type StepKey = ServiceKey & { stepIndex: number };

export const runAnalysis = defineHandler({
  name: 'runAnalysis',
  ports: ['store', 'trafficReader', 'signals', 'clock'],
  input: StepStateInput,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const analysis = context.service(input.service).analysis;
    const now = ports.clock.now();
    if (!analysis) return { ...input, verdict: 'pass' as const };
    const window = analysisWindow(currentStep(context, input), input.windowStart, now);
    const readings = await readChecks(ports, context, input, analysis, window);
    const outcome = judgeAnalysisStep(analysis, readings);
    await recordVerdict(ports, input, outcome, readings, window, now);
    if (outcome.verdict === 'fail') throw new AnalysisFailedError(analysisFailureMessage(input, outcome));
    return { ...input, verdict: outcome.verdict, timeoutSeconds: seconds(analysis.approvalTimeout) };
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
      case 'compare': {
        const target = context.trafficTarget(key.region, key.service);
        // Without a load balancer there are no target groups to compare.
        if (!target) break;
        const read = comparisonWindow(window);
        if ('skipped' in read) {
          readings.push({ type: 'compareSkipped', detail: read.skipped });
          break;
        }
        const resolved = await ports.trafficReader.resolve(target);
        const samples = await ports.signals.compareTargetGroups(key.region, resolved, read.window);
        readings.push({ type: 'compare', check, samples });
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
): Promise<void> {
  const { verdict, judgement, details } = outcome;
  const comparison = recordedComparison(readings, window);
  const record = await ports.store.getServiceRollout(key.releaseId, key.region, key.service);
  await ports.store.updateServiceRollout(
    key,
    {
      verdict,
      checksPassed: (record?.checksPassed ?? 0) + judgement.passed,
      checksFailed: (record?.checksFailed ?? 0) + judgement.failed,
      consecutiveFailures: judgement.consecutiveFailures,
    },
    auditEntry(`analysis.${verdict}`, {
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
      },
    }),
  );
}
