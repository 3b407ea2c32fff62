/**
 * The service-rollout state machine's payload between tasks: which rollout, which step, and how
 * long the next Wait state waits. The plan itself stays in the store.
 */
import { planMetricWindow } from './metric-window';
import type { RolloutStep } from './strategy';

export interface ServiceRolloutKey {
  releaseId: string;
  region: string;
  service: string;
}

export interface StepState extends ServiceRolloutKey {
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

/** The state at step `stepIndex` of `steps`, entered at `now`; past the last step it is `done`. */
export function stepState(
  steps: readonly RolloutStep[],
  key: ServiceRolloutKey,
  stepIndex: number,
  now: Date,
): StepState {
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

/** Steps that wait (an analysis window, a pause, an approval): the long gaps in a rollout. */
export function isWaitingStep(step: RolloutStep | undefined): boolean {
  return step?.kind === 'analysis' || step?.kind === 'pause' || step?.kind === 'approval';
}
