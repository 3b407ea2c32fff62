/**
 * Step Functions: starting named executions (the name is the idempotency key), reading and
 * stopping them, and answering task tokens of `.waitForTaskToken` states.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { canonicalJson } from '../../core/canonical-json';
import { NotFoundError, ReleaseConflictError } from '../../core/errors';
import type { ExecutionDescription, MachineName, Workflow } from '../../ports/index';
import { awsErrorName, callAws } from './errors';

export const WORKFLOW_IAM_ACTIONS = [
  'states:StartExecution',
  'states:DescribeExecution',
  'states:StopExecution',
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
] as const;

/** Step Functions' limits on StopExecution and SendTaskFailure text. */
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;

const STATE_MACHINE_ARN = /^arn:[^:]+:states:[^:]+:\d{12}:stateMachine:[^:]+$/;

/** Why a task token no longer works, by Step Functions' error name. */
const TOKEN_ERRORS: Readonly<Record<string, string>> = {
  TaskTimedOut: 'the task waiting on it timed out or its execution has ended',
  TaskDoesNotExist: 'no task is waiting on it any more',
  InvalidToken: 'it is not a valid task token',
};

export type StateMachineArns = Partial<Record<MachineName, string>>;

export class StepFunctionsWorkflow implements Workflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArns: StateMachineArns,
  ) {
    for (const [machine, arn] of Object.entries(stateMachineArns)) {
      if (arn !== undefined && !STATE_MACHINE_ARN.test(arn)) {
        throw new Error(`state machine ARN for ${machine} is not an unqualified state machine ARN: ${arn}`);
      }
    }
  }

  async startExecution(
    machine: MachineName,
    name: string,
    input: Record<string, unknown>,
  ): Promise<{ executionArn: string; alreadyExisted: boolean }> {
    const stateMachineArn = this.arnOf(machine);
    const serializedInput = JSON.stringify(input);
    try {
      // A running execution of the same name and input is returned as if started now.
      const { executionArn } = await callAws(
        this.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: serializedInput })),
      );
      return { executionArn: executionArn ?? this.executionArnFor(machine, name), alreadyExisted: false };
    } catch (error) {
      if (awsErrorName(error) !== 'ExecutionAlreadyExists') throw error;
    }
    // The name is taken by a finished execution, or by one with other input.
    const executionArn = this.executionArnFor(machine, name);
    const existing = await callAws(this.sfn.send(new DescribeExecutionCommand({ executionArn })));
    if (!sameJson(existing.input, serializedInput)) {
      throw new ReleaseConflictError(
        `an execution named "${name}" of the ${machine} state machine already exists with different input`,
      );
    }
    return { executionArn, alreadyExisted: true };
  }

  async stopExecution(executionArn: string, reason: { error: string; cause: string }): Promise<void> {
    try {
      await callAws(
        this.sfn.send(
          new StopExecutionCommand({
            executionArn,
            error: reason.error.slice(0, MAX_ERROR_LENGTH),
            cause: reason.cause.slice(0, MAX_CAUSE_LENGTH),
          }),
        ),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ExecutionDoesNotExist') {
        throw new NotFoundError(`execution ${executionArn} does not exist`);
      }
      throw error;
    }
  }

  async describeExecution(executionArn: string): Promise<ExecutionDescription | undefined> {
    let execution: DescribeExecutionCommandOutput;
    try {
      execution = await callAws(this.sfn.send(new DescribeExecutionCommand({ executionArn })));
    } catch (error) {
      if (awsErrorName(error) === 'ExecutionDoesNotExist') return undefined;
      throw error;
    }
    return {
      executionArn: execution.executionArn ?? executionArn,
      name: execution.name ?? executionArn.slice(executionArn.lastIndexOf(':') + 1),
      status: execution.status ?? 'RUNNING',
      startDate: (execution.startDate ?? new Date(0)).toISOString(),
      ...(execution.stopDate !== undefined && { stopDate: execution.stopDate.toISOString() }),
      ...(execution.output !== undefined && { output: parseOutput(execution.output) }),
      ...(execution.error !== undefined && { error: execution.error }),
      ...(execution.cause !== undefined && { cause: execution.cause }),
    };
  }

  /** `arn:aws:states:R:A:stateMachine:M` → `arn:aws:states:R:A:execution:M:<name>`. */
  executionArnFor(machine: MachineName, name: string): string {
    return `${this.arnOf(machine).replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<void> {
    await this.answerTask(
      this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })),
    );
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    await this.answerTask(
      this.sfn.send(
        new SendTaskFailureCommand({
          taskToken: token,
          error: error.slice(0, MAX_ERROR_LENGTH),
          cause: cause.slice(0, MAX_CAUSE_LENGTH),
        }),
      ),
    );
  }

  async sendTaskHeartbeat(token: string): Promise<void> {
    await this.answerTask(this.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })));
  }

  private async answerTask(request: Promise<unknown>): Promise<void> {
    try {
      await callAws(request);
    } catch (error) {
      const why = TOKEN_ERRORS[awsErrorName(error) ?? ''];
      if (why !== undefined) throw new NotFoundError(`the task token cannot be answered: ${why}`);
      throw error;
    }
  }

  private arnOf(machine: MachineName): string {
    const arn = this.stateMachineArns[machine];
    if (arn === undefined) throw new Error(`no state machine ARN configured for ${machine}`);
    return arn;
  }
}

/** Input compared as JSON values, so key order does not make the same input look different. */
function sameJson(stored: string | undefined, serialized: string): boolean {
  if (stored === undefined) return false;
  try {
    return canonicalJson(JSON.parse(stored)) === canonicalJson(JSON.parse(serialized));
  } catch {
    return false;
  }
}

function parseOutput(output: string): unknown {
  try {
    return JSON.parse(output);
  } catch {
    return output;
  }
}
