/**
 * A validated plan with defaults applied: every service has its strategy, analysis and names,
 * and every region its service list and concurrency. The rest of the core reads only this.
 */
import { parseDuration } from '../duration';
import type {
  AnalysisPlan,
  RegionPlan,
  ReleasePlan,
  RollbackPlan,
  ServicePlan,
  StrategyPlan,
} from './schema';

export interface ResolvedService
  extends Omit<ServicePlan, 'strategy' | 'analysis' | 'deployment' | 'container' | 'rollback'> {
  deployment: string;
  container: string;
  strategy: StrategyPlan;
  analysis: AnalysisPlan | undefined;
  /** The ramp a rollback returns its traffic in; absent means at once. */
  rollbackRamp: RollbackRamp | undefined;
}

/** A rollback ramp in numbers: the canary weights to move through, and seconds between them. */
export interface RollbackRamp {
  steps: number[];
  intervalSeconds: number;
}

export interface ResolvedRegion extends Omit<RegionPlan, 'services' | 'concurrency' | 'rollbackWindow'> {
  services: string[];
  concurrency: number;
  /** After the last wave, how long this region's alarms still roll the release back (0: not at all). */
  rollbackWindowSeconds: number;
}

export interface ResolvedPlan {
  releaseId: string;
  source: ReleasePlan;
  services: Map<string, ResolvedService>;
  regions: ResolvedRegion[];
  /** Wave numbers ascending, each with its regions in declaration order. */
  waves: Array<{ wave: number; regions: ResolvedRegion[] }>;
  waveBakeSeconds: number;
  /** The longest region's rollback window: how long the release is MONITORING after its last wave. */
  rollbackWindowSeconds: number;
  stepRolloutEstimateSeconds: number;
}

export function resolvePlan(plan: ReleasePlan): ResolvedPlan {
  const services = new Map<string, ResolvedService>();
  for (const service of plan.services) {
    const strategy = service.strategy ?? plan.defaults.strategy;
    if (!strategy) throw new Error(`service ${service.name} has no strategy: validate the plan first`);
    services.set(service.name, {
      ...service,
      deployment: service.deployment ?? service.name,
      container: service.container ?? service.name,
      strategy,
      analysis: service.analysis ?? plan.defaults.analysis,
      rollbackRamp: rollbackRamp(service.rollback ?? plan.defaults.rollback),
    });
  }
  const regions = plan.regions.map(({ rollbackWindow, ...region }) => ({
    ...region,
    services: region.services ?? plan.services.map((service) => service.name),
    concurrency: region.concurrency ?? plan.defaults.concurrency,
    rollbackWindowSeconds: seconds(rollbackWindow ?? plan.waves.rollbackWindow),
  }));
  const waveNumbers = [...new Set(regions.map((region) => region.wave))].sort((a, b) => a - b);
  return {
    releaseId: plan.metadata.releaseId,
    source: plan,
    services,
    regions,
    waves: waveNumbers.map((wave) => ({ wave, regions: regions.filter((region) => region.wave === wave) })),
    waveBakeSeconds: seconds(plan.waves.bake),
    rollbackWindowSeconds: Math.max(0, ...regions.map((region) => region.rollbackWindowSeconds)),
    stepRolloutEstimateSeconds: seconds(plan.defaults.stepRolloutEstimate),
  };
}

/**
 * Service lanes a region runs: one per concurrency slot, but never more than it has services (and
 * at least one), so nothing is allocated or started by the concurrency alone.
 */
export function laneCount(concurrency: number, serviceCount: number): number {
  return Math.max(1, Math.min(concurrency, serviceCount));
}

function rollbackRamp(rollback: RollbackPlan | undefined): RollbackRamp | undefined {
  const ramp = rollback?.ramp;
  return ramp && { steps: ramp.steps, intervalSeconds: seconds(ramp.interval) };
}

/** Durations in a validated plan always parse. */
export function seconds(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new Error(`not a duration: ${duration}`);
  return value;
}

/** How long one analysis runs: its duration, or count × interval; a step may override either. */
export function analysisSeconds(
  analysis: AnalysisPlan,
  override?: { duration?: string; count?: number },
): number {
  if (override?.duration) return seconds(override.duration);
  const count = override?.count ?? analysis.count;
  if (count !== undefined) return count * seconds(analysis.interval);
  return seconds(analysis.duration ?? analysis.interval);
}
