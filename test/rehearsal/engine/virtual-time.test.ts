/**
 * Virtual time: the engine's Wait states, retry backoff and timeouts run on the rehearsal's
 * scheduler, concurrent waits overlap, and nothing really sleeps.
 */
import { describe, expect, it } from 'vitest';
import type { AslDefinition } from '../../../rehearsal/engine/asl-support';
import { loadEngine } from '../../../rehearsal/engine/load-engine';
import { VirtualScheduler } from '../../../rehearsal/engine/virtual-time';

const START = new Date('2026-01-05T09:00:00.000Z');

/** Runs one inline definition on the engine bound to a fresh scheduler, to its end. */
async function runOnVirtualTime(definition: AslDefinition, input: unknown = {}) {
  const scheduler = new VirtualScheduler(START);
  const engine = loadEngine(scheduler, () => 0.5);
  const machine = new engine.StateMachine(definition as never);
  const execution = machine.run(input as never);
  let settled = false;
  // Not tracked: the execution is what waits on virtual time, not real work that holds it still.
  const result = execution.result.finally(() => {
    settled = true;
  });
  const outcome = await scheduler.runUntil(() => settled);
  return {
    outcome,
    output: await result,
    elapsedSeconds: scheduler.elapsedSeconds(),
  };
}

const waitFor = (seconds: number): AslDefinition => ({
  StartAt: `Wait ${seconds}s`,
  States: { [`Wait ${seconds}s`]: { Type: 'Wait', Seconds: seconds, End: true } },
});

describe('VirtualScheduler driving the ASL engine', () => {
  it('finishes two parallel branches waiting 300 s and 600 s at 600 s, not 900 s', async () => {
    const run = await runOnVirtualTime({
      StartAt: 'Both Branches',
      States: {
        'Both Branches': { Type: 'Parallel', Branches: [waitFor(300), waitFor(600)], End: true },
      },
    });

    expect(run.outcome).toBe('finished');
    expect(run.elapsedSeconds).toBe(600);
  });

  it('overlaps the iterations of a Map whose items wait different lengths', async () => {
    const run = await runOnVirtualTime(
      {
        StartAt: 'Each Item',
        States: {
          'Each Item': {
            Type: 'Map',
            ItemsPath: '$.waits',
            MaxConcurrency: 0,
            ItemProcessor: {
              StartAt: 'Wait Its Turn',
              States: { 'Wait Its Turn': { Type: 'Wait', SecondsPath: '$', End: true } },
            },
            End: true,
          },
        },
      },
      { waits: [120, 600, 300] },
    );

    expect(run.output).toEqual([120, 600, 300]);
    expect(run.elapsedSeconds).toBe(600);
  });

  it('runs sequential waits one after the other', async () => {
    const run = await runOnVirtualTime({
      StartAt: 'First',
      States: {
        First: { Type: 'Wait', Seconds: 300, Next: 'Second' },
        Second: { Type: 'Wait', Seconds: 600, End: true },
      },
    });

    expect(run.elapsedSeconds).toBe(900);
  });

  it('bounds a Map by MaxConcurrency: four 100 s waits two at a time take 200 s', async () => {
    const run = await runOnVirtualTime(
      {
        StartAt: 'Two At A Time',
        States: {
          'Two At A Time': {
            Type: 'Map',
            ItemsPath: '$.waits',
            MaxConcurrency: 2,
            ItemProcessor: {
              StartAt: 'Wait',
              States: { Wait: { Type: 'Wait', SecondsPath: '$', End: true } },
            },
            End: true,
          },
        },
      },
      { waits: [100, 100, 100, 100] },
    );

    expect(run.elapsedSeconds).toBe(200);
  });
});

describe('VirtualScheduler', () => {
  it('does not advance time while real work is in flight', async () => {
    const scheduler = new VirtualScheduler(START);
    const fired: number[] = [];
    scheduler.setTimeout(() => fired.push(scheduler.elapsedSeconds()), 60_000);
    let releaseWork!: () => void;
    const work = scheduler.track(new Promise<void>((resolve) => (releaseWork = resolve)));
    const running = scheduler.runUntil(() => fired.length === 1);
    // The timer is due, but the tracked work has not settled: time stands still.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toEqual([]);
    expect(scheduler.elapsedSeconds()).toBe(0);

    releaseWork();
    await work;
    expect(await running).toBe('finished');
    expect(fired).toEqual([60]);
  });

  it('reports stalled when only daemons remain, and never fires a cancelled timer', async () => {
    const scheduler = new VirtualScheduler(START);
    const fired: string[] = [];
    const cancelled = scheduler.setTimeout(() => fired.push('cancelled'), 10_000);
    scheduler.clearTimeout(cancelled);
    const poll = () => {
      fired.push(`poll@${scheduler.elapsedSeconds()}`);
      scheduler.daemon(poll, 60_000);
    };
    scheduler.daemon(poll, 60_000);
    scheduler.setTimeout(() => fired.push(`timer@${scheduler.elapsedSeconds()}`), 150_000);

    expect(await scheduler.runUntil(() => false)).toBe('stalled');
    // The poller ran while a real timer kept time going, and stopped keeping it going alone.
    expect(fired).toEqual(['poll@60', 'poll@120', 'timer@150']);
  });

  it('stops at the limit rather than run a timer past it', async () => {
    const scheduler = new VirtualScheduler(START);
    scheduler.setTimeout(() => undefined, 7200_000);
    expect(await scheduler.runUntil(() => false, 3600)).toBe('limit');
    expect(scheduler.elapsedSeconds()).toBe(0);
  });

  it('fires timers due at the same instant in the order they were set', async () => {
    const scheduler = new VirtualScheduler(START);
    const order: string[] = [];
    scheduler.at(new Date(START.getTime() + 5_000), () => order.push('a'));
    scheduler.setTimeout(() => order.push('b'), 5_000);
    scheduler.setTimeout(() => order.push('c'), 1_000);
    await scheduler.runUntil(() => order.length === 3);
    expect(order).toEqual(['c', 'a', 'b']);
  });
});
