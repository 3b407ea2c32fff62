/**
 * Every strategy compiles to one list of rollout steps, run by the service-rollout state
 * machine one index at a time and estimated by the planner from the same list. Canary,
 * blue-green and rolling all drive a stable and a canary Deployment; recreate drives stable only.
 */
import { metricWaitEstimateSeconds } from './metric-window';
import { MAX_ROLLING_BATCHES } from './plan/limits';
import { analysisSeconds, type ResolvedService, seconds } from './plan/resolve';
import { readsTargetGroupMetrics } from './plan/schema-analysis';

export type RolloutStep =
  /** Canary Deployment at `canaryReplicaPercent` of stable's replicas, traffic at `weight` %. */
  | { kind: 'setWeight'; weight: number; canaryReplicaPercent: number; scaleDownStable: boolean }
  | { kind: 'pause'; seconds: number }
  | { kind: 'approval'; timeoutSeconds: number; reason: string }
  /**
   * Analysis for `seconds`; `metrics` when it compares the target groups' CloudWatch metrics, read
   * at `intervalSeconds` once they are published (see metric-window.ts).
   */
  | { kind: 'analysis'; seconds: number; metrics?: { intervalSeconds: number } }
  /** Stop the old version, then start the new one: no two versions side by side. */
  | { kind: 'recreate' }
  /** Stable takes the new image and 100 % of traffic; the canary scales to zero. */
  | { kind: 'promote' };

export type StepKind = RolloutStep['kind'];

export function rolloutSteps(service: ResolvedService): RolloutStep[] {
  const steps = strategySteps(service);
  const compares =
    service.traffic.type !== 'replicaRatio' && (service.analysis?.checks ?? []).some(readsTargetGroupMetrics);
  if (!compares) return steps;
  const intervalSeconds = seconds(service.analysis!.interval);
  // An analysis compares metrics only once the new version takes traffic (not a blue-green preview).
  let lastWeight: number | undefined;
  return steps.map((step) => {
    if (step.kind === 'setWeight') lastWeight = step.weight;
    return step.kind === 'analysis' && (lastWeight === undefined || lastWeight > 0)
      ? { ...step, metrics: { intervalSeconds } }
      : step;
  });
}

function strategySteps(service: ResolvedService): RolloutStep[] {
  const strategy = service.strategy;
  const analysis = service.analysis;
  const analyse = (override?: { duration?: string; count?: number }): RolloutStep[] =>
    analysis ? [{ kind: 'analysis', seconds: analysisSeconds(analysis, override) }] : [];
  switch (strategy.type) {
    case 'canary': {
      const steps: RolloutStep[] = strategy.steps.flatMap((step): RolloutStep[] => {
        if ('setWeight' in step) {
          return [
            {
              kind: 'setWeight',
              weight: step.setWeight,
              canaryReplicaPercent: step.setWeight,
              scaleDownStable: false,
            },
          ];
        }
        if ('analysis' in step) return analyse(step.analysis);
        if ('duration' in step.pause) return [{ kind: 'pause', seconds: seconds(step.pause.duration) }];
        return [{ kind: 'approval', timeoutSeconds: seconds(step.pause.timeout), reason: 'canary pause' }];
      });
      return [...steps, { kind: 'promote' }];
    }
    case 'blueGreen':
      return [
        { kind: 'setWeight', weight: 0, canaryReplicaPercent: 100, scaleDownStable: false },
        ...(strategy.previewAnalysis ? analyse() : []),
        strategy.autoPromotionDelay
          ? { kind: 'pause', seconds: seconds(strategy.autoPromotionDelay) }
          : { kind: 'approval', timeoutSeconds: 24 * 3600, reason: 'blue-green promotion' },
        { kind: 'setWeight', weight: 100, canaryReplicaPercent: 100, scaleDownStable: false },
        { kind: 'pause', seconds: seconds(strategy.scaleDownDelay) },
        { kind: 'promote' },
      ];
    case 'rolling': {
      const batches = rollingBatchPercents(strategy.batch, service.replicas);
      return [
        ...batches.flatMap((percent, index): RolloutStep[] => [
          { kind: 'setWeight', weight: percent, canaryReplicaPercent: percent, scaleDownStable: true },
          ...(strategy.analysisPerBatch && index < batches.length - 1 ? analyse() : []),
        ]),
        ...(strategy.analysisPerBatch ? analyse() : []),
        { kind: 'promote' },
      ];
    }
    case 'recreate':
      return [{ kind: 'recreate' }];
  }
}

/** How many batches a rolling update takes: validation refuses more than MAX_ROLLING_BATCHES. */
export function rollingBatchCount(batch: { size: number } | { percent: number }, replicas = 3): number {
  return 'percent' in batch
    ? Math.ceil(100 / batch.percent)
    : Math.max(1, Math.ceil(Math.max(replicas, 1) / batch.size));
}

/** Cumulative percentages of replicas updated after each rolling batch, ending at 100; rounded down, so the replicas they give never outrun the batch size. */
export function rollingBatchPercents(batch: { size: number } | { percent: number }, replicas = 3): number[] {
  // Whole percentages: past 100 batches they would repeat, so no more are made, whatever the input.
  const count = Math.min(rollingBatchCount(batch, replicas), MAX_ROLLING_BATCHES);
  return Array.from({ length: count }, (_, index) => Math.min(100, Math.floor(((index + 1) * 100) / count)));
}

/** Canary replicas for a traffic weight: ceil(total × weight / 100), at least 1 while weight > 0. */
export function canaryReplicas(totalReplicas: number, percent: number): number {
  if (percent <= 0) return 0;
  return Math.min(totalReplicas, Math.max(1, Math.ceil((totalReplicas * percent) / 100)));
}

/** Replicas of each side for a step: rolling scales stable down as canary grows; canary surges. */
export function replicasForStep(
  totalReplicas: number,
  step: Extract<RolloutStep, { kind: 'setWeight' }>,
): { stable: number; canary: number } {
  const canary = canaryReplicas(totalReplicas, step.canaryReplicaPercent);
  return { stable: step.scaleDownStable ? Math.max(0, totalReplicas - canary) : totalReplicas, canary };
}

/** Traffic weights for a service with no load balancer follow the replica ratio. */
export function replicaRatioWeights(replicas: { stable: number; canary: number }): {
  stable: number;
  canary: number;
} {
  const total = replicas.stable + replicas.canary;
  if (total === 0) return { stable: 100, canary: 0 };
  const canary = Math.round((replicas.canary * 100) / total);
  return { stable: 100 - canary, canary };
}

/** The planner's estimate of a service rollout: waits as written, actions at the rollout estimate. */
export function estimateStepSeconds(step: RolloutStep, rolloutEstimateSeconds: number): number {
  switch (step.kind) {
    case 'pause':
      return step.seconds;
    case 'analysis':
      return step.metrics
        ? metricWaitEstimateSeconds(step.seconds, step.metrics.intervalSeconds)
        : step.seconds;
    case 'approval':
      return 0;
    case 'recreate':
      return 2 * rolloutEstimateSeconds;
    default:
      return rolloutEstimateSeconds;
  }
}
