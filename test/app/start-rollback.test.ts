/**
 * Every rollback starts through app/start-rollback.ts: the alarm handler, the API's abort and
 * rollback, and the release machine's failure path name the same execution and pass the same input.
 */
import { describe, expect, it } from 'vitest';
import { abortRelease } from '../../lambdas/app/abort-release';
import { RefusedError } from '../../lambdas/app/refusal';
import { rollbackRelease } from '../../lambdas/app/rollback-release';
import { type RollbackStart, startRollback } from '../../lambdas/app/start-rollback';
import { invokeHandler } from '../../lambdas/handlers/define';
import { handlers } from '../../lambdas/handlers/index';
import type { ReleaseStatus } from '../../lambdas/ports';
import { type FakePorts, fakePorts } from '../support/fakes';

const RELEASE_ID = 'rel-1';
const ALARM = 'auth-us-east-1-canary-errors';

/** A running release stopped and rolled back at bob's request. */
const BOB_STOPS_IT: RollbackStart = {
  from: ['RUNNING'],
  reason: 'because',
  audit: () => ({ key: 'asked', action: 'rollback.requested', actor: 'bob' }),
  stopError: 'ReleaseAbortedError',
};

async function releaseIn(status: ReleaseStatus): Promise<FakePorts> {
  const ports = fakePorts();
  const at = ports.clock.now().toISOString();
  const { executionArn } = await ports.workflow.startExecution('release', RELEASE_ID, {
    releaseId: RELEASE_ID,
  });
  await ports.store.createRelease(
    {
      releaseId: RELEASE_ID,
      status,
      planHash: 'hash',
      createdAt: at,
      updatedAt: at,
      executionArn,
      kind: 'release',
    },
    {},
  );
  await ports.store.watchAlarms(RELEASE_ID, [ALARM]);
  return ports;
}

const alarmEvent = {
  id: 'event-1',
  'detail-type': 'CloudWatch Alarm State Change',
  region: 'us-east-1',
  detail: { alarmName: ALARM, state: { value: 'ALARM', reason: 'Threshold Crossed' } },
};

/** The three ways a rollback is asked for, each giving the execution it names. */
const paths = {
  alarm: async (ports: FakePorts) => {
    await invokeHandler(handlers.onAlarm, alarmEvent, ports);
    return ports.workflow.started.filter((execution) => execution.machine === 'rollback').at(-1)!;
  },
  api: async (ports: FakePorts) => {
    await abortRelease(ports, RELEASE_ID, 'alice');
    return ports.workflow.started.filter((execution) => execution.machine === 'rollback').at(-1)!;
  },
  /** The release machine starts it natively with what this Task returns. */
  releaseFailure: async (ports: FakePorts) =>
    (await invokeHandler(handlers.chooseReleaseRollback, { releaseId: RELEASE_ID }, ports)) as {
      name: string;
      input: Record<string, unknown>;
    },
};

describe('starting a rollback', () => {
  it('the alarm, the API and the release failure path name the same execution, with the same input', async () => {
    const named = [];
    for (const path of Object.values(paths)) {
      const { name, input } = await path(await releaseIn('RUNNING'));
      named.push({ name, input });
    }
    expect(named).toEqual(
      Array(3).fill({ name: `${RELEASE_ID}-rollback`, input: { releaseId: RELEASE_ID } }),
    );
  });

  it('after a rollback ended without success, every path names the next attempt', async () => {
    for (const path of Object.values(paths)) {
      const ports = await releaseIn('RUNNING');
      await ports.workflow.startExecution('rollback', `${RELEASE_ID}-rollback`, { releaseId: RELEASE_ID });
      ports.workflow.executions.get(
        ports.workflow.executionArnFor('rollback', `${RELEASE_ID}-rollback`),
      )!.status = 'FAILED';
      expect((await path(ports)).name).toBe(`${RELEASE_ID}-rollback-2`);
    }
  });

  it('joins the rollback already running instead of starting another', async () => {
    const ports = await releaseIn('RUNNING');
    await paths.alarm(ports);
    const answer = await abortRelease(ports, RELEASE_ID, 'alice');
    expect(answer).toMatchObject({ status: 'ROLLING_BACK', started: false });
    expect(answer.rollback.executionArn).toBe(
      ports.workflow.executionArnFor('rollback', `${RELEASE_ID}-rollback`),
    );
    expect(await paths.releaseFailure(ports)).toMatchObject({ name: `${RELEASE_ID}-rollback` });
    expect(ports.workflow.started.filter((execution) => execution.machine === 'rollback')).toHaveLength(1);
  });

  it('moves the release, records who asked, stops its execution, then starts the rollback', async () => {
    const ports = await releaseIn('RUNNING');
    const release = (await ports.store.getRelease(RELEASE_ID))!;
    const outcome = await startRollback(ports, release, BOB_STOPS_IT);
    expect(outcome).toMatchObject({ outcome: 'started', started: true });
    expect(await ports.store.getRelease(RELEASE_ID)).toMatchObject({
      status: 'ROLLING_BACK',
      reason: 'because',
    });
    expect(
      (await ports.store.listAudit(RELEASE_ID)).map((entry) => [entry.action, entry.actor]),
    ).toContainEqual(['rollback.requested', 'bob']);
    expect(ports.workflow.stopped).toEqual([
      { executionArn: release.executionArn, error: 'ReleaseAbortedError', cause: 'because' },
    ]);
  });

  it('does nothing to a release that is none of the statuses it moves from', async () => {
    const ports = await releaseIn('SUCCEEDED');
    const release = (await ports.store.getRelease(RELEASE_ID))!;
    const outcome = await startRollback(ports, release, BOB_STOPS_IT);
    expect(outcome).toEqual({ outcome: 'not-eligible', release });
    expect(ports.workflow.started.filter((execution) => execution.machine === 'rollback')).toEqual([]);
    expect(ports.workflow.stopped).toEqual([]);
  });

  it('refuses what the eligibility rules refuse, with the release status as detail', async () => {
    const ports = await releaseIn('ROLLED_BACK');
    const refusal = await rollbackRelease(ports, RELEASE_ID, 'alice').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RefusedError);
    expect(refusal).toMatchObject({
      message: `release ${RELEASE_ID} is already rolled back`,
      details: { status: 'ROLLED_BACK' },
    });
  });

  it('rolls back a finished release without stopping anything', async () => {
    const ports = await releaseIn('SUCCEEDED');
    const answer = await rollbackRelease(ports, RELEASE_ID, 'alice');
    expect(answer).toMatchObject({ status: 'ROLLING_BACK', started: true });
    expect(ports.workflow.stopped).toEqual([]);
  });
});
