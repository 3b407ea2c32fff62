/**
 * A Task passes its handler its $$.State; a transient failure the state's Retry will see is then
 * recorded in the release's audit (which task, which attempt, what error) before it is thrown
 * on. Once per attempt however often an invocation is delivered; never for other errors.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError, TransientAwsError } from '../../lambdas/core/errors';
import { EAST, run, runningWorld, type World } from './world';

const ENTERED = '2026-11-22T10:00:00.000Z';
const taskState = (retryCount: number) => ({
  Name: 'Preflight',
  EnteredTime: ENTERED,
  RetryCount: retryCount,
});

/** Preflight meets a throttled ELBv2 (DescribeRules) when it resolves auth's rule. */
async function throttledWorld(
  error: Error = new TransientAwsError('Rate exceeded', 'Throttling'),
): Promise<World> {
  const world = await runningWorld();
  world.ports.traffic.resolveErrors.set(`${EAST}/auth`, error);
  return world;
}

const transientEntries = async (world: World) =>
  (await world.ports.store.listAudit(world.releaseId)).filter(
    (entry) => entry.action === 'task.transient-failure',
  );

describe('transient failures of a Task', () => {
  it('are recorded with the operation, the attempt and the error, and still thrown for the Retry', async () => {
    const world = await throttledWorld();
    await expect(
      run(world, 'preflightRelease', { releaseId: world.releaseId, taskState: taskState(1) }),
    ).rejects.toThrow(TransientAwsError);

    expect(await transientEntries(world)).toEqual([
      expect.objectContaining({
        actor: 'switchyard',
        detail: {
          operation: 'preflightRelease',
          state: 'Preflight',
          attempt: 2,
          error: 'TransientAwsError',
          awsError: 'Throttling',
          message: 'Rate exceeded',
        },
      }),
    ]);
  });

  it('are recorded once per attempt, however often the same invocation is delivered', async () => {
    const world = await throttledWorld();
    const attempt = (retryCount: number) =>
      run(world, 'preflightRelease', { releaseId: world.releaseId, taskState: taskState(retryCount) }).catch(
        (error: unknown) => error,
      );
    await attempt(0);
    await attempt(0);
    await attempt(1);

    expect((await transientEntries(world)).map((entry) => entry.detail?.attempt)).toEqual([1, 2]);
    const seqs = (await world.ports.store.listAudit(world.releaseId)).map((entry) => entry.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
  });

  it('are not recorded without the Task’s state, nor is an error a retry cannot help', async () => {
    const untold = await throttledWorld();
    await expect(run(untold, 'preflightRelease', { releaseId: untold.releaseId })).rejects.toThrow(
      TransientAwsError,
    );
    expect(await transientEntries(untold)).toEqual([]);

    const broken = await throttledWorld(new Error('socket hang up'));
    await expect(
      run(broken, 'preflightRelease', { releaseId: broken.releaseId, taskState: taskState(0) }),
    ).rejects.toThrow('socket hang up');
    expect(await transientEntries(broken)).toEqual([]);
  });

  it('never reach the handler: a malformed $$.State is named as bad input', async () => {
    const world = await runningWorld();
    const attempt = run(world, 'preflightRelease', {
      releaseId: world.releaseId,
      taskState: { Name: 'Preflight' },
    });
    await expect(attempt).rejects.toThrow(InvalidInputError);
    await expect(attempt).rejects.toThrow('preflightRelease: invalid input: taskState: expected $$.State');
  });
});
