/**
 * Scheduling a region's services. `scheduleDag` starts each service as soon as its own
 * dependencies are done and a concurrency slot is free (the way Switchyard runs them);
 * `schedulePhases` runs topological levels behind barriers (the way phase-based scripts do),
 * for comparison. Both are event simulations over heaps: O((V + E) log V).
 */
import { dependentsOf, topologicalLevels, topologicalOrder } from '../graph';
import { MinHeap } from './heap';

export interface Task {
  id: string;
  durationSeconds: number;
  dependsOn: readonly string[];
}

export interface ScheduledTask {
  id: string;
  startSeconds: number;
  endSeconds: number;
  /** The concurrency slot it ran in, 0-based: a Gantt row. */
  slot: number;
}

export interface Schedule {
  tasks: ScheduledTask[];
  makespanSeconds: number;
}

export interface CriticalPath {
  ids: string[];
  seconds: number;
}

function dependencyMap(tasks: readonly Task[]): Map<string, readonly string[]> {
  return new Map(tasks.map((task) => [task.id, task.dependsOn]));
}

/** The longest chain of dependencies by duration: no schedule can be shorter. */
export function criticalPath(tasks: readonly Task[]): CriticalPath {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  let last: string | undefined;
  for (const id of topologicalOrder(dependencyMap(tasks))) {
    const task = byId.get(id)!;
    let start = 0;
    let through: string | undefined;
    for (const dep of task.dependsOn) {
      const end = finish.get(dep) ?? 0;
      if (through === undefined || end > start) {
        start = end;
        through = dep;
      }
    }
    finish.set(id, start + task.durationSeconds);
    via.set(id, through);
    if (last === undefined || finish.get(id)! > finish.get(last)!) last = id;
  }
  const ids: string[] = [];
  for (let node = last; node !== undefined; node = via.get(node)) ids.unshift(node);
  return { ids, seconds: last === undefined ? 0 : finish.get(last)! };
}

/** Remaining work from each task's start to the end of the graph: the list-scheduling priority. */
export function bottomLevels(
  tasks: readonly Task[],
  order: readonly string[] = topologicalOrder(dependencyMap(tasks)),
): Map<string, number> {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const dependents = dependentsOf(dependencyMap(tasks));
  const level = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let tail = 0;
    for (const dependent of dependents.get(id) ?? []) tail = Math.max(tail, level.get(dependent)!);
    level.set(id, tail + byId.get(id)!.durationSeconds);
  }
  return level;
}

export function scheduleDag(tasks: readonly Task[], concurrency: number): Schedule {
  const order = topologicalOrder(dependencyMap(tasks));
  const priority = bottomLevels(tasks, order);
  const position = new Map(tasks.map((task, index) => [task.id, index]));
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const waitingOn = new Map(tasks.map((task) => [task.id, task.dependsOn.length]));
  const dependents = dependentsOf(dependencyMap(tasks));

  // Most remaining work first; declaration order breaks ties so schedules are deterministic.
  const ready = new MinHeap<string>((a, b) => {
    const difference = priority.get(b)! - priority.get(a)!;
    return difference !== 0 ? difference < 0 : position.get(a)! < position.get(b)!;
  });
  const running = new MinHeap<ScheduledTask>((a, b) =>
    a.endSeconds !== b.endSeconds ? a.endSeconds < b.endSeconds : position.get(a.id)! < position.get(b.id)!,
  );
  for (const task of tasks) if (task.dependsOn.length === 0) ready.push(task.id);
  const freeSlots = Array.from({ length: Math.max(1, concurrency) }, (_, slot) => slot).reverse();
  const scheduled: ScheduledTask[] = [];
  let now = 0;

  while (ready.size > 0 || running.size > 0) {
    while (ready.size > 0 && freeSlots.length > 0) {
      const id = ready.pop()!;
      const entry = {
        id,
        startSeconds: now,
        endSeconds: now + byId.get(id)!.durationSeconds,
        slot: freeSlots.pop()!,
      };
      running.push(entry);
      scheduled.push(entry);
    }
    const done = running.pop();
    if (!done) break;
    now = done.endSeconds;
    const finished = [done];
    while (running.size > 0 && running.peek()!.endSeconds === now) finished.push(running.pop()!);
    for (const task of finished) {
      freeSlots.push(task.slot);
      for (const dependent of dependents.get(task.id) ?? []) {
        const left = waitingOn.get(dependent)! - 1;
        waitingOn.set(dependent, left);
        if (left === 0) ready.push(dependent);
      }
    }
    freeSlots.sort((a, b) => b - a);
  }
  return { tasks: scheduled, makespanSeconds: now };
}

/** Topological levels run one after another; within a level, longest first, bounded. */
export function schedulePhases(
  tasks: readonly Task[],
  concurrency: number,
): Schedule & { phases: string[][] } {
  const levels = topologicalLevels(dependencyMap(tasks));
  const phases: string[][] = [];
  for (const task of tasks) {
    const level = levels.get(task.id) ?? 0;
    phases[level] = [...(phases[level] ?? []), task.id];
  }
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const scheduled: ScheduledTask[] = [];
  let phaseStart = 0;
  for (const phase of phases) {
    const phaseTasks = phase.map((id) => ({
      id,
      durationSeconds: byId.get(id)!.durationSeconds,
      dependsOn: [],
    }));
    const inner = scheduleDag(phaseTasks, concurrency);
    for (const task of inner.tasks) {
      scheduled.push({
        ...task,
        startSeconds: task.startSeconds + phaseStart,
        endSeconds: task.endSeconds + phaseStart,
      });
    }
    phaseStart += inner.makespanSeconds;
  }
  return { tasks: scheduled, makespanSeconds: phaseStart, phases };
}
