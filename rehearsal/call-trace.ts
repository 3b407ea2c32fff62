/**
 * Traces the remote calls one handler invocation makes (AWS APIs, the Kubernetes API, the store),
 * with which of them were in flight together: what the alarm path's sequential call count is
 * measured from (counters.ts alarmPathCalls).
 *
 * The simulated services answer within the same turn of the event loop, so a call that finished
 * before another began says nothing about whether the second waited for it. While a trace is
 * active, each traced call therefore finishes one macrotask later than it answered: every call
 * started without waiting for another (in the same run of microtasks) overlaps the others, and a
 * call is sequential after exactly those that had finished when it began. Outside a trace calls
 * are not touched.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface TracedCall {
  /** `service:Operation`, e.g. `elasticloadbalancing:ModifyRule`, `store:releasesWatching`. */
  name: string;
  /** 1 + the level of the latest call that had finished when this one began. */
  level: number;
  started: number;
  ended?: number;
}

export class CallTrace {
  readonly calls: TracedCall[] = [];
  private tick = 0;

  async record<T>(name: string, call: () => Promise<T>): Promise<T> {
    const started = ++this.tick;
    const before = this.calls.filter((entry) => entry.ended !== undefined && entry.ended < started);
    const traced: TracedCall = {
      name,
      level: 1 + Math.max(0, ...before.map((entry) => entry.level)),
      started,
    };
    this.calls.push(traced);
    const finish = () =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          traced.ended = ++this.tick;
          resolve();
        }),
      );
    try {
      const result = await call();
      await finish();
      return result;
    } catch (error) {
      await finish();
      throw error;
    }
  }
}

const active = new AsyncLocalStorage<CallTrace>();

/** Runs `work` with a fresh trace of the calls it makes, handed to `done` however the work ends. */
export async function traced<T>(work: () => Promise<T>, done: (trace: CallTrace) => void): Promise<T> {
  const trace = new CallTrace();
  try {
    return await active.run(trace, work);
  } finally {
    done(trace);
  }
}

/** An SDK v3 command's operation: `DescribeRulesCommand` is `DescribeRules`. */
export function operationName(command: unknown): string {
  const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? 'Unknown';
  return name.replace(/Command$/, '');
}

/** A remote call: recorded in the active trace, if there is one. */
export function tracedCall<T>(name: string, call: () => Promise<T>): Promise<T> {
  const trace = active.getStore();
  return trace ? trace.record(name, call) : call();
}

/**
 * The port with each of its methods traced as `<service>:<method>`. With `detach`, what a call
 * sets going runs outside the trace: an execution the local Step Functions starts is not the
 * caller's work, and its calls are not the caller's.
 */
export function tracedPort<Port extends object>(port: Port, service: string, detach = false): Port {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const call = () => Promise.resolve(value.apply(target, args));
        return tracedCall(`${service}:${String(property)}`, detach ? () => active.exit(call) : call);
      };
    },
  });
}
