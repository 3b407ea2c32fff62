/**
 * Operation faults: every port method of the fleet goes through `FaultInjector.call`, which fails
 * the next N matching calls of a fault (from its virtual time on) before the simulation sees them.
 * Errors take the shape an adapter gives them: a Kubernetes reason becomes TransientClusterError
 * (what the Kubernetes adapter makes of a 409, 429 or 5xx), an AWS error name goes through the AWS
 * adapters' own classification (ThrottlingException → TransientAwsError), and a timeout is the
 * `States.Timeout` a Task reports when its call never answers.
 */
import { TransientClusterError } from '../../lambdas/core/errors';
import {
  CLUSTER_ERROR_REASONS,
  type ClusterErrorReason,
  type Operation,
  type OperationFailureFault,
} from '../faults/schema';
import type { FleetContext } from './context';
import { awsError, taskTimeout } from './errors';

/** What a call is about: matched against a fault's region and service. */
export interface CallScope {
  region?: string;
  service?: string;
  /** Names the thing acted on, for error messages. */
  subject: string;
}

interface ArmedFault {
  fault: OperationFailureFault;
  fromMs: number;
  remaining: number;
}

export interface InjectedFailure {
  at: Date;
  operation: Operation;
  scope: CallScope;
  error: string;
}

export class FaultInjector {
  private readonly armed: ArmedFault[];
  /** Every failure injected so far, in order: what the rehearsal reports and tests count. */
  readonly injected: InjectedFailure[] = [];

  constructor(private readonly context: FleetContext) {
    this.armed = context.faults.faults.flatMap((fault) =>
      fault.type === 'operationFailure'
        ? [
            {
              fault,
              fromMs: fault.at === undefined ? context.startMs : context.atMs(fault.at),
              remaining: fault.times,
            },
          ]
        : [],
    );
  }

  async call<T>(operation: Operation, scope: CallScope, run: () => Promise<T>): Promise<T> {
    const now = this.context.nowMs();
    const match = this.armed.find(
      ({ fault, fromMs, remaining }) =>
        remaining > 0 &&
        fromMs <= now &&
        fault.operation === operation &&
        (fault.region === undefined || fault.region === scope.region) &&
        (fault.service === undefined || fault.service === scope.service),
    );
    if (!match) return run();
    match.remaining -= 1;
    const { fault } = match;
    if (fault.timeout) {
      // The call may have reached the service before the caller gave up on it.
      if (fault.applied) await run();
      this.record(now, operation, scope, 'States.Timeout');
      throw taskTimeout(operation);
    }
    const name = fault.error!;
    this.record(now, operation, scope, name);
    if (operation.startsWith('cluster.')) {
      const code = CLUSTER_ERROR_REASONS[name as ClusterErrorReason];
      throw new TransientClusterError(
        `${scope.subject}: the API server answered ${code}: ${name} (injected)`,
      );
    }
    throw awsError(name, `${operation} on ${scope.subject} failed: ${name} (injected)`);
  }

  private record(atMs: number, operation: Operation, scope: CallScope, error: string): void {
    this.injected.push({ at: new Date(atMs), operation, scope, error });
  }
}

type AsyncMethods<P> = {
  [K in keyof P]: P[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof P];

/** A copy of `port` whose every method goes through the injector first. */
export function withFaults<P extends object>(
  port: P,
  portName: 'cluster' | 'traffic' | 'dns' | 'signals',
  methods: ReadonlyArray<AsyncMethods<P> & string>,
  scopeOf: (method: string, args: unknown[]) => CallScope,
  injector: FaultInjector,
): P {
  const wrapped: Record<string, unknown> = {};
  for (const method of methods) {
    const original = (port[method] as (...args: unknown[]) => Promise<unknown>).bind(port);
    wrapped[method] = (...args: unknown[]) =>
      injector.call(`${portName}.${method}` as Operation, scopeOf(method, args), () => original(...args));
  }
  return wrapped as P;
}
