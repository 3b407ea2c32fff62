/**
 * Step Functions on a laptop: runs the very ASL files CDK deploys on aws-local-stepfunctions,
 * with every Task routed to the real handler code, and implements the Workflow port over those
 * executions. It emulates what the engine does not run:
 *   - `states:startExecution.sync:2`: the child machine runs here, its own execution and history;
 *   - `lambda:invoke.waitForTaskToken`: the handler parks the token; sendTaskSuccess resumes it;
 *     static HeartbeatSeconds are enforced on virtual time;
 *   - StopExecution stopping the Map iterations already under way (their Tasks are refused).
 */
import { NotFoundError, ReleaseConflictError } from '../../lambdas/core/errors';
import type { ExecutionDescription, MachineName, Workflow } from '../../lambdas/ports';
import {
  type AslDefinition,
  type AslState,
  assertRunnable,
  eachState,
  LOCAL_ARNS,
  LOCAL_FUNCTION_ARN,
  LOCAL_MACHINE_ARN,
  substitutePlaceholders,
} from './asl-support';
import { HistoryCounter } from './history';
import type { EngineModule } from './load-engine';
import type { VirtualScheduler, VirtualTimerHandle } from './virtual-time';

const CALLBACK_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const CHILD_RESOURCE = 'arn:aws:states:::states:startExecution.sync:2';

export type InvokeHandler = (handlerName: string, input: unknown) => Promise<unknown>;

interface LocalExecution {
  arn: string;
  machine: MachineName;
  name: string;
  input: Record<string, unknown>;
  inputText: string;
  status: ExecutionDescription['status'];
  startDate: Date;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  parentArn?: string;
  abort: () => void;
  finished: Promise<void>;
  history: HistoryCounter;
}

interface ParkedTask {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  heartbeatSeconds?: number;
  heartbeatTimer?: VirtualTimerHandle;
}

type TaskOverride = (input: unknown) => Promise<unknown>;

/** Definitions (as substituted JSON) the engine has already validated in this process. */
const VALIDATED_DEFINITIONS = new Set<string>();

export class LocalStepFunctions implements Workflow {
  private readonly executions = new Map<string, LocalExecution>();
  private readonly parked = new Map<string, ParkedTask>();
  private tokenCounter = 0;
  private handlerTurn: Promise<unknown> = Promise.resolve();
  private readonly machines = new Map<MachineName, InstanceType<EngineModule['StateMachine']>>();
  /** The definitions as the engine runs them (placeholders filled), never the caller's objects. */
  private readonly definitions: Record<MachineName, AslDefinition>;

  constructor(
    engine: EngineModule,
    private readonly scheduler: VirtualScheduler,
    definitions: Record<MachineName, AslDefinition>,
    private readonly invoke: InvokeHandler,
  ) {
    this.definitions = {} as Record<MachineName, AslDefinition>;
    for (const [machine, definition] of Object.entries(definitions) as Array<[MachineName, AslDefinition]>) {
      assertRunnable(machine, definition);
      // Only the placeholders are filled, as CDK's definitionSubstitutions fill them on deploy.
      this.definitions[machine] = substitutePlaceholders(definition, LOCAL_ARNS);
      // asl-validator takes about half a second a definition: each distinct text is validated once.
      const text = JSON.stringify(this.definitions[machine]);
      const options = VALIDATED_DEFINITIONS.has(text)
        ? { validationOptions: { noValidate: true } }
        : undefined;
      this.machines.set(machine, new engine.StateMachine(this.definitions[machine] as never, options));
      VALIDATED_DEFINITIONS.add(text);
    }
  }

  executionArnFor(machine: MachineName, name: string): string {
    return `arn:aws:states:local:000000000000:execution:${machine}:${name}`;
  }

  all(): ReadonlyArray<Readonly<LocalExecution>> {
    return [...this.executions.values()];
  }

  running(): number {
    return [...this.executions.values()].filter((execution) => execution.status === 'RUNNING').length;
  }

  async startExecution(
    machine: MachineName,
    name: string,
    input: Record<string, unknown>,
    parentArn?: string,
  ) {
    const arn = this.executionArnFor(machine, name);
    const inputText = JSON.stringify(input);
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.inputText !== inputText) {
        throw new ReleaseConflictError(`execution ${name} already exists with a different input`);
      }
      return { executionArn: arn, alreadyExisted: true };
    }
    this.launch(machine, name, input, inputText, parentArn);
    return { executionArn: arn, alreadyExisted: false };
  }

  /** Resolves when the execution ends, whatever its status. */
  async waitFor(executionArn: string): Promise<ExecutionDescription> {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new NotFoundError(`no execution ${executionArn}`);
    await execution.finished;
    return this.describe(execution);
  }

  async stopExecution(executionArn: string, reason: { error: string; cause: string }): Promise<void> {
    const execution = this.executions.get(executionArn);
    if (execution?.status !== 'RUNNING') return;
    // A stopped parent stops the children it is waiting on.
    for (const child of this.executions.values()) {
      if (child.parentArn === executionArn) await this.stopExecution(child.arn, reason);
    }
    for (const [token, task] of this.parked) {
      if (task.executionArn === executionArn) {
        if (task.heartbeatTimer) this.scheduler.clearTimeout(task.heartbeatTimer);
        this.parked.delete(token);
      }
    }
    execution.status = 'ABORTED';
    execution.error = reason.error;
    execution.cause = reason.cause;
    execution.stopDate = this.scheduler.now();
    execution.abort();
  }

  async describeExecution(executionArn: string): Promise<ExecutionDescription | undefined> {
    const execution = this.executions.get(executionArn);
    return execution && this.describe(execution);
  }

  async sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<void> {
    this.takeParked(token).resolve(output);
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    this.takeParked(token).reject(Object.assign(new Error(cause), { name: error }));
  }

  async sendTaskHeartbeat(token: string): Promise<void> {
    const task = this.parked.get(token);
    if (!task) throw new NotFoundError('TaskTimedOut: the task token is no longer waiting');
    this.armHeartbeat(token, task);
  }

  private takeParked(token: string): ParkedTask {
    const task = this.parked.get(token);
    if (!task)
      throw new NotFoundError(
        'TaskDoesNotExist: the task token is not waiting (already resumed, timed out or stopped)',
      );
    if (task.heartbeatTimer) this.scheduler.clearTimeout(task.heartbeatTimer);
    this.parked.delete(token);
    return task;
  }

  private armHeartbeat(token: string, task: ParkedTask): void {
    if (!task.heartbeatSeconds) return;
    if (task.heartbeatTimer) this.scheduler.clearTimeout(task.heartbeatTimer);
    task.heartbeatTimer = this.scheduler.setTimeout(() => {
      if (!this.parked.has(token)) return;
      this.parked.delete(token);
      task.reject(
        Object.assign(new Error('no heartbeat within HeartbeatSeconds'), { name: 'States.HeartbeatTimeout' }),
      );
    }, task.heartbeatSeconds * 1000);
  }

  private describe(execution: LocalExecution): ExecutionDescription {
    return {
      executionArn: execution.arn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.toISOString(),
      ...(execution.stopDate && { stopDate: execution.stopDate.toISOString() }),
      ...(execution.output !== undefined && { output: execution.output }),
      ...(execution.error && { error: execution.error }),
      ...(execution.cause && { cause: execution.cause }),
    };
  }

  private launch(
    machine: MachineName,
    name: string,
    input: Record<string, unknown>,
    inputText: string,
    parentArn?: string,
  ) {
    const arn = this.executionArnFor(machine, name);
    const stateMachine = this.machines.get(machine);
    if (!stateMachine) throw new NotFoundError(`no state machine ${machine}`);
    const history = new HistoryCounter(this.definitions[machine]);
    const startDate = this.scheduler.now();
    const nextToken = () => `token-${name}-${++this.tokenCounter}`;
    const context = {
      Execution: { Id: arn, Name: name, Input: input, StartTime: startDate.toISOString() },
      StateMachine: {
        Id: arn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''),
        Name: machine,
      },
      get Task() {
        return { Token: nextToken() };
      },
    };
    const run = stateMachine.run(input as never, {
      overrides: { taskResourceLocalHandlers: this.overridesFor(machine, arn) as never },
      context: context as never,
    });
    const execution: LocalExecution = {
      arn,
      machine,
      name,
      input,
      inputText,
      status: 'RUNNING',
      startDate,
      ...(parentArn && { parentArn }),
      abort: run.abort,
      history,
      finished: Promise.resolve(),
    };
    this.executions.set(arn, execution);
    const consumeHistory = (async () => {
      for await (const event of run.eventLogs) history.record(event);
    })();
    execution.finished = run.result
      .then(
        (output) => {
          if (execution.status !== 'RUNNING') return;
          execution.status = 'SUCCEEDED';
          execution.output = output;
          execution.stopDate = this.scheduler.now();
        },
        (error: Error & { cause?: unknown }) => {
          if (execution.status !== 'RUNNING') return;
          const { name: errorName, cause } = failureOf(error);
          execution.status = error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
          execution.error = errorName;
          execution.cause = cause;
          execution.stopDate = this.scheduler.now();
        },
      )
      .then(() => consumeHistory.catch(() => undefined));
  }

  /**
   * Runs handlers one at a time, in the order the engine calls them. Tasks due at the same
   * virtual instant (lanes claiming services) would otherwise race on DynamoDB Local's real
   * timing, and the same seed could give another lane, audit order or outcome.
   */
  private invokeInTurn(handler: string, input: unknown): Promise<unknown> {
    const turn = this.handlerTurn.then(() => this.invoke(handler, input));
    this.handlerTurn = turn.catch(() => undefined);
    return this.scheduler.track(turn);
  }

  private overridesFor(machine: MachineName, executionArn: string): Record<string, TaskOverride> {
    const overrides: Record<string, TaskOverride> = {};
    for (const [stateName, state] of eachState(this.definitions[machine])) {
      if (state.Type !== 'Task') continue;
      overrides[stateName] = this.unlessStopped(executionArn, this.overrideFor(state, executionArn));
    }
    return overrides;
  }

  /**
   * A stopped execution runs no further state (StopExecution:
   * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html). The
   * engine's abort ends the execution's own state loop, but Map iterations it already started run
   * on (a bake's Wait ends, the next wave's iteration begins): their Tasks are refused here.
   */
  private unlessStopped(executionArn: string, override: TaskOverride): TaskOverride {
    return (input) => {
      // Not registered yet: the engine may call the first Task while the execution is launched.
      const execution = this.executions.get(executionArn);
      if (execution && execution.status !== 'RUNNING') {
        return Promise.reject(
          Object.assign(new Error(`${execution.name} is ${execution.status}: no further Task runs`), {
            name: 'States.Runtime',
          }),
        );
      }
      return override(input);
    };
  }

  private overrideFor(state: AslState, executionArn: string): TaskOverride {
    const resource = String(state.Resource);
    const direct = LOCAL_FUNCTION_ARN.exec(resource);
    if (direct) {
      const handler = direct[1]!;
      return (input) => this.invokeInTurn(handler, input);
    }
    if (resource === CALLBACK_RESOURCE) {
      const parameters = state.Parameters as { FunctionName: string };
      const handler = LOCAL_FUNCTION_ARN.exec(parameters.FunctionName)![1]!;
      return (input) => {
        const payload = (input as { Payload: { taskToken: string } }).Payload;
        const parked = new Promise<unknown>((resolve, reject) => {
          const task: ParkedTask = {
            executionArn,
            resolve,
            reject,
            ...(typeof state.HeartbeatSeconds === 'number' && { heartbeatSeconds: state.HeartbeatSeconds }),
          };
          this.parked.set(payload.taskToken, task);
          this.armHeartbeat(payload.taskToken, task);
        });
        return this.invokeInTurn(handler, payload).then(() => parked);
      };
    }
    if (resource === CHILD_RESOURCE) {
      return async (input) => {
        const parameters = input as { StateMachineArn: string; Name: string; Input: Record<string, unknown> };
        const machine = LOCAL_MACHINE_ARN.exec(parameters.StateMachineArn)?.[1] as MachineName | undefined;
        if (!machine || !(machine in this.definitions))
          throw new NotFoundError(`no state machine ${parameters.StateMachineArn}`);
        const { executionArn: childArn } = await this.startExecution(
          machine,
          parameters.Name,
          parameters.Input,
          executionArn,
        );
        const child = await this.waitFor(childArn);
        if (child.status === 'SUCCEEDED') {
          return {
            ExecutionArn: childArn,
            Name: child.name,
            Status: child.status,
            Output: child.output,
            StartDate: child.startDate,
            StopDate: child.stopDate,
          };
        }
        throw Object.assign(
          new Error(
            JSON.stringify({
              ExecutionArn: childArn,
              Status: child.status,
              Error: child.error,
              Cause: child.cause,
            }),
          ),
          { name: 'States.TaskFailed' },
        );
      };
    }
    throw new Error(`no local emulation for Task resource ${resource}`);
  }
}

/** The ASL error and cause of a failed local execution (the engine wraps them). */
function failureOf(error: Error & { cause?: unknown }): { name: string; cause: string } {
  const inner = error.cause as
    | { name?: string; message?: string; Error?: string; Cause?: string }
    | undefined;
  const name = inner?.Error ?? inner?.name ?? error.name;
  const cause = inner?.Cause ?? inner?.message ?? error.message;
  return { name: String(name), cause: typeof cause === 'string' ? cause : JSON.stringify(cause) };
}
