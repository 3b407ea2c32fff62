/**
 * Loads aws-local-stepfunctions with its timers, clock and randomness bound to the rehearsal's
 * virtual scheduler and seed, leaving the rest of the process (the AWS SDK talking to DynamoDB
 * Local) on real time. The engine is loaded once per scheduler.
 */
import './polyfills';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Engine from 'aws-local-stepfunctions';
import { seededMath, type VirtualScheduler, virtualDate } from './virtual-time';

const require = createRequire(import.meta.url);
// The CommonJS build: it can be evaluated with our own timers, clock and randomness in scope.
const enginePath = require.resolve('aws-local-stepfunctions');

export type EngineModule = typeof Engine;

/**
 * The engine's context object has no `State` node (`$$.State.Name`, `EnteredTime`, `RetryCount`:
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html), which
 * Tasks pass their handlers so a retried failure can be audited. It is given one where a state's
 * input is processed (Parameters are evaluated there): the engine makes one executor per entry
 * into a state and runs each retry on it again, and its retrier counters count the retries.
 */
const PROCESS_INPUT = 'const processedInput = this.processInput(input, context);';
const PROCESS_INPUT_WITH_STATE =
  'const processedInput = this.processInput(input, withStateContext(context, this));';

interface StateExecutor {
  stateName: string;
  retrierAttempts: number[];
}

function stateContextFor(scheduler: VirtualScheduler) {
  const enteredAt = new WeakMap<StateExecutor, string>();
  return (context: Record<string, unknown>, executor: StateExecutor) => {
    let entered = enteredAt.get(executor);
    if (entered === undefined) {
      entered = scheduler.now().toISOString();
      enteredAt.set(executor, entered);
    }
    const retries = executor.retrierAttempts.reduce((sum, attempts) => sum + attempts, 0);
    return { ...context, State: { Name: executor.stateName, EnteredTime: entered, RetryCount: retries } };
  };
}

export function loadEngine(scheduler: VirtualScheduler, random: () => number): EngineModule {
  const original = readFileSync(enginePath, 'utf8');
  if (original.split(PROCESS_INPUT).length !== 2) {
    throw new Error(
      `aws-local-stepfunctions at ${enginePath} is not the version the rehearsal emulates $$.State for: "${PROCESS_INPUT}" is not in it once`,
    );
  }
  const source = original.replace(PROCESS_INPUT, PROCESS_INPUT_WITH_STATE);
  const module = { exports: {} as Record<string, unknown> };
  const engineRequire = createRequire(enginePath);
  const factory = new Function(
    'require',
    'module',
    'exports',
    'setTimeout',
    'clearTimeout',
    'Date',
    'Math',
    'withStateContext',
    `${source}\n//# sourceURL=aws-local-stepfunctions (virtual time)`,
  );
  factory(
    engineRequire,
    module,
    module.exports,
    scheduler.setTimeout,
    scheduler.clearTimeout,
    virtualDate(scheduler),
    seededMath(random),
    stateContextFor(scheduler),
  );
  return module.exports as unknown as EngineModule;
}
