import { describe, expect, it } from 'vitest';
import { auditActions, EAST, run, runningWorld, setReleaseStatus, type World } from './world';

const ALARM = `auth-${EAST}-canary-errors`;

const alarmEvent = (id: string, value = 'ALARM', alarmName = ALARM) => ({
  version: '0',
  id,
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '123456789012',
  time: '2026-11-22T10:05:00Z',
  region: EAST,
  resources: [`arn:aws:cloudwatch:${EAST}:123456789012:alarm:${alarmName}`],
  detail: {
    alarmName,
    state: { value, reason: 'Threshold Crossed: 1 datapoint [7.5] was greater than the threshold (5.0).' },
    previousState: { value: 'OK' },
  },
});

const onAlarm = (world: World, event: ReturnType<typeof alarmEvent>) =>
  run(world, 'onAlarm', event) as Promise<{ rolledBack: string[]; ignored?: string }>;

const rollbackStarts = (world: World) =>
  world.ports.workflow.started.filter((execution) => execution.machine === 'rollback');

describe('onAlarm', () => {
  it('stops the release execution and starts <release>-rollback with { releaseId }', async () => {
    const world = await runningWorld();
    expect(await onAlarm(world, alarmEvent('event-1'))).toMatchObject({ rolledBack: [world.releaseId] });

    expect(world.ports.workflow.stopped).toEqual([
      {
        executionArn: world.ports.workflow.executionArnFor('release', world.releaseId),
        error: 'AlarmTriggeredRollback',
        cause: expect.stringContaining(`alarm ${ALARM} in ${EAST} entered ALARM`),
      },
    ]);
    expect(rollbackStarts(world).map(({ name, input }) => ({ name, input }))).toEqual([
      { name: `${world.releaseId}-rollback`, input: { releaseId: world.releaseId } },
    ]);
    const release = await world.ports.store.getRelease(world.releaseId);
    expect(release?.status).toBe('ROLLING_BACK');
    expect(release?.reason).toContain(ALARM);
    expect(await auditActions(world)).toContain('alarm.received');
  });

  it('rolls back once when the same event is delivered twice', async () => {
    const world = await runningWorld();
    await onAlarm(world, alarmEvent('event-1'));
    expect(await onAlarm(world, alarmEvent('event-1'))).toEqual({
      alarmName: ALARM,
      rolledBack: [],
      duplicate: true,
    });
    expect(rollbackStarts(world)).toHaveLength(1);
    expect(world.ports.workflow.stopped).toHaveLength(1);
    expect((await auditActions(world)).filter((action) => action === 'alarm.received')).toHaveLength(1);
  });

  it('a retried delivery finishes a rollback whose start failed the first time', async () => {
    const world = await runningWorld();
    const start = world.ports.workflow.startExecution.bind(world.ports.workflow);
    let failures = 1;
    world.ports.workflow.startExecution = async (...args) => {
      if (failures-- > 0) throw new Error('Step Functions is unavailable');
      return start(...args);
    };
    await expect(onAlarm(world, alarmEvent('event-1'))).rejects.toThrow('unavailable');
    expect(rollbackStarts(world)).toHaveLength(0);

    expect(await onAlarm(world, alarmEvent('event-1'))).toMatchObject({ rolledBack: [world.releaseId] });
    expect(rollbackStarts(world)).toHaveLength(1);
    expect((await world.ports.store.getRelease(world.releaseId))?.status).toBe('ROLLING_BACK');
  });

  it('rolls back once when two deliveries carry different ids (a second alarm period)', async () => {
    const world = await runningWorld();
    await onAlarm(world, alarmEvent('event-1'));
    expect(await onAlarm(world, alarmEvent('event-2'))).toMatchObject({ rolledBack: [] });
    expect(rollbackStarts(world)).toHaveLength(1);
  });

  it.each(['SUCCEEDED', 'ROLLING_BACK', 'ROLLED_BACK', 'FAILED'] as const)(
    'leaves a release that is %s alone',
    async (status) => {
      const world = await runningWorld();
      await setReleaseStatus(world, status);
      expect(await onAlarm(world, alarmEvent('event-1'))).toMatchObject({ rolledBack: [] });
      expect(world.ports.workflow.stopped).toEqual([]);
      expect(rollbackStarts(world)).toEqual([]);
      expect((await world.ports.store.getRelease(world.releaseId))?.status).toBe(status);
    },
  );

  it('ignores a transition to OK and an alarm no release watches', async () => {
    const world = await runningWorld();
    expect(await onAlarm(world, alarmEvent('event-1', 'OK'))).toMatchObject({
      ignored: 'not an ALARM state',
    });
    expect(await onAlarm(world, alarmEvent('event-2', 'ALARM', 'someone-elses-alarm'))).toMatchObject({
      rolledBack: [],
    });
    expect(world.ports.workflow.stopped).toEqual([]);
    expect((await world.ports.store.getRelease(world.releaseId))?.status).toBe('RUNNING');
  });
});
