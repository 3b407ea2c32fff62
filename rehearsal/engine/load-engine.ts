/**
 * Loads aws-local-stepfunctions with its timers, clock and randomness bound to the rehearsal's
 * virtual scheduler and seed, leaving the rest of the process (the AWS SDK talking to DynamoDB
 * Local) on real time. The engine is loaded once per scheduler, patched where it would run a
 * definition otherwise than AWS does, so the definitions themselves are never rewritten.
 */
import './polyfills';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Engine from 'aws-local-stepfunctions';
import { AWS_DEFAULT_TASK_TIMEOUT_SECONDS } from './asl-support';
import { seededMath, type VirtualScheduler, virtualDate } from './virtual-time';

const require = createRequire(import.meta.url);
// The CommonJS build: it can be evaluated with our own timers, clock and randomness in scope.
const enginePath = require.resolve('aws-local-stepfunctions');

export type EngineModule = typeof Engine;

/** A line of the engine's source, and what the rehearsal runs instead. */
interface EnginePatch {
  find: string;
  replace: string;
}

/**
 * The engine's context object has no `State` node (`$$.State.Name`, `EnteredTime`, `RetryCount`:
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html), which
 * Tasks pass their handlers so a retried failure can be audited. It is given one where a state's
 * input is processed (Parameters are evaluated there): the engine makes one executor per entry
 * into a state and runs each retry on it again, and its retrier counters count the retries.
 */
const STATE_CONTEXT: EnginePatch = {
  find: 'const processedInput = this.processInput(input, context);',
  replace: 'const processedInput = this.processInput(input, withStateContext(context, this));',
};

/**
 * A Task's timeout as AWS applies it, so the definitions run unmodified
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html, and the Task State
 * timeouts of https://states-language.net/spec.html#task-state):
 *   - TimeoutSecondsPath is a reference path into the state's input; the engine would resolve
 *     it against the effective input (after InputPath and Parameters);
 *   - a Task with no timeout gets AWS's default, where the engine would apply the spec's 60 s.
 */
const TIMEOUT_FROM_STATE_INPUT: EnginePatch[] = [
  {
    find: 'const executionResult = await taskStateAction.execute(input, context, { overrideFn, awsConfig });',
    replace:
      'const executionResult = await taskStateAction.execute(input, context, { overrideFn, awsConfig, stateInput: rawInput });',
  },
  {
    find: 'const timeoutMs = this.getTimeoutMs(input, context);',
    replace: 'const timeoutMs = this.getTimeoutMs(options.stateInput, context);',
  },
  {
    find: 'var DEFAULT_TIMEOUT_SECONDS = 60;',
    replace: `var DEFAULT_TIMEOUT_SECONDS = ${AWS_DEFAULT_TASK_TIMEOUT_SECONDS};`,
  },
];

const ENGINE_PATCHES: readonly EnginePatch[] = [STATE_CONTEXT, ...TIMEOUT_FROM_STATE_INPUT];

/** The engine's source with every patch applied; refuses a version any patch no longer fits. */
function patchedEngineSource(original: string): string {
  let source = original;
  for (const { find, replace } of ENGINE_PATCHES) {
    if (source.split(find).length !== 2) {
      throw new Error(
        `aws-local-stepfunctions at ${enginePath} is not the version the rehearsal patches: "${find}" is not in it once`,
      );
    }
    source = source.replace(find, replace);
  }
  return source;
}

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
  const source = patchedEngineSource(readFileSync(enginePath, 'utf8'));
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
