/**
 * What a release will do before it does it: per wave and region, when each service starts and
 * ends, the critical path, the same plan behind phase barriers for comparison, and what the
 * Step Functions executions will cost.
 */

import { abortLimits } from '../abort-alarm';
import { ALIAS_TARGET_TTL_SECONDS } from '../dns-names';
import { DNS_SYNC_POLLS_ESTIMATE, type DrainSettings, drainSettings, drainWaitSeconds } from '../drain';
import { laneCount, type ResolvedPlan, seconds } from '../plan/resolve';
import { estimateStepSeconds, type RolloutStep, rolloutSteps } from '../strategy';
import { trafficTarget } from '../targets';
import { type ExecutionCost, estimateExecutionCost } from './cost';
import { scheduleDag, scheduleRegion, type Task } from './schedule';
import { type DynamoDbCost, estimateStoreCost, laneWaits, storedPlanBytes } from './store-cost';

export interface ServicePreview {
  name: string;
  strategy: string;
  steps: number;
  approvals: number;
  durationSeconds: number;
  startSeconds: number;
  endSeconds: number;
  slot: number;
  critical: boolean;
}

export interface RegionPreview {
  region: string;
  cluster: string;
  concurrency: number;
  order: string[];
  services: ServicePreview[];
  criticalPath: { services: string[]; seconds: number };
  dagSeconds: number;
  phaseBarrier: { seconds: number; phases: string[][] };
  /** The region's drain around its services (`drain` in the plan); absent when not drained. */
  drain?: DrainPreview;
}

/**
 * A drained region's waits: before its first service (the other regions scaled up, its weight
 * at 0, INSYNC, the record's TTL) and after its last (the restore steps, INSYNC and the TTL of
 * the last, before the other regions scale back). The region's services start after `beforeSeconds`.
 */
export interface DrainPreview {
  beforeSeconds: number;
  afterSeconds: number;
  restoreSteps: number[];
  restoreIntervalSeconds: number;
  /** The record's TTL the waits assume; the release reads the real one from the record. */
  assumedTtlSeconds: number;
}

export interface WavePreview {
  wave: number;
  startSeconds: number;
  endSeconds: number;
  bakeAfterSeconds: number;
  regions: RegionPreview[];
}

export interface BaselinePreview {
  description: string;
  phases: string[][];
  /** The baseline's phases run under this plan's strategies and estimates, in its first region. */
  seconds: number;
  statedEstimate?: { minSeconds: number; maxSeconds: number };
}

export interface ReleasePreview {
  releaseId: string;
  waves: WavePreview[];
  totals: {
    services: number;
    serviceRollouts: number;
    /** DAG scheduling, bounded by each region's concurrency: what Switchyard does. */
    makespanSeconds: number;
    /** The lower bound: each wave's longest regional critical path, plus bakes. */
    criticalPathSeconds: number;
    /** The same plan with topological levels behind barriers. */
    phaseBarrierSeconds: number;
    /** After the last wave: how long the release stays MONITORING, holding the lock (0: no window). */
    rollbackWindowSeconds: number;
    approvals: number;
    /** The release's DynamoDB requests on the on-demand table, from store-cost.ts's per-handler model. */
    dynamoDb: DynamoDbCost & {
      costUsd: number;
      storeCalls: number;
      storeCallsByMethod: Record<string, number>;
    };
  } & ExecutionCost;
  baseline?: BaselinePreview;
  /**
   * Services whose rollbacks return traffic in a ramp, and the most time it adds to a rollback
   * (a canary at 100 % held at each non-zero step); absent when none has one. The preview has no
   * rollback schedule of its own: a rollback happens only when something fails.
   */
  rollbackRamps?: RollbackRampPreview[];
}

export interface RollbackRampPreview {
  service: string;
  steps: number[];
  intervalSeconds: number;
  mostAddedSeconds: number;
}

/** Options the planner's estimates depend on; the plan supplies the defaults. */
export interface PreviewOptions {
  stepRolloutEstimateSeconds?: number;
}

export function previewRelease(plan: ResolvedPlan, options: PreviewOptions = {}): ReleasePreview {
  const rolloutEstimate = options.stepRolloutEstimateSeconds ?? plan.stepRolloutEstimateSeconds;
  const stepsByService = new Map([...plan.services].map(([name, service]) => [name, rolloutSteps(service)]));
  // Once per service, not once per region: a fleet of thousands is previewed in every region.
  const durationByService = new Map(
    [...stepsByService].map(([name, steps]) => [
      name,
      steps.reduce((sum, step) => sum + estimateStepSeconds(step, rolloutEstimate), 0),
    ]),
  );
  const durationOf = (name: string) => durationByService.get(name) ?? 0;
  const tasksFor = (names: readonly string[]): Task[] => {
    const included = new Set(names);
    return names.map((name) => ({
      id: name,
      durationSeconds: durationOf(name),
      dependsOn: plan.services.get(name)!.dependsOn.filter((dependency) => included.has(dependency)),
    }));
  };

  const waves: WavePreview[] = [];
  let clock = 0;
  let criticalTotal = 0;
  let phaseTotal = 0;
  const waitsByRegion = new Map<string, number>();
  plan.waves.forEach(({ wave, regions }, waveIndex) => {
    const regionPreviews = regions.map((region): RegionPreview => {
      const drain = region.drain && drainPreview(drainSettings(region.drain), rolloutEstimate);
      const start = clock + (drain?.beforeSeconds ?? 0);
      const tasks = tasksFor(region.services);
      const { dag, phases, critical } = scheduleRegion(tasks, region.concurrency);
      const onPath = new Set(critical.ids);
      const startById = new Map(dag.tasks.map((task) => [task.id, task]));
      waitsByRegion.set(
        region.name,
        laneWaits(dag.tasks, laneCount(region.concurrency, region.services.length)),
      );
      return {
        region: region.name,
        cluster: region.cluster,
        concurrency: region.concurrency,
        order: dag.tasks.map((task) => task.id),
        services: region.services.map((name) => {
          const scheduled = startById.get(name)!;
          const steps = stepsByService.get(name) ?? [];
          return {
            name,
            strategy: plan.services.get(name)!.strategy.type,
            steps: steps.length,
            approvals: countApprovals(steps),
            durationSeconds: scheduled.endSeconds - scheduled.startSeconds,
            startSeconds: start + scheduled.startSeconds,
            endSeconds: start + scheduled.endSeconds,
            slot: scheduled.slot,
            critical: onPath.has(name),
          };
        }),
        criticalPath: { services: critical.ids, seconds: critical.seconds },
        dagSeconds: dag.makespanSeconds,
        phaseBarrier: { seconds: phases.makespanSeconds, phases: phases.phases },
        ...(drain && { drain }),
      };
    });
    // A drain's waits come before and after the region's services, whichever schedule runs them.
    const drainSeconds = (region: RegionPreview) =>
      region.drain ? region.drain.beforeSeconds + region.drain.afterSeconds : 0;
    const span = Math.max(0, ...regionPreviews.map((region) => region.dagSeconds + drainSeconds(region)));
    const bake = waveIndex < plan.waves.length - 1 ? plan.waveBakeSeconds : 0;
    waves.push({
      wave,
      startSeconds: clock,
      endSeconds: clock + span,
      bakeAfterSeconds: bake,
      regions: regionPreviews,
    });
    clock += span + bake;
    criticalTotal +=
      Math.max(0, ...regionPreviews.map((region) => region.criticalPath.seconds + drainSeconds(region))) +
      bake;
    phaseTotal +=
      Math.max(0, ...regionPreviews.map((region) => region.phaseBarrier.seconds + drainSeconds(region))) +
      bake;
  });

  const serviceRollouts = plan.regions.reduce((sum, region) => sum + region.services.length, 0);
  const cost = estimateExecutionCost(
    plan.regions.map((region) => ({
      concurrency: region.concurrency,
      services: region.services.map((name) => stepsByService.get(name) ?? []),
      waits: waitsByRegion.get(region.name) ?? 0,
      ...drainCost(region),
    })),
    plan.waves.length,
    plan.rollbackWindowSeconds > 0,
  );
  const analysisAlarms = new Set(
    [...plan.services.values()].flatMap((service) =>
      (service.analysis?.checks ?? []).flatMap((check) =>
        check.type === 'cloudwatchAlarms' ? check.alarmNames : [],
      ),
    ),
  );
  const store = estimateStoreCost({
    regions: plan.regions.map((region) => ({
      wave: region.wave,
      lanes: laneCount(region.concurrency, region.services.length),
      waits: waitsByRegion.get(region.name) ?? 0,
      ...drainCost(region),
      services: region.services.map((name) => {
        const service = plan.services.get(name)!;
        return {
          steps: stepsByService.get(name) ?? [],
          withTraffic: service.traffic.type !== 'replicaRatio',
          abortAlarm: abortLimits(service) !== undefined && trafficTarget(region, service) !== undefined,
        };
      }),
    })),
    waves: plan.waves.length,
    rollbackWindow: plan.rollbackWindowSeconds > 0,
    // Each canary's own alarm per region, the alarms analyses name, the release's rollback
    // alarms (handlers/release.ts).
    alarms: serviceRollouts + analysisAlarms.size + (plan.source.rollbackAlarms?.length ?? 0),
    planBytes: storedPlanBytes(plan.source),
  });
  const preview: ReleasePreview = {
    releaseId: plan.releaseId,
    waves,
    totals: {
      services: plan.services.size,
      serviceRollouts,
      makespanSeconds: clock,
      criticalPathSeconds: criticalTotal,
      phaseBarrierSeconds: phaseTotal,
      rollbackWindowSeconds: plan.rollbackWindowSeconds,
      approvals: waves
        .flatMap((wave) => wave.regions.flatMap((region) => region.services))
        .reduce((sum, service) => sum + service.approvals, 0),
      ...cost,
      dynamoDb: {
        storeCalls: store.storeCalls.total,
        storeCallsByMethod: store.storeCalls.byMethod,
        readRequests: store.readRequests,
        writeRequests: store.writeRequests,
        readUnits: store.readUnits,
        writeUnits: store.writeUnits,
        costUsd: store.costUsd,
      },
    },
  };
  const baseline = plan.source.baseline;
  if (baseline) {
    const firstRegion = plan.regions[0]!;
    const baselineSeconds = baseline.phases.reduce((sum, phase) => {
      const phaseTasks = tasksFor(phase.filter((name) => plan.services.has(name))).map((task) => ({
        ...task,
        dependsOn: [],
      }));
      return sum + scheduleDag(phaseTasks, firstRegion.concurrency).makespanSeconds;
    }, 0);
    preview.baseline = {
      description: baseline.description,
      phases: baseline.phases,
      seconds: baselineSeconds,
      ...(baseline.estimate && {
        statedEstimate: {
          minSeconds: seconds(baseline.estimate.min),
          maxSeconds: seconds(baseline.estimate.max),
        },
      }),
    };
  }
  const ramps = rollbackRamps(plan);
  if (ramps.length > 0) preview.rollbackRamps = ramps;
  return preview;
}

/**
 * A drain's waits as the planner counts them: the other regions' scale-up takes one rollout
 * estimate, then INSYNC and the TTL; after the services, the restore steps, INSYNC and the TTL.
 */
/** What a drained region's states and calls are counted from (cost.ts, store-cost.ts). */
function drainCost(region: ResolvedPlan['regions'][number]) {
  if (!region.drain) return {};
  const restoreSteps = drainSettings(region.drain).restoreSteps.length;
  return { drain: { restoreSteps, syncPolls: DNS_SYNC_POLLS_ESTIMATE } };
}

function drainPreview(settings: DrainSettings, rolloutEstimateSeconds: number): DrainPreview {
  const waits = drainWaitSeconds(settings, ALIAS_TARGET_TTL_SECONDS);
  return {
    beforeSeconds: rolloutEstimateSeconds + waits.inSync + waits.ttl,
    afterSeconds: waits.restore + waits.inSync + waits.ttl,
    restoreSteps: settings.restoreSteps,
    restoreIntervalSeconds: settings.restoreIntervalSeconds,
    assumedTtlSeconds: ALIAS_TARGET_TTL_SECONDS,
  };
}

function rollbackRamps(plan: ResolvedPlan): RollbackRampPreview[] {
  return [...plan.services.values()].flatMap(({ name, rollbackRamp }) =>
    rollbackRamp
      ? [
          {
            service: name,
            steps: rollbackRamp.steps,
            intervalSeconds: rollbackRamp.intervalSeconds,
            mostAddedSeconds:
              rollbackRamp.steps.filter((weight) => weight > 0).length * rollbackRamp.intervalSeconds,
          },
        ]
      : [],
  );
}

function countApprovals(steps: readonly RolloutStep[]): number {
  return steps.filter((step) => step.kind === 'approval').length;
}
