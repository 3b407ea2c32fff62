/** Properties of the schedulers on random DAGs with random durations and concurrency 1..8. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  criticalPath,
  type Schedule,
  scheduleDag,
  schedulePhases,
  type Task,
} from '../../../lambdas/core/planner/schedule';

/** Up to 40 tasks declared in random order, each depending only on tasks "earlier" in a hidden order. */
const randomTasks = fc
  .integer({ min: 1, max: 40 })
  .chain((size) =>
    fc.record({
      durations: fc.array(fc.integer({ min: 1, max: 3600 }), { minLength: size, maxLength: size }),
      edges: fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: size * 3 }),
      declaration: fc.shuffledSubarray([...Array(size).keys()], { minLength: size, maxLength: size }),
    }),
  )
  .map(({ durations, edges, declaration }): Task[] => {
    const dependsOn = durations.map(() => new Set<string>());
    for (const [a, b] of edges) if (a !== b) dependsOn[Math.max(a, b)]!.add(`s${Math.min(a, b)}`);
    return declaration.map((index) => ({
      id: `s${index}`,
      durationSeconds: durations[index]!,
      dependsOn: [...dependsOn[index]!],
    }));
  });

const concurrencies = fc.integer({ min: 1, max: 8 });

function expectValidSchedule(tasks: readonly Task[], schedule: Schedule, concurrency: number): void {
  // Every task exactly once, for exactly its duration.
  expect(schedule.tasks.map((t) => t.id).sort()).toEqual(tasks.map((t) => t.id).sort());
  const byId = new Map(schedule.tasks.map((t) => [t.id, t]));
  for (const task of tasks) {
    const scheduled = byId.get(task.id)!;
    expect(scheduled.endSeconds - scheduled.startSeconds).toBe(task.durationSeconds);
    // Never before all its dependencies have ended.
    for (const dependency of task.dependsOn) {
      expect(scheduled.startSeconds).toBeGreaterThanOrEqual(byId.get(dependency)!.endSeconds);
    }
  }
  // At no moment more than `concurrency` running: at each start, count what runs then.
  for (const { startSeconds } of schedule.tasks) {
    const running = schedule.tasks.filter(
      (t) => t.startSeconds <= startSeconds && startSeconds < t.endSeconds,
    );
    expect(running.length).toBeLessThanOrEqual(concurrency);
  }
  // Slots are real lanes: in range, and a lane runs one task at a time.
  for (const a of schedule.tasks) {
    expect(a.slot).toBeGreaterThanOrEqual(0);
    expect(a.slot).toBeLessThan(concurrency);
    for (const b of schedule.tasks) {
      if (a !== b && a.slot === b.slot) {
        expect(a.endSeconds <= b.startSeconds || b.endSeconds <= a.startSeconds).toBe(true);
      }
    }
  }
  expect(schedule.makespanSeconds).toBe(Math.max(0, ...schedule.tasks.map((t) => t.endSeconds)));
}

describe('scheduleDag on random DAGs', () => {
  it('respects dependencies and concurrency, and schedules every service once', () => {
    fc.assert(
      fc.property(randomTasks, concurrencies, (tasks, concurrency) => {
        expectValidSchedule(tasks, scheduleDag(tasks, concurrency), concurrency);
      }),
    );
  });

  it('takes at least the critical path and at most the sum of durations', () => {
    fc.assert(
      fc.property(randomTasks, concurrencies, (tasks, concurrency) => {
        const { makespanSeconds } = scheduleDag(tasks, concurrency);
        expect(makespanSeconds).toBeGreaterThanOrEqual(criticalPath(tasks).seconds);
        expect(makespanSeconds).toBeLessThanOrEqual(tasks.reduce((sum, t) => sum + t.durationSeconds, 0));
      }),
    );
  });

  it('reaches the critical path when nothing waits for a slot', () => {
    fc.assert(
      fc.property(randomTasks, (tasks) => {
        expect(scheduleDag(tasks, tasks.length).makespanSeconds).toBe(criticalPath(tasks).seconds);
      }),
    );
  });
});

describe('criticalPath on random DAGs', () => {
  it('is a chain of dependencies whose durations add up to its length', () => {
    fc.assert(
      fc.property(randomTasks, (tasks) => {
        const byId = new Map(tasks.map((t) => [t.id, t]));
        const { ids, seconds } = criticalPath(tasks);
        expect(ids.length).toBeGreaterThan(0);
        expect(byId.get(ids[0]!)!.dependsOn).toEqual([]);
        ids.slice(1).forEach((id, index) => {
          expect(byId.get(id)!.dependsOn).toContain(ids[index]);
        });
        expect(ids.reduce((sum, id) => sum + byId.get(id)!.durationSeconds, 0)).toBe(seconds);
      }),
    );
  });
});

describe('schedulePhases on random DAGs', () => {
  it('is a valid schedule whose phases are the topological levels in order', () => {
    fc.assert(
      fc.property(randomTasks, concurrencies, (tasks, concurrency) => {
        const schedule = schedulePhases(tasks, concurrency);
        expectValidSchedule(tasks, schedule, concurrency);
        expect(schedule.makespanSeconds).toBeGreaterThanOrEqual(criticalPath(tasks).seconds);
        const phaseOf = new Map(schedule.phases.flatMap((phase, level) => phase.map((id) => [id, level])));
        for (const task of tasks) {
          const level = phaseOf.get(task.id)!;
          const deepest = Math.max(-1, ...task.dependsOn.map((dependency) => phaseOf.get(dependency)!));
          expect(level).toBe(deepest + 1);
        }
      }),
    );
  });
});
