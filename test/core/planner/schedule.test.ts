/** Scheduling hand-computed graphs: every figure below is worked out in the comments. */
import { describe, expect, it } from 'vitest';
import {
  bottomLevels,
  criticalPath,
  scheduleDag,
  schedulePhases,
  type Task,
} from '../../../lambdas/core/planner/schedule';

const task = (id: string, durationSeconds: number, dependsOn: string[] = []): Task => ({
  id,
  durationSeconds,
  dependsOn,
});

/** a(10) feeds b(20) and c(5), which both feed d(1). */
const diamond = [task('a', 10), task('b', 20, ['a']), task('c', 5, ['a']), task('d', 1, ['b', 'c'])];

const timeline = (schedule: {
  tasks: Array<{ id: string; startSeconds: number; endSeconds: number; slot: number }>;
}) => Object.fromEntries(schedule.tasks.map((t) => [t.id, [t.startSeconds, t.endSeconds, t.slot]]));

describe('criticalPath', () => {
  it('is the longest chain by duration: a → b → d, 10 + 20 + 1', () => {
    expect(criticalPath(diamond)).toEqual({ ids: ['a', 'b', 'd'], seconds: 31 });
  });

  it('prefers duration over the number of services', () => {
    // long(100) alone outweighs x(10) → y(10) → z(10).
    const tasks = [task('x', 10), task('y', 10, ['x']), task('z', 10, ['y']), task('long', 100)];
    expect(criticalPath(tasks)).toEqual({ ids: ['long'], seconds: 100 });
  });

  it('is empty for no tasks', () => {
    expect(criticalPath([])).toEqual({ ids: [], seconds: 0 });
  });
});

describe('bottomLevels', () => {
  it('is each task plus the longest work after it', () => {
    // d: 1; b: 20 + 1; c: 5 + 1; a: 10 + max(21, 6).
    expect(Object.fromEntries(bottomLevels(diamond))).toEqual({ a: 31, b: 21, c: 6, d: 1 });
  });
});

describe('scheduleDag', () => {
  it('with concurrency 1 runs one at a time, most remaining work first', () => {
    // a; then b (21 left) before c (6 left); then d. The makespan is the sum: 36.
    const schedule = scheduleDag(diamond, 1);
    expect(schedule.tasks.map((t) => t.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(timeline(schedule)).toEqual({ a: [0, 10, 0], b: [10, 30, 0], c: [30, 35, 0], d: [35, 36, 0] });
    expect(schedule.makespanSeconds).toBe(36);
  });

  it('with concurrency 2 runs the diamond in its critical path', () => {
    // b and c start together when a ends; d waits for b: 10 + 20 + 1.
    const schedule = scheduleDag(diamond, 2);
    expect(timeline(schedule)).toEqual({ a: [0, 10, 0], b: [10, 30, 0], c: [10, 15, 1], d: [30, 31, 0] });
    expect(schedule.makespanSeconds).toBe(31);
  });

  it('starts a service as soon as its own dependencies are done, not its whole level', () => {
    // slow(30) and quick(10) start at 0; after(10) needs only quick, so it runs 10..20.
    const tasks = [task('slow', 30), task('quick', 10), task('after', 10, ['quick'])];
    const schedule = scheduleDag(tasks, 2);
    expect(timeline(schedule)).toEqual({ slow: [0, 30, 0], quick: [0, 10, 1], after: [10, 20, 1] });
    expect(schedule.makespanSeconds).toBe(30);
  });

  it('breaks ties in declaration order and reuses the lowest free slot', () => {
    const tasks = [task('p', 10), task('q', 10), task('r', 10), task('s', 10)];
    const schedule = scheduleDag(tasks, 3);
    expect(timeline(schedule)).toEqual({ p: [0, 10, 0], q: [0, 10, 1], r: [0, 10, 2], s: [10, 20, 0] });
  });

  it('gives a service whose work gates more work the free slot first', () => {
    // One slot; gate(5) unlocks tail(50), so it goes before big(20) although big is longer.
    const tasks = [task('big', 20), task('gate', 5), task('tail', 50, ['gate'])];
    expect(scheduleDag(tasks, 1).tasks.map((t) => t.id)).toEqual(['gate', 'tail', 'big']);
  });

  it('schedules nothing for no tasks', () => {
    expect(scheduleDag([], 4)).toEqual({ tasks: [], makespanSeconds: 0 });
  });

  it('refuses a graph it cannot schedule', () => {
    expect(() => scheduleDag([task('a', 1, ['b']), task('b', 1, ['a'])], 2)).toThrow(/cycle/);
    expect(() => scheduleDag([task('a', 1, ['ghost'])], 2)).toThrow(/"ghost", which is not one of the tasks/);
    expect(() => scheduleDag([task('a', 1), task('a', 2)], 2)).toThrow(/listed twice/);
  });
});

describe('schedulePhases', () => {
  it('runs topological levels behind barriers', () => {
    // Level 0 {slow, quick} takes 30; level 1 {after} 10 more: 40, where the DAG takes 30.
    const tasks = [task('slow', 30), task('quick', 10), task('after', 10, ['quick'])];
    const schedule = schedulePhases(tasks, 2);
    expect(schedule.phases).toEqual([['slow', 'quick'], ['after']]);
    expect(timeline(schedule)).toEqual({ slow: [0, 30, 0], quick: [0, 10, 1], after: [30, 40, 0] });
    expect(schedule.makespanSeconds).toBe(40);
  });

  it('bounds each phase by the concurrency, longest first', () => {
    // One level of 10, 20, 30 on two slots: 30 and 20 start, 10 follows 20: 30 in all.
    const schedule = schedulePhases([task('a', 10), task('b', 20), task('c', 30)], 2);
    expect(timeline(schedule)).toEqual({ c: [0, 30, 0], b: [0, 20, 1], a: [20, 30, 1] });
    expect(schedule.makespanSeconds).toBe(30);
  });

  it('levels the diamond into three phases', () => {
    const schedule = schedulePhases(diamond, 2);
    expect(schedule.phases).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(schedule.makespanSeconds).toBe(31);
  });
});

describe('a concurrency beyond the tasks', () => {
  // A slot per unit of concurrency would be a billion slots (per phase, for the barriers): there
  // are never more slots than tasks to run in them.
  const chain = Array.from({ length: 1000 }, (_, index) =>
    task(`s${index}`, 1, index > 0 ? [`s${index - 1}`] : []),
  );

  it('schedules a DAG as if every task had a slot of its own', () => {
    expect(timeline(scheduleDag(diamond, 1e9))).toEqual(timeline(scheduleDag(diamond, diamond.length)));
  });

  it('runs each phase on no more slots than it has tasks', () => {
    const schedule = schedulePhases(chain, 1e9);
    expect(schedule.makespanSeconds).toBe(1000);
    expect(new Set(schedule.tasks.map((scheduled) => scheduled.slot))).toEqual(new Set([0]));
  });
});
