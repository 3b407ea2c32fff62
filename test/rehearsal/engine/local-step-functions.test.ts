/**
 * The Workflow port over the local engine: what it emulates that aws-local-stepfunctions does
 * not run (child executions, task tokens, heartbeats) and what it must keep from AWS (retry
 * backoff on virtual time, idempotent starts, a stopped parent stopping its children).
 */
import { describe, expect, it } from 'vitest';
import { ReleaseConflictError, TransientAwsError } from '../../../lambdas/core/errors';
import type { MachineName } from '../../../lambdas/ports';
import type { AslDefinition } from '../../../rehearsal/engine/asl-support';
import { loadEngine } from '../../../rehearsal/engine/load-engine';
import { type InvokeHandler, LocalStepFunctions } from '../../../rehearsal/engine/local-step-functions';
import { VirtualScheduler } from '../../../rehearsal/engine/virtual-time';

/** The placeholders the ASL files carry, which CDK and the rehearsal fill with ARNs. */
const functionArn = (handler: string) => `\${${handler}FunctionArn}`;
const stateMachineArn = (machine: string) => `\${${machine}StateMachineArn}`;

const START = new Date('2026-01-05T09:00:00.000Z');

function setUp(definitions: Partial<Record<MachineName, AslDefinition>>, invoke: InvokeHandler) {
  const scheduler = new VirtualScheduler(START);
  const workflow = new LocalStepFunctions(
    loadEngine(scheduler, () => 0.5),
    scheduler,
    definitions as Record<MachineName, AslDefinition>,
    invoke,
  );
  const runUntilIdle = () => scheduler.runUntil(() => workflow.running() === 0);
  return { scheduler, workflow, runUntilIdle };
}

const CHILD: AslDefinition = {
  StartAt: 'Bake',
  States: {
    Bake: { Type: 'Wait', Seconds: 120, Next: 'Judge' },
    Judge: { Type: 'Task', Resource: functionArn('judge'), End: true },
  },
};

/**
 * 'Run Child' sets no TimeoutSeconds: as on AWS it waits for the child however long it takes
 * (the engine's own default would fail it after 60 s, before the child's 120 s bake ends).
 */
const PARENT: AslDefinition = {
  StartAt: 'Run Child',
  States: {
    'Run Child': {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: {
        StateMachineArn: stateMachineArn('serviceRollout'),
        'Name.$': "States.Format('{}-child', $.id)",
        'Input.$': '$',
      },
      ResultSelector: { 'status.$': '$.Status', 'verdict.$': '$.Output.verdict' },
      End: true,
    },
  },
};

describe('startExecution.sync:2', () => {
  it('runs the child as its own execution and returns its output to the parent', async () => {
    const { workflow, runUntilIdle } = setUp(
      { release: PARENT, serviceRollout: CHILD },
      async (handler, input) => {
        expect(handler).toBe('judge');
        return { verdict: 'pass', for: (input as { id: string }).id };
      },
    );
    const { executionArn } = await workflow.startExecution('release', 'r1', { id: 'r1' });
    expect(await runUntilIdle()).toBe('finished');

    const parent = await workflow.describeExecution(executionArn);
    expect(parent).toMatchObject({ status: 'SUCCEEDED', output: { status: 'SUCCEEDED', verdict: 'pass' } });
    const child = workflow.all().find((execution) => execution.name === 'r1-child');
    expect(child).toMatchObject({ machine: 'serviceRollout', status: 'SUCCEEDED', parentArn: executionArn });
    // Each execution has its own history, as on AWS: the child's states are not the parent's.
    expect(child!.history.transitions).toBe(2);
    expect(parent!.stopDate).toBe(new Date(START.getTime() + 120_000).toISOString());
  });

  it("fails the parent's Task with the child's error and cause", async () => {
    const { workflow, runUntilIdle } = setUp({ release: PARENT, serviceRollout: CHILD }, async () => {
      throw Object.assign(new Error('canary error rate 9 %'), { name: 'AnalysisFailedError' });
    });
    const { executionArn } = await workflow.startExecution('release', 'r2', { id: 'r2' });
    await runUntilIdle();

    const parent = await workflow.describeExecution(executionArn);
    expect(parent?.status).toBe('FAILED');
    expect(parent?.error).toBe('States.TaskFailed');
    expect(JSON.parse(parent!.cause!)).toMatchObject({ Status: 'FAILED', Error: 'AnalysisFailedError' });
    expect(JSON.parse(parent!.cause!).Cause).toContain('canary error rate 9 %');
  });

  it('stopping the parent stops the child it waits on', async () => {
    const { workflow, scheduler, runUntilIdle } = setUp(
      { release: PARENT, serviceRollout: CHILD },
      async () => ({ verdict: 'pass' }),
    );
    const { executionArn } = await workflow.startExecution('release', 'r3', { id: 'r3' });
    scheduler.setTimeout(() => {
      void workflow.stopExecution(executionArn, { error: 'AlarmTriggeredRollback', cause: 'alarm x' });
    }, 60_000);
    await runUntilIdle();

    for (const execution of workflow.all()) {
      expect(execution).toMatchObject({
        status: 'ABORTED',
        error: 'AlarmTriggeredRollback',
        cause: 'alarm x',
      });
      expect(execution.stopDate).toEqual(new Date(START.getTime() + 60_000));
    }
  });
});

describe('stopExecution', () => {
  it('stops the Map iterations under way: no Task of the stopped execution runs afterwards', async () => {
    const judged: unknown[] = [];
    const { workflow, scheduler } = setUp(
      {
        // Waves in order, each running its regions as child executions, then a bake: the release's shape.
        release: {
          StartAt: 'Each Wave',
          States: {
            'Each Wave': {
              Type: 'Map',
              ItemsPath: '$.waves',
              MaxConcurrency: 1,
              ItemProcessor: {
                StartAt: 'Each Region',
                States: {
                  'Each Region': {
                    Type: 'Map',
                    ItemsPath: '$.regions',
                    ItemProcessor: {
                      StartAt: 'Run Region',
                      States: {
                        'Run Region': {
                          Type: 'Task',
                          Resource: 'arn:aws:states:::states:startExecution.sync:2',
                          Parameters: {
                            StateMachineArn: stateMachineArn('serviceRollout'),
                            'Name.$': '$.name',
                            'Input.$': '$',
                          },
                          End: true,
                        },
                      },
                    },
                    ResultPath: null,
                    Next: 'Bake',
                  },
                  Bake: { Type: 'Wait', Seconds: 60, End: true },
                },
              },
              End: true,
            },
          },
        },
        serviceRollout: CHILD,
      },
      async (_handler, input) => {
        judged.push(input);
        return { verdict: 'pass' };
      },
    );
    const waves = [{ regions: [{ name: 'wave-1-region' }] }, { regions: [{ name: 'wave-2-region' }] }];
    const { executionArn } = await workflow.startExecution('release', 'stopped', { waves });
    // Stopped while wave 1's region bakes (its child waits 120 s before judging).
    scheduler.at(new Date(START.getTime() + 30_000), () => {
      void scheduler.track(
        workflow.stopExecution(executionArn, { error: 'ReleaseAbortedError', cause: 'aborted by alice' }),
      );
    });
    await scheduler.runUntil(() => false);

    expect(await workflow.describeExecution(executionArn)).toMatchObject({ status: 'ABORTED' });
    expect(workflow.all().map((execution) => [execution.name, execution.status])).toEqual([
      ['stopped', 'ABORTED'],
      ['wave-1-region', 'ABORTED'],
    ]);
    expect(judged).toEqual([]);
  });
});

describe('startExecution', () => {
  it('starts a name once: the same input is the same execution, another input a conflict', async () => {
    const { workflow, runUntilIdle } = setUp({ serviceRollout: CHILD }, async () => ({}));
    const first = await workflow.startExecution('serviceRollout', 'once', { id: 'a' });
    const again = await workflow.startExecution('serviceRollout', 'once', { id: 'a' });
    expect(first).toEqual({ executionArn: again.executionArn, alreadyExisted: false });
    expect(again.alreadyExisted).toBe(true);
    await expect(workflow.startExecution('serviceRollout', 'once', { id: 'b' })).rejects.toThrow(
      ReleaseConflictError,
    );
    await runUntilIdle();
    expect(workflow.all()).toHaveLength(1);
  });
});

describe('Retry on virtual time', () => {
  it('retries a transient error with backoff and succeeds on the third attempt', async () => {
    const attempts: number[] = [];
    const { workflow, scheduler, runUntilIdle } = setUp(
      {
        release: {
          StartAt: 'Set Weights',
          States: {
            'Set Weights': {
              Type: 'Task',
              Resource: functionArn('shiftTraffic'),
              Retry: [
                { ErrorEquals: ['TransientAwsError'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 },
              ],
              End: true,
            },
          },
        },
      },
      async () => {
        attempts.push(scheduler.elapsedSeconds());
        if (attempts.length < 3) throw new TransientAwsError('Rate exceeded', 'ThrottlingException');
        return { weights: { stable: 80, canary: 20 } };
      },
    );
    const { executionArn } = await workflow.startExecution('release', 'retry', {});
    await runUntilIdle();

    // Backoff waits 10 s, then 20 s: virtual seconds, not real ones.
    expect(attempts).toEqual([0, 10, 30]);
    expect(await workflow.describeExecution(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { weights: { stable: 80, canary: 20 } },
    });
    expect(workflow.all()[0]!.history.transitions).toBe(3);
  });
});

describe('$$.State (emulated: the engine has no State node in its context object)', () => {
  it('names the state, when it was entered and how many retries came before, per entry into the state', async () => {
    const seen: Array<{ attempt: number; state: unknown }> = [];
    const { workflow, scheduler, runUntilIdle } = setUp(
      {
        release: {
          StartAt: 'Set Weights',
          States: {
            'Set Weights': {
              Type: 'Task',
              Resource: functionArn('shiftTraffic'),
              Parameters: { 'round.$': '$.round', 'taskState.$': '$$.State' },
              ResultPath: '$.result',
              Retry: [
                { ErrorEquals: ['RolloutNotReadyError'], IntervalSeconds: 5, MaxAttempts: 2 },
                { ErrorEquals: ['TransientAwsError'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 },
              ],
              Next: 'Again?',
            },
            'Again?': {
              Type: 'Choice',
              Choices: [{ Variable: '$.round', NumericEquals: 1, Next: 'Second Round' }],
              Default: 'Done',
            },
            'Second Round': { Type: 'Pass', Result: 2, ResultPath: '$.round', Next: 'Set Weights' },
            Done: { Type: 'Succeed' },
          },
        },
      },
      async (_handler, input) => {
        const { round, taskState } = input as { round: number; taskState: { RetryCount: number } };
        seen.push({ attempt: scheduler.elapsedSeconds(), state: taskState });
        // Round 1: not ready once, then throttled once, then through; round 2: through at once.
        if (round === 1 && taskState.RetryCount === 0)
          throw Object.assign(new Error('not yet'), { name: 'RolloutNotReadyError' });
        if (round === 1 && taskState.RetryCount === 1)
          throw new TransientAwsError('Rate exceeded', 'ThrottlingException');
        return { ok: true };
      },
    );
    await workflow.startExecution('release', 'state-context', { round: 1 });
    expect(await runUntilIdle()).toBe('finished');

    const entered = START.toISOString();
    expect(seen).toEqual([
      { attempt: 0, state: { Name: 'Set Weights', EnteredTime: entered, RetryCount: 0 } },
      { attempt: 5, state: { Name: 'Set Weights', EnteredTime: entered, RetryCount: 1 } },
      { attempt: 15, state: { Name: 'Set Weights', EnteredTime: entered, RetryCount: 2 } },
      // Entered again: a new entry, counted from 0.
      {
        attempt: 15,
        state: {
          Name: 'Set Weights',
          EnteredTime: new Date(START.getTime() + 15_000).toISOString(),
          RetryCount: 0,
        },
      },
    ]);
  });
});

const CALLBACK: AslDefinition = {
  StartAt: 'Wait For Approval',
  States: {
    'Wait For Approval': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: functionArn('requestApproval'),
        Payload: { 'step.$': '$.step', 'taskToken.$': '$$.Task.Token' },
      },
      HeartbeatSeconds: 300,
      End: true,
    },
  },
};

describe('waitForTaskToken', () => {
  function parkingSetUp() {
    const tokens: string[] = [];
    const setup = setUp({ release: CALLBACK }, async (handler, input) => {
      expect(handler).toBe('requestApproval');
      tokens.push((input as { taskToken: string }).taskToken);
      return { parked: true };
    });
    return { ...setup, tokens };
  }

  it('parks the token with the handler and resumes on sendTaskSuccess', async () => {
    const { workflow, scheduler, runUntilIdle, tokens } = parkingSetUp();
    const { executionArn } = await workflow.startExecution('release', 'approve', { step: 3 });
    scheduler.setTimeout(() => void workflow.sendTaskSuccess(tokens[0]!, { approvedBy: 'ops' }), 240_000);
    await runUntilIdle();

    expect(tokens).toHaveLength(1);
    expect(await workflow.describeExecution(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { approvedBy: 'ops' },
      stopDate: new Date(START.getTime() + 240_000).toISOString(),
    });
    // A token resumes once.
    await expect(workflow.sendTaskSuccess(tokens[0]!, {})).rejects.toThrow(/TaskDoesNotExist/);
  });

  it('fails the Task with the error a sender reports', async () => {
    const { workflow, scheduler, runUntilIdle, tokens } = parkingSetUp();
    const { executionArn } = await workflow.startExecution('release', 'reject', { step: 1 });
    scheduler.setTimeout(
      () => void workflow.sendTaskFailure(tokens[0]!, 'ApprovalRejectedError', 'rejected by ops'),
      30_000,
    );
    await runUntilIdle();

    expect(await workflow.describeExecution(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'ApprovalRejectedError',
      cause: 'rejected by ops',
    });
  });

  it('times out with States.HeartbeatTimeout when no heartbeat comes within HeartbeatSeconds', async () => {
    const { workflow, scheduler, runUntilIdle, tokens } = parkingSetUp();
    const { executionArn } = await workflow.startExecution('release', 'silent', { step: 1 });
    // Two heartbeats keep it alive to 200 s; then silence: it times out 300 s after the last.
    for (const at of [100_000, 200_000]) {
      scheduler.setTimeout(() => void workflow.sendTaskHeartbeat(tokens[0]!), at);
    }
    await runUntilIdle();

    const description = await workflow.describeExecution(executionArn);
    expect(description).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect(description?.stopDate).toBe(new Date(START.getTime() + 500_000).toISOString());
    await expect(workflow.sendTaskSuccess(tokens[0]!, {})).rejects.toThrow(/TaskDoesNotExist/);
  });
});

/**
 * As in the shipped service-rollout ASL: the timeout is in the state's input, not in what the
 * Task sends its handler. AWS resolves TimeoutSecondsPath against the state input
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html); the engine on its own
 * would look in the effective input (after Parameters), where there is no `timeoutSeconds`.
 */
const { HeartbeatSeconds: _noHeartbeat, ...callbackTask } = CALLBACK.States['Wait For Approval']!;
const TIMED_CALLBACK: AslDefinition = {
  StartAt: 'Wait For Approval',
  States: { 'Wait For Approval': { ...callbackTask, TimeoutSecondsPath: '$.timeoutSeconds' } },
};

describe('TimeoutSecondsPath', () => {
  function timedSetUp() {
    const payloads: Array<Record<string, unknown>> = [];
    const setup = setUp({ release: TIMED_CALLBACK }, async (_, input) => {
      payloads.push(input as Record<string, unknown>);
      return { parked: true };
    });
    return { ...setup, payloads };
  }

  it('times the Task out at the seconds its state input names, with States.Timeout', async () => {
    const { workflow, runUntilIdle, payloads } = timedSetUp();
    const { executionArn } = await workflow.startExecution('release', 'unanswered', {
      step: 2,
      timeoutSeconds: 1800,
    });
    await runUntilIdle();

    expect(payloads).toEqual([{ step: 2, taskToken: expect.any(String) }]);
    expect(await workflow.describeExecution(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'States.Timeout',
      stopDate: new Date(START.getTime() + 1_800_000).toISOString(),
    });
  });

  it('lets a sender resume the Task before then', async () => {
    const { workflow, scheduler, runUntilIdle, payloads } = timedSetUp();
    const { executionArn } = await workflow.startExecution('release', 'answered', {
      step: 2,
      timeoutSeconds: 1800,
    });
    scheduler.setTimeout(
      () => void workflow.sendTaskSuccess(String(payloads[0]!.taskToken), { approvedBy: 'ops' }),
      1_799_000,
    );
    await runUntilIdle();

    expect(await workflow.describeExecution(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { approvedBy: 'ops' },
    });
  });
});
