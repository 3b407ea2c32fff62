import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsWorkflow } from '../../../lambdas/adapters/aws/stepfunctions-workflow';
import { NotFoundError, ReleaseConflictError, TransientAwsError } from '../../../lambdas/core/errors';

const sfn = mockClient(SFNClient);
const RELEASE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:switchyard-release';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:switchyard-release:r-2025-06-01';
const workflow = new StepFunctionsWorkflow(new SFNClient({ region: 'eu-west-1' }), {
  release: RELEASE_MACHINE,
});

beforeEach(() => sfn.reset());

describe('startExecution', () => {
  it('starts the execution under the given name with the input as JSON', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
    const started = await workflow.startExecution('release', 'r-2025-06-01', { releaseId: 'r-2025-06-01' });
    expect(started).toEqual({ executionArn: EXECUTION, alreadyExisted: false });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: RELEASE_MACHINE,
      name: 'r-2025-06-01',
      input: '{"releaseId":"r-2025-06-01"}',
    });
  });

  it('counts an existing execution with the same input as started', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION }).resolves({
      executionArn: EXECUTION,
      status: 'SUCCEEDED',
      // Stored as another writer serialised it: key order does not matter.
      input: '{"plan":{"waves":2,"id":"p"},"releaseId":"r-2025-06-01"}',
    });
    const started = await workflow.startExecution('release', 'r-2025-06-01', {
      releaseId: 'r-2025-06-01',
      plan: { id: 'p', waves: 2 },
    });
    expect(started).toEqual({ executionArn: EXECUTION, alreadyExisted: true });
  });

  it('refuses the name when the existing execution had other input', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: EXECUTION, input: '{"releaseId":"r-2025-06-01","v":1}' });
    const error = await workflow
      .startExecution('release', 'r-2025-06-01', { releaseId: 'r-2025-06-01', v: 2 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ReleaseConflictError);
    expect(error.message).toContain('"r-2025-06-01"');
  });

  it('reports throttling as transient', async () => {
    sfn.on(StartExecutionCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await workflow.startExecution('release', 'r-1', {}).catch((e) => e);
    expect(error).toBeInstanceOf(TransientAwsError);
  });
});

describe('executions', () => {
  it('derives the execution ARN from the state machine ARN', () => {
    expect(workflow.executionArnFor('release', 'r-2025-06-01')).toBe(EXECUTION);
    const china = new StepFunctionsWorkflow(new SFNClient({}), {
      rollback: 'arn:aws-cn:states:cn-north-1:123456789012:stateMachine:rb',
    });
    expect(china.executionArnFor('rollback', 'x')).toBe(
      'arn:aws-cn:states:cn-north-1:123456789012:execution:rb:x',
    );
  });

  it('refuses a machine it has no ARN for, and a malformed ARN', () => {
    expect(() => workflow.executionArnFor('failover', 'x')).toThrow(
      'no state machine ARN configured for failover',
    );
    expect(
      () => new StepFunctionsWorkflow(new SFNClient({}), { release: `${RELEASE_MACHINE}:live` }),
    ).toThrow('not an unqualified state machine ARN');
  });

  it('describes an execution, parsing its output', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION,
      name: 'r-2025-06-01',
      status: 'FAILED',
      startDate: new Date('2025-06-01T12:00:00Z'),
      stopDate: new Date('2025-06-01T12:30:00Z'),
      output: '{"rolledBack":["web"]}',
      error: 'AnalysisFailedError',
      cause: 'canary error rate 4 %',
    });
    expect(await workflow.describeExecution(EXECUTION)).toEqual({
      executionArn: EXECUTION,
      name: 'r-2025-06-01',
      status: 'FAILED',
      startDate: '2025-06-01T12:00:00.000Z',
      stopDate: '2025-06-01T12:30:00.000Z',
      output: { rolledBack: ['web'] },
      error: 'AnalysisFailedError',
      cause: 'canary error rate 4 %',
    });
  });

  it('describes an unknown execution as undefined', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    expect(await workflow.describeExecution(EXECUTION)).toBeUndefined();
  });

  it('stops an execution with the error and cause', async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    await workflow.stopExecution(EXECUTION, { error: 'ReleaseAbortedError', cause: 'aborted by alice' });
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXECUTION,
      error: 'ReleaseAbortedError',
      cause: 'aborted by alice',
    });
  });
});

describe('task tokens', () => {
  it('sends success with the output as JSON, failure and heartbeat', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    sfn.on(SendTaskHeartbeatCommand).resolves({});
    await workflow.sendTaskSuccess('token-1', { approved: true, by: 'alice' });
    await workflow.sendTaskFailure('token-2', 'ApprovalRejectedError', 'rejected by bob');
    await workflow.sendTaskHeartbeat('token-3');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-1',
      output: '{"approved":true,"by":"alice"}',
    });
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-2',
      error: 'ApprovalRejectedError',
      cause: 'rejected by bob',
    });
    expect(sfn.commandCalls(SendTaskHeartbeatCommand)[0]?.args[0].input).toEqual({ taskToken: 'token-3' });
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }), 'timed out'],
    [
      'TaskDoesNotExist',
      new TaskDoesNotExist({ message: 'Task Does Not Exist', $metadata: {} }),
      'no task is waiting',
    ],
    ['InvalidToken', new InvalidToken({ message: 'Invalid Token', $metadata: {} }), 'not a valid task token'],
  ])('turns %s into NotFoundError with a clear message', async (_, rejection, message) => {
    sfn.on(SendTaskSuccessCommand).rejects(rejection);
    const error = await workflow.sendTaskSuccess('token', {}).catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain(message);
  });
});
