/**
 * Scheduling a region's services. `scheduleDag` starts each service as soon as its own
 * dependencies are done and a concurrency slot is free (the way Switchyard runs them);
 * `schedulePhases` runs topological levels behind barriers (the way phase-based scripts do),
 * for comparison. Both are event simulations over heaps: O((V + E) log V). They expect a
 * validated graph: a duplicate id, an unknown dependency or a cycle is a programming error.
 */
import { laneCount } from '../plan/resolve';
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

export interface PhaseSchedule extends Schedule {
  /** Task ids by topological level, each in declaration order. */
  phases: string[][];
}

export interface CriticalPath {
  ids: string[];
  seconds: number;
}

/**
 * Tasks by position, dependencies and dependents as positions, and a topological order:
 * the form every algorithm here works on, so that a region of thousands of services is
 * scheduled over arrays rather than string-keyed maps.
 */
interface TaskGraph {
  tasks: readonly Task[];
  /** `dependencies[i]`: positions task i depends on, as listed (duplicates kept). */
  dependencies: number[][];
  dependents: number[][];
  /** Kahn's algorithm, stable with respect to declaration order. */
  order: number[];
}

function indexTasks(tasks: readonly Task[]): TaskGraph {
  const position = new Map<string, number>();
  tasks.forEach((task, index) => {
    if (position.has(task.id)) throw new Error(`task "${task.id}" is listed twice`);
    position.set(task.id, index);
  });
  const dependencies = tasks.map((task) =>
    task.dependsOn.map((dependency) => {
      const index = position.get(dependency);
      if (index === undefined)
        throw new Error(`task "${task.id}" depends on "${dependency}", which is not one of the tasks`);
      return index;
    }),
  );
  const dependents: number[][] = tasks.map(() => []);
  dependencies.forEach((deps, index) => {
    for (const dep of deps) dependents[dep]!.push(index);
  });
  const remaining = dependencies.map((deps) => deps.length);
  const order: number[] = [];
  remaining.forEach((count, index) => {
    if (count === 0) order.push(index);
  });
  for (let head = 0; head < order.length; head++) {
    for (const dependent of dependents[order[head]!]!) {
      if (--remaining[dependent]! === 0) order.push(dependent);
    }
  }
  if (order.length < tasks.length) {
    const stuck = tasks.filter((_, index) => remaining[index]! > 0).map((task) => task.id);
    throw new Error(`tasks form a dependency cycle (validate the plan first): ${stuck.join(', ')}`);
  }
  return { tasks, dependencies, dependents, order };
}

/** The longest chain of dependencies by duration: no schedule can be shorter. */
export function criticalPath(tasks: readonly Task[]): CriticalPath {
  return criticalPathOf(indexTasks(tasks));
}

function criticalPathOf({ tasks, dependencies, order }: TaskGraph): CriticalPath {
  const finish = new Float64Array(tasks.length);
  const via = new Int32Array(tasks.length).fill(-1);
  let last = -1;
  for (const index of order) {
    let start = 0;
    let through = -1;
    for (const dep of dependencies[index]!) {
      if (through === -1 || finish[dep]! > start) {
        start = finish[dep]!;
        through = dep;
      }
    }
    finish[index] = start + tasks[index]!.durationSeconds;
    via[index] = through;
    if (last === -1 || finish[index]! > finish[last]!) last = index;
  }
  const ids: string[] = [];
  for (let node = last; node !== -1; node = via[node]!) ids.push(tasks[node]!.id);
  return { ids: ids.reverse(), seconds: last === -1 ? 0 : finish[last]! };
}

/** Remaining work from each task's start to the end of the graph: the list-scheduling priority. */
export function bottomLevels(tasks: readonly Task[]): Map<string, number> {
  const levels = bottomLevelsOf(indexTasks(tasks));
  return new Map(tasks.map((task, index) => [task.id, levels[index]!]));
}

function bottomLevelsOf({ tasks, dependents, order }: TaskGraph): Float64Array {
  const level = new Float64Array(tasks.length);
  for (let i = order.length - 1; i >= 0; i--) {
    const index = order[i]!;
    let tail = 0;
    for (const dependent of dependents[index]!) tail = Math.max(tail, level[dependent]!);
    level[index] = tail + tasks[index]!.durationSeconds;
  }
  return level;
}

export function scheduleDag(tasks: readonly Task[], concurrency: number): Schedule {
  const graph = indexTasks(tasks);
  return listSchedule(graph, bottomLevelsOf(graph), concurrency);
}

/** The DAG schedule, the phase-barrier schedule and the critical path of one region, indexed once. */
export function scheduleRegion(
  tasks: readonly Task[],
  concurrency: number,
): { dag: Schedule; phases: PhaseSchedule; critical: CriticalPath } {
  const graph = indexTasks(tasks);
  return {
    dag: listSchedule(graph, bottomLevelsOf(graph), concurrency),
    phases: phasesOf(graph, concurrency),
    critical: criticalPathOf(graph),
  };
}

/**
 * Event simulation: whenever a slot is free, start the ready task with the highest priority;
 * declaration order breaks ties so schedules are deterministic.
 */
function listSchedule(
  { tasks, dependencies, dependents }: TaskGraph,
  priority: Float64Array,
  concurrency: number,
): Schedule {
  const waitingOn = Int32Array.from(dependencies, (deps) => deps.length);
  const endAt = new Float64Array(tasks.length);
  const slotOf = new Int32Array(tasks.length);
  const ready = new MinHeap<number>((a, b) =>
    priority[a] !== priority[b] ? priority[a]! > priority[b]! : a < b,
  );
  const running = new MinHeap<number>((a, b) => (endAt[a] !== endAt[b] ? endAt[a]! < endAt[b]! : a < b));
  const freeSlots = new MinHeap<number>((a, b) => a < b);
  for (let slot = 0; slot < laneCount(concurrency, tasks.length); slot++) freeSlots.push(slot);
  for (let index = 0; index < tasks.length; index++) if (waitingOn[index] === 0) ready.push(index);
  const scheduled: ScheduledTask[] = [];
  let now = 0;

  while (ready.size > 0 || running.size > 0) {
    while (ready.size > 0 && freeSlots.size > 0) {
      const index = ready.pop()!;
      const slot = freeSlots.pop()!;
      endAt[index] = now + tasks[index]!.durationSeconds;
      slotOf[index] = slot;
      running.push(index);
      scheduled.push({ id: tasks[index]!.id, startSeconds: now, endSeconds: endAt[index]!, slot });
    }
    const done = running.pop();
    if (done === undefined) break;
    now = endAt[done]!;
    // Everything ending now frees its slot and its dependents before the next start.
    for (let finished: number | undefined = done; finished !== undefined; ) {
      freeSlots.push(slotOf[finished]!);
      for (const dependent of dependents[finished]!) if (--waitingOn[dependent]! === 0) ready.push(dependent);
      finished = running.size > 0 && endAt[running.peek()!] === now ? running.pop() : undefined;
    }
  }
  return { tasks: scheduled, makespanSeconds: now };
}

/** Topological levels run one after another; within a level, longest first, bounded. */
export function schedulePhases(tasks: readonly Task[], concurrency: number): PhaseSchedule {
  return phasesOf(indexTasks(tasks), concurrency);
}

function phasesOf({ tasks, dependencies, order }: TaskGraph, concurrency: number): PhaseSchedule {
  const levels = new Int32Array(tasks.length);
  for (const index of order) {
    let level = 0;
    for (const dep of dependencies[index]!) level = Math.max(level, levels[dep]! + 1);
    levels[index] = level;
  }
  const phaseMembers: number[][] = [];
  levels.forEach((level, index) => {
    const members = phaseMembers[level];
    if (members) members.push(index);
    else phaseMembers[level] = [index];
  });
  const scheduled: ScheduledTask[] = [];
  let phaseStart = 0;
  for (const members of phaseMembers) {
    // Nothing in a phase depends on anything else in it, so list scheduling reduces to: longest
    // first (declaration order on ties), each onto the slot that frees first (lowest on ties).
    const longestFirst = [...members].sort(
      (a, b) => tasks[b]!.durationSeconds - tasks[a]!.durationSeconds || a - b,
    );
    const slots = new MinHeap<{ slot: number; freeAt: number }>((a, b) =>
      a.freeAt !== b.freeAt ? a.freeAt < b.freeAt : a.slot < b.slot,
    );
    for (let slot = 0; slot < laneCount(concurrency, members.length); slot++)
      slots.push({ slot, freeAt: phaseStart });
    let phaseEnd = phaseStart;
    for (const index of longestFirst) {
      const lane = slots.pop()!;
      const endSeconds = lane.freeAt + tasks[index]!.durationSeconds;
      scheduled.push({ id: tasks[index]!.id, startSeconds: lane.freeAt, endSeconds, slot: lane.slot });
      slots.push({ slot: lane.slot, freeAt: endSeconds });
      phaseEnd = Math.max(phaseEnd, endSeconds);
    }
    phaseStart = phaseEnd;
  }
  return {
    tasks: scheduled,
    makespanSeconds: phaseStart,
    phases: phaseMembers.map((members) => members.map((index) => tasks[index]!.id)),
  };
}
