/**
 * Virtual time for the rehearsal. The ASL engine's timers (Wait states, retry backoff, task
 * timeouts) run on this scheduler instead of the real clock. Time jumps to the next timer only
 * when no handler is doing real work (DynamoDB Local calls), so two branches waiting 300 s and
 * 600 s finish together at 600 s and nothing ever really sleeps.
 */
import { MinHeap } from '../../lambdas/core/planner/heap';
import type { Clock } from '../../lambdas/ports';

interface Timer {
  id: number;
  dueMs: number;
  callback: () => void;
  cancelled: boolean;
  /** A daemon timer (a poller) does not keep virtual time going on its own. */
  daemon: boolean;
}

export interface VirtualTimerHandle {
  readonly id: number;
  unref(): VirtualTimerHandle;
  ref(): VirtualTimerHandle;
  hasRef(): boolean;
  [Symbol.toPrimitive](): number;
}

export class VirtualScheduler implements Clock {
  private nowMs: number;
  private readonly startMs: number;
  private nextId = 1;
  private readonly timers = new MinHeap<Timer>((a, b) =>
    a.dueMs !== b.dueMs ? a.dueMs < b.dueMs : a.id < b.id,
  );
  private readonly byId = new Map<number, Timer>();
  private inflight = 0;
  private liveTimers = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(start: Date) {
    this.nowMs = start.getTime();
    this.startMs = this.nowMs;
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  nowMillis(): number {
    return this.nowMs;
  }

  elapsedSeconds(): number {
    return (this.nowMs - this.startMs) / 1000;
  }

  readonly setTimeout = (
    callback: (...args: unknown[]) => void,
    ms?: number,
    ...args: unknown[]
  ): VirtualTimerHandle => {
    return this.schedule(() => callback(...args), Number(ms) || 0, false);
  };

  /** A timer that fires while other work goes on, but never keeps the scheduler running alone. */
  daemon(callback: () => void, ms: number): VirtualTimerHandle {
    return this.schedule(callback, ms, true);
  }

  private schedule(callback: () => void, ms: number, daemon: boolean): VirtualTimerHandle {
    const timer: Timer = {
      id: this.nextId++,
      dueMs: this.nowMs + Math.max(0, ms),
      callback,
      cancelled: false,
      daemon,
    };
    if (!daemon) this.liveTimers++;
    this.timers.push(timer);
    this.byId.set(timer.id, timer);
    const handle: VirtualTimerHandle = {
      id: timer.id,
      unref: () => handle,
      ref: () => handle,
      hasRef: () => true,
      [Symbol.toPrimitive]: () => timer.id,
    };
    return handle;
  }

  readonly clearTimeout = (handle: VirtualTimerHandle | number | undefined): void => {
    if (handle === undefined) return;
    const id = typeof handle === 'number' ? handle : handle.id;
    const timer = this.byId.get(id);
    if (timer && !timer.cancelled) {
      timer.cancelled = true;
      if (!timer.daemon) this.liveTimers--;
    }
    this.byId.delete(id);
  };

  /** A timer at an absolute virtual time (fault events, scheduled approvals). */
  at(when: Date, callback: () => void): VirtualTimerHandle {
    return this.setTimeout(callback, Math.max(0, when.getTime() - this.nowMs));
  }

  /** Real work in progress: virtual time stands still until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inflight++;
    return work.finally(() => {
      this.inflight--;
      if (this.inflight === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
    });
  }

  private async settle(): Promise<void> {
    for (;;) {
      if (this.inflight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      // Let the engine's promise chains run to their next timer or handler call.
      for (let turn = 0; turn < 3; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.inflight === 0) return;
    }
  }

  /**
   * Advances virtual time until `finished()` holds. Returns 'stalled' when nothing is running
   * and no timer but daemons is pending: every execution waits for something outside (an approval).
   */
  async runUntil(
    finished: () => boolean,
    limitSeconds = 30 * 24 * 3600,
  ): Promise<'finished' | 'stalled' | 'limit'> {
    for (;;) {
      await this.settle();
      if (finished()) return 'finished';
      if (this.liveTimers === 0) return 'stalled';
      let next = this.timers.pop();
      while (next?.cancelled) next = this.timers.pop();
      if (!next) return 'stalled';
      if (!next.daemon) this.liveTimers--;
      if (next.dueMs - this.startMs > limitSeconds * 1000) return 'limit';
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      this.byId.delete(next.id);
      next.callback();
    }
  }
}

/** A small deterministic PRNG for the engine's jitter. */
export function seededMath(random: () => number): Math {
  const math = Object.create(Math) as Math;
  Object.defineProperty(math, 'random', { value: random });
  return math;
}

/** A Date whose "now" is the scheduler's. */
export function virtualDate(scheduler: VirtualScheduler): DateConstructor {
  const RealDate = Date;
  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(scheduler.nowMillis());
      else super(...(args as [string]));
    }
    static override now(): number {
      return scheduler.nowMillis();
    }
  }
  return VirtualDate as unknown as DateConstructor;
}
