/**
 * StepFunctionsWorkflow against moto's Step Functions, without moto's interpreter: executions
 * are records that stay RUNNING until stopped, which is all starting, describing and stopping
 * need. One state machine per file, with a unique name.
 *
 * What moto does not emulate, left to stepfunctions-workflow.test.ts (aws-sdk-client-mock):
 * executions that succeed or fail on their own (their output, error and cause), the error and
 * cause StopExecution records (moto drops them), task tokens (moto accepts any token, so
 * TaskTimedOut, TaskDoesNotExist and InvalidToken never happen), the length limits on error
 * and cause, throttling.
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepFunctionsWorkflow } from '../../../lambdas/adapters/aws/stepfunctions-workflow';
import { NotFoundError, ReleaseConflictError } from '../../../lambdas/core/errors';
import { MOTO_ACCOUNT_ID, MOTO_REGION, motoClient, uniqueName } from '../../support/moto';
import { expectRejection } from '../../support/rejection';

let sfn: SFNClient;
let releaseMachineArn: string;
let workflow: StepFunctionsWorkflow;

beforeAll(async () => {
  sfn = motoClient(SFNClient);
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: uniqueName('switchyard-release'),
      roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/switchyard-release`,
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    }),
  );
  releaseMachineArn = stateMachineArn!;
  workflow = new StepFunctionsWorkflow(sfn, { release: releaseMachineArn });
});
afterAll(() => {
  sfn?.destroy();
});

async function executionsNamed(name: string) {
  const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: releaseMachineArn }));
  return (executions ?? []).filter((execution) => execution.name === name);
}

describe('startExecution', () => {
  it('starts an execution under the release id, at the ARN the adapter derives for it', async () => {
    const name = uniqueName('r');
    const input = { releaseId: name, plan: { waves: 2 } };

    const started = await workflow.startExecution('release', name, input);

    expect(started).toEqual({
      executionArn: workflow.executionArnFor('release', name),
      alreadyExisted: false,
    });
    expect(started.executionArn).toBe(
      `arn:aws:states:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:execution:${releaseMachineArn.split(':').at(-1)}:${name}`,
    );
    const stored = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(JSON.parse(stored.input!)).toEqual(input);
  });

  it('starting the same name and input again starts nothing new', async () => {
    const name = uniqueName('r');
    const first = await workflow.startExecution('release', name, { releaseId: name, wave: 1 });

    // The same input in another key order is the same input.
    const again = await workflow.startExecution('release', name, { wave: 1, releaseId: name });
    const exact = await workflow.startExecution('release', name, { releaseId: name, wave: 1 });

    expect(again).toEqual({ executionArn: first.executionArn, alreadyExisted: true });
    // Step Functions answers an identical start of a running execution as if it had just started it.
    expect(exact.executionArn).toBe(first.executionArn);
    expect(await executionsNamed(name)).toHaveLength(1);
  });

  it('refuses the name for other input, and counts a stopped execution of the same input as started', async () => {
    const name = uniqueName('r');
    const { executionArn } = await workflow.startExecution('release', name, { releaseId: name });

    await expectRejection(
      workflow.startExecution('release', name, { releaseId: name, forced: true }),
      ReleaseConflictError,
      `an execution named "${name}" of the release state machine already exists with different input`,
    );

    await workflow.stopExecution(executionArn, { error: 'Aborted', cause: 'test' });
    expect(await workflow.startExecution('release', name, { releaseId: name })).toEqual({
      executionArn,
      alreadyExisted: true,
    });
    expect(await executionsNamed(name)).toHaveLength(1);
  });

  it('rethrows the service error for a state machine that does not exist', async () => {
    const missing = new StepFunctionsWorkflow(sfn, {
      release: `arn:aws:states:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:stateMachine:${uniqueName('absent')}`,
    });
    await expect(missing.startExecution('release', uniqueName('r'), {})).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});

describe('describeExecution and stopExecution', () => {
  it('describes a running execution, then the same execution stopped', async () => {
    const name = uniqueName('r');
    const { executionArn } = await workflow.startExecution('release', name, { releaseId: name });

    const running = await workflow.describeExecution(executionArn);
    expect(running).toEqual({ executionArn, name, status: 'RUNNING', startDate: expect.any(String) });
    expect(Date.parse(running!.startDate)).toBeGreaterThan(Date.now() - 60_000);

    await workflow.stopExecution(executionArn, { error: 'Switchyard.Aborted', cause: 'aborted by alice' });

    const stopped = await workflow.describeExecution(executionArn);
    expect(stopped).toMatchObject({ executionArn, name, status: 'ABORTED', startDate: running!.startDate });
    expect(Date.parse(stopped!.stopDate!)).toBeGreaterThanOrEqual(Date.parse(running!.startDate));
  });

  it('describes an execution that does not exist as undefined, and cannot stop it', async () => {
    const absent = workflow.executionArnFor('release', uniqueName('never-started'));

    expect(await workflow.describeExecution(absent)).toBeUndefined();
    await expectRejection(
      workflow.stopExecution(absent, { error: 'Aborted', cause: 'test' }),
      NotFoundError,
      `execution ${absent} does not exist`,
    );
  });
});

describe('task tokens', () => {
  it('sends success, failure and heartbeat in requests Step Functions accepts', async () => {
    // Without its interpreter moto accepts any token: this shows the requests are well-formed,
    // not that a waiting task moves on.
    const token = `AAAAKgAAAAIAAAAAAAAAA${uniqueName('token')}`;
    await workflow.sendTaskHeartbeat(token);
    await workflow.sendTaskSuccess(token, { approved: true, by: 'alice' });
    await workflow.sendTaskFailure(token, 'Switchyard.Rejected', 'rejected by bob');
  });
});
