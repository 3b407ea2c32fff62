/** The rehearsal's figures computed from its executions and audit (counters in RehearsalResult). */
import { serviceRolloutName } from '../lambdas/core/naming';
import type { ResolvedPlan } from '../lambdas/core/plan/resolve';
import { criticalPath } from '../lambdas/core/planner/schedule';
import type { CallTrace } from './call-trace';
import { canaryStepStates } from './engine/asl-states';
import type { AslDefinition } from './engine/asl-support';
import { rollbackTiming, type TimedEntry } from './rollback-timing';

/** From what set the rollback off to every touched service verified back (rollback-timing.ts). */
export function timeToRollback(audit: readonly TimedEntry[]): { timeToRollbackSeconds?: number } {
  const seconds = rollbackTiming(audit)?.timeToRollbackSeconds;
  return seconds === undefined ? {} : { timeToRollbackSeconds: seconds };
}

/** Waves in order, each as long as its slowest region's dependency chain of measured rollouts, plus bakes. */
export function measuredCriticalPath(
  plan: ResolvedPlan,
  executions: ReadonlyArray<{ machine: string; name: string; startDate: Date; stopDate?: Date }>,
): number {
  const took = new Map(
    executions
      .filter((execution) => execution.machine === 'serviceRollout' && execution.stopDate)
      .map((execution) => [
        execution.name,
        (execution.stopDate!.getTime() - execution.startDate.getTime()) / 1000,
      ]),
  );
  let total = 0;
  plan.waves.forEach(({ regions }, index) => {
    const longest = regions.map((region) => {
      const included = new Set(region.services);
      const tasks = region.services.map((service) => ({
        id: service,
        durationSeconds: took.get(serviceRolloutName(plan.releaseId, region.name, service)) ?? 0,
        dependsOn: plan.services.get(service)!.dependsOn.filter((dependency) => included.has(dependency)),
      }));
      return criticalPath(tasks).seconds;
    });
    total += Math.max(0, ...longest) + (index < plan.waves.length - 1 ? plan.waveBakeSeconds : 0);
  });
  return total;
}

export function canaryStepTransitions(
  plan: ResolvedPlan,
  executions: ReadonlyArray<{
    machine: string;
    name: string;
    status: string;
    history: { byState: Map<string, number> };
  }>,
  serviceRollout: AslDefinition,
): { canaryTransitionsPerStep?: number } {
  const canaryStates = canaryStepStates(serviceRollout);
  let transitions = 0;
  let steps = 0;
  for (const region of plan.regions) {
    for (const service of region.services) {
      const strategy = plan.services.get(service)!.strategy;
      if (strategy.type !== 'canary') continue;
      const name = serviceRolloutName(plan.releaseId, region.name, service);
      const execution = executions.find((entry) => entry.machine === 'serviceRollout' && entry.name === name);
      if (execution?.status !== 'SUCCEEDED') continue;
      for (const state of canaryStates) transitions += execution.history.byState.get(state) ?? 0;
      steps += strategy.steps.filter((step) => 'setWeight' in step).length;
    }
  }
  return steps === 0 ? {} : { canaryTransitionsPerStep: Math.round((transitions / steps) * 10) / 10 };
}

/** The alarm path's calls from the event to traffic back on stable (RehearsalResult counters). */
export interface AlarmPathCalls {
  alarmName: string;
  /** Calls one after another up to the write that put traffic on stable; parallel calls count once. */
  sequentialCalls: number;
  /** Each sequential step's calls (`service:Operation`), the write last. */
  calls: string[][];
}

/** A write that moves a load balancer's weights. */
const TRAFFIC_WRITES: ReadonlySet<string> = new Set([
  'elasticloadbalancing:ModifyRule',
  'elasticloadbalancing:ModifyListener',
]);

/** From the first alarm handler invocation that wrote traffic weights (call-trace.ts). */
export function alarmPathCalls(traces: ReadonlyArray<{ alarmName: string; trace: CallTrace }>): {
  alarmPath?: AlarmPathCalls;
} {
  for (const { alarmName, trace } of traces) {
    const write = trace.calls.find((call) => TRAFFIC_WRITES.has(call.name));
    if (!write) continue;
    const calls: string[][] = [];
    for (let level = 1; level < write.level; level++)
      calls.push(
        trace.calls
          .filter((call) => call.level === level && call.started < write.started)
          .map((call) => call.name)
          .sort(),
      );
    calls.push([write.name]);
    return { alarmPath: { alarmName, sequentialCalls: write.level, calls } };
  }
  return {};
}
