import { describe, expect, it } from 'vitest';
import { abortAlarmDescription } from '../../lambdas/core/abort-alarm';
import { abortAlarmName } from '../../lambdas/core/naming';
import {
  auditActions,
  EAST,
  type Json,
  midReleaseWorld,
  run,
  runningWorld,
  setReleaseStatus,
  WEST,
  type World,
  workload,
} from './world';

const ALARM = `auth-${EAST}-canary-errors`;

const alarmEvent = (id: string, value = 'ALARM', alarmName = ALARM, description?: string) => ({
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
    ...(description !== undefined && { configuration: { description } }),
    state: { value, reason: 'Threshold Crossed: 1 datapoint [7.5] was greater than the threshold (5.0).' },
    previousState: { value: 'OK' },
  },
});

const onAlarm = (world: World, event: ReturnType<typeof alarmEvent>) =>
  run(world, 'onAlarm', event) as Promise<{ rolledBack: string[]; ignored?: string; traffic?: Json }>;

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

describe("onAlarm: Switchyard's abort alarm puts the canary's traffic back on stable first", () => {
  const subject = (world: World, region = EAST) => ({ releaseId: world.releaseId, region, service: 'auth' });
  /** The event CloudWatch sends for auth's abort alarm, its description as Switchyard wrote it. */
  const abortEvent = (world: World, id: string, region = EAST) =>
    alarmEvent(
      id,
      'ALARM',
      abortAlarmName(world.releaseId, region, 'auth'),
      abortAlarmDescription(subject(world, region)),
    );
  const returned = async (world: World) =>
    (await world.ports.store.listAudit(world.releaseId)).filter(
      (entry) => entry.action === 'alarm.traffic-returned',
    );

  it('moves auth in us-east-1 to 100/0 before the rollback starts, audited once for a duplicate event', async () => {
    const world = await midReleaseWorld();
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 75, canary: 25 });
    const output = await onAlarm(world, abortEvent(world, 'event-1'));
    expect(output).toMatchObject({
      rolledBack: [world.releaseId],
      traffic: { service: 'auth', region: EAST, returned: true, from: { stable: 75, canary: 25 } },
    });
    expect(world.ports.traffic.calls).toEqual([
      { service: 'auth', region: EAST, weights: { stable: 100, canary: 0 } },
    ]);
    const actions = await auditActions(world);
    expect(actions.indexOf('alarm.traffic-returned')).toBeLessThan(actions.indexOf('alarm.received'));
    // web (replica ratio) is left to the rollback: the alarm named auth only.
    expect(world.ports.cluster.deployment(workload(EAST, 'web'), 'canary')?.replicas).toBeGreaterThan(0);

    expect(await onAlarm(world, abortEvent(world, 'event-1'))).toMatchObject({
      duplicate: true,
      traffic: { returned: false, why: expect.stringContaining('on stable already') },
    });
    expect(world.ports.traffic.calls).toHaveLength(1);
    expect(await returned(world)).toEqual([
      expect.objectContaining({
        service: 'auth',
        region: EAST,
        key: `alarm/${abortAlarmName(world.releaseId, EAST, 'auth')}/traffic-returned`,
        detail: expect.objectContaining({ from: { stable: 75, canary: 25 }, to: { stable: 100, canary: 0 } }),
      }),
    ]);
  });

  it("leaves the rollback's own return harmless: it finds traffic on stable and ends there", async () => {
    const world = await midReleaseWorld();
    await onAlarm(world, abortEvent(world, 'event-1'));
    await run(world, 'beginRollback', { releaseId: world.releaseId });
    expect(
      await run(world, 'returnTrafficToStable', { releaseId: world.releaseId, region: EAST }),
    ).toMatchObject({ waitSeconds: 0 });
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 100, canary: 0 });
    expect(await auditActions(world)).toContain('rollback.traffic-restored');
  });

  it('moves nothing while stable is not ready, and the rollback still starts', async () => {
    const world = await midReleaseWorld();
    world.ports.cluster.scriptRolloutStatus(workload(EAST, 'auth'), 'stable', ['progressing']);
    expect(await onAlarm(world, abortEvent(world, 'event-1'))).toMatchObject({
      rolledBack: [world.releaseId],
      traffic: { returned: false, why: expect.stringContaining('auth: 0 of 4 stable replicas ready') },
    });
    expect(world.ports.traffic.calls).toEqual([]);
    expect(world.ports.traffic.weightsOf('auth', EAST)).toEqual({ stable: 75, canary: 25 });
    expect(await returned(world)).toEqual([]);
  });

  it('moves nothing for a service whose rollback ramps its traffic back', async () => {
    const world = await midReleaseWorld((plan: Json) => {
      const auth = (plan.services as Json[]).find((service) => service.name === 'auth')!;
      auth.rollback = { ramp: { steps: [10, 0], interval: '45s' } };
    });
    expect(await onAlarm(world, abortEvent(world, 'event-1'))).toMatchObject({
      rolledBack: [world.releaseId],
      traffic: { returned: false, why: expect.stringContaining('ramps its traffic back') },
    });
    expect(world.ports.traffic.calls).toEqual([]);
  });

  it('moves nothing for a user alarm, whatever its description says, nor for an alarm the release does not watch', async () => {
    const world = await midReleaseWorld();
    // A user's alarm that copies Switchyard's description: its name is not the subject's.
    const copied = alarmEvent('event-1', 'ALARM', ALARM, abortAlarmDescription(subject(world)));
    expect((await onAlarm(world, copied)).traffic).toBeUndefined();
    expect(world.ports.traffic.calls).toEqual([]);

    const other = await midReleaseWorld();
    // us-west-2's abort alarm of this release was never made, so it is not watched.
    expect(await onAlarm(other, { ...abortEvent(other, 'event-2', WEST), region: WEST })).toMatchObject({
      rolledBack: [],
      traffic: { returned: false, why: expect.stringContaining('does not watch') },
    });
    expect(other.ports.traffic.calls).toEqual([]);
  });

  it('moves nothing when the event comes from another region than the one its description names', async () => {
    const world = await midReleaseWorld();
    const event = { ...abortEvent(world, 'event-1'), region: WEST };
    expect((await onAlarm(world, event)).traffic).toBeUndefined();
    expect(world.ports.traffic.calls).toEqual([]);
  });
});
