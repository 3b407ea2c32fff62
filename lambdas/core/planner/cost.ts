/**
 * Step Functions cost and history size under Switchyard's execution layout:
 *
 *   release ─► region rollout (one per region) ─► service lane (one per concurrency slot)
 *           ─► service rollout (one per service and region)
 *
 * every level a child execution, so no single history grows with the size of the fleet beyond
 * one lane's share of one region. Standard workflows bill state transitions ($0.025 per 1,000);
 * a history holds at most 25,000 events. The per-state figures below are the shapes of the
 * ASL in statemachines/; the rehearsal counts the real numbers and the benchmark compares them.
 *
 * Lambda invocations are the Task states that invoke a handler (a `lambda:invoke.waitForTaskToken`
 * does; a `startExecution.sync` or a Wait state does not). Lambda bills $0.20 per million
 * requests; duration (GB-seconds at the stack's 512 MB, lib/switchyard.ts) is not included, as
 * it depends on each handler's AWS calls.
 */
import { laneCount } from '../plan/resolve';
import type { RolloutStep, StepKind } from '../strategy';

export const USD_PER_STATE_TRANSITION = 0.025 / 1000;
export const HISTORY_EVENT_LIMIT = 25_000;
export const USD_PER_LAMBDA_REQUEST = 0.2 / 1_000_000;

/** States entered, how many of them are Tasks, and how many of those invoke a Lambda, per piece. */
interface StateShape {
  transitions: number;
  tasks: number;
  lambdas: number;
}

// Which handlers each piece's Lambdas are, and their Store calls: store-cost.ts (PIECE_HANDLERS).
const SERVICE_ROLLOUT_FIXED: StateShape = { transitions: 9, tasks: 4, lambdas: 3 };
const STEP_SHAPES: Record<StepKind, StateShape> = {
  // Shift Traffic and a passing Run Analysis record their step done themselves: no Next Step.
  setWeight: { transitions: 4, tasks: 2, lambdas: 3 },
  analysis: { transitions: 4, tasks: 1, lambdas: 1 },
  pause: { transitions: 3, tasks: 1, lambdas: 1 },
  approval: { transitions: 4, tasks: 2, lambdas: 2 },
  recreate: { transitions: 5, tasks: 3, lambdas: 5 },
  promote: { transitions: 5, tasks: 3, lambdas: 5 },
};
const LANE_FIXED: StateShape = { transitions: 3, tasks: 1, lambdas: 1 };
const LANE_PER_SERVICE: StateShape = { transitions: 4, tasks: 3, lambdas: 2 };
/** Claim, its choice, and the parked wait (lambda:invoke.waitForTaskToken) until a wake-up. */
const LANE_PER_WAIT: StateShape = { transitions: 3, tasks: 2, lambdas: 2 };
// With the two Choices that ask whether the region is drained.
const REGION_FIXED: StateShape = { transitions: 10, tasks: 4, lambdas: 1 };
/**
 * A drained region's own states (region-rollout.asl.json): drain, verify the others, weight to 0,
 * verify the region, scale back, and the two TTL waits; each INSYNC poll is a Wait, a check and a
 * Choice; each restore step a Task and a Choice, with a Wait between steps.
 */
const DRAIN_FIXED: StateShape = { transitions: 7, tasks: 5, lambdas: 5 };
const DRAIN_PER_SYNC_POLL: StateShape = { transitions: 3, tasks: 1, lambdas: 1 };
const DRAIN_PER_RESTORE_STEP: StateShape = { transitions: 3, tasks: 1, lambdas: 1 };
const REGION_PER_LANE: StateShape = { transitions: 1, tasks: 1, lambdas: 0 };
// With Open Rollback Window and its Choice (every release, with a window or not).
const RELEASE_FIXED: StateShape = { transitions: 16, tasks: 8, lambdas: 6 };
/** A plan with a rollback window: the parked wait (lambda:invoke.waitForTaskToken) until it ends. */
const RELEASE_WINDOW: StateShape = { transitions: 1, tasks: 1, lambdas: 1 };
const RELEASE_PER_WAVE: StateShape = { transitions: 4, tasks: 1, lambdas: 1 };
const RELEASE_PER_REGION: StateShape = { transitions: 1, tasks: 1, lambdas: 0 };

/** The shapes by the piece names store-cost.ts uses: a test checks both agree on Lambdas. */
export const LAMBDA_INVOCATIONS_BY_PIECE = {
  releaseFixed: RELEASE_FIXED.lambdas,
  releaseWindow: RELEASE_WINDOW.lambdas,
  releasePerWave: RELEASE_PER_WAVE.lambdas,
  regionFixed: REGION_FIXED.lambdas,
  laneFixed: LANE_FIXED.lambdas,
  lanePerService: LANE_PER_SERVICE.lambdas,
  lanePerWait: LANE_PER_WAIT.lambdas,
  serviceRolloutFixed: SERVICE_ROLLOUT_FIXED.lambdas,
  drainFixed: DRAIN_FIXED.lambdas,
  drainPerSyncPoll: DRAIN_PER_SYNC_POLL.lambdas,
  drainPerRestoreStep: DRAIN_PER_RESTORE_STEP.lambdas,
  ...Object.fromEntries(Object.entries(STEP_SHAPES).map(([kind, shape]) => [kind, shape.lambdas])),
} as Record<string, number>;

/** A Task state writes ~5 events (entered, scheduled, started, succeeded, exited); others ~2. */
function historyEvents(shape: StateShape): number {
  return 2 + shape.transitions * 2 + shape.tasks * 3;
}

function add(...shapes: StateShape[]): StateShape {
  return shapes.reduce(
    (sum, shape) => ({
      transitions: sum.transitions + shape.transitions,
      tasks: sum.tasks + shape.tasks,
      lambdas: sum.lambdas + shape.lambdas,
    }),
    { transitions: 0, tasks: 0, lambdas: 0 },
  );
}

function times(shape: StateShape, count: number): StateShape {
  return {
    transitions: shape.transitions * count,
    tasks: shape.tasks * count,
    lambdas: shape.lambdas * count,
  };
}

export interface ExecutionCost {
  executions: number;
  stateTransitions: number;
  costUsd: number;
  /** The largest history of any single execution, against the 25,000-event limit. */
  maxHistoryEvents: number;
  /** Handler invocations by Task states; requests only (duration not included). */
  lambdaInvocations: number;
  lambdaCostUsd: number;
}

export function serviceRolloutShape(steps: readonly RolloutStep[]): StateShape {
  return add(SERVICE_ROLLOUT_FIXED, ...steps.map((step) => STEP_SHAPES[step.kind]));
}

export function estimateExecutionCost(
  regions: ReadonlyArray<{
    concurrency: number;
    services: ReadonlyArray<readonly RolloutStep[]>;
    /** Times a lane parks on a dependency (the preview's schedule); none when absent. */
    waits?: number;
    /** A drained region's restore steps and INSYNC polls per wait; absent when not drained. */
    drain?: { restoreSteps: number; syncPolls: number };
  }>,
  waveCount: number,
  /** Whether the plan has a rollback window (core/rollback-window.ts). */
  rollbackWindow = false,
): ExecutionCost {
  const release = add(
    RELEASE_FIXED,
    ...(rollbackWindow ? [RELEASE_WINDOW] : []),
    times(RELEASE_PER_WAVE, waveCount),
    times(RELEASE_PER_REGION, regions.length),
  );
  let transitions = release.transitions;
  let lambdas = release.lambdas;
  let executions = 1;
  let maxHistory = historyEvents(release);
  for (const region of regions) {
    const lanes = laneCount(region.concurrency, region.services.length);
    const { drain } = region;
    const regionShape = add(
      REGION_FIXED,
      times(REGION_PER_LANE, lanes),
      ...(drain
        ? [
            DRAIN_FIXED,
            times(DRAIN_PER_SYNC_POLL, 2 * drain.syncPolls),
            // No Wait after the last step.
            times(DRAIN_PER_RESTORE_STEP, drain.restoreSteps),
            { transitions: -1, tasks: 0, lambdas: 0 },
          ]
        : []),
    );
    transitions += regionShape.transitions;
    lambdas += regionShape.lambdas;
    maxHistory = Math.max(maxHistory, historyEvents(regionShape));
    // Lanes take services as they become ready; the busiest lane takes about an even share.
    const busiestLane = add(LANE_FIXED, times(LANE_PER_SERVICE, Math.ceil(region.services.length / lanes)));
    const laneShapes = add(
      times(LANE_FIXED, lanes),
      times(LANE_PER_SERVICE, region.services.length),
      times(LANE_PER_WAIT, region.waits ?? 0),
    );
    transitions += laneShapes.transitions;
    lambdas += laneShapes.lambdas;
    maxHistory = Math.max(maxHistory, historyEvents(busiestLane));
    for (const steps of region.services) {
      const shape = serviceRolloutShape(steps);
      transitions += shape.transitions;
      lambdas += shape.lambdas;
      maxHistory = Math.max(maxHistory, historyEvents(shape));
    }
    executions += 1 + lanes + region.services.length;
  }
  return {
    executions,
    stateTransitions: transitions,
    costUsd: Math.round(transitions * USD_PER_STATE_TRANSITION * 10_000) / 10_000,
    maxHistoryEvents: maxHistory,
    lambdaInvocations: lambdas,
    lambdaCostUsd: Math.round(lambdas * USD_PER_LAMBDA_REQUEST * 10_000) / 10_000,
  };
}
