/**
 * The rollback window: after the last wave the release is MONITORING, its alarms still watched
 * and the lock held, until its window ends. An alarm within a region's window rolls every wave
 * back; after it, nothing. A person can close it early (promote), audited with the caller.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { promoteRelease } from '../../../lambdas/app/rollback-window';
import { submitRelease } from '../../../lambdas/app/submit-release';
import { RELEASE_LOCK_SCOPE } from '../../../lambdas/core/naming';
import { loadPlan } from '../../../lambdas/core/plan/load';
import { resolvePlan } from '../../../lambdas/core/plan/resolve';
import { createLocalPlatform } from '../../../rehearsal/rehearse';
import { dynamoDbLocalClient } from '../../support/dynamodb';
import { expectRolledBack, fixtureFaults, rehearseExample } from '../fixtures/rehearsal';

const ALARM = 'switchyard-rollback-platform-5xx';
const WINDOW_SECONDS = 30 * 60;

describe('the reference platform’s 30-minute rollback window', () => {
  it('rolls every wave back to its previous images when the 5xx alarm fires 10 minutes after the last wave', async () => {
    const result = await rehearseExample('platform.yaml', 'faults/alarm-in-rollback-window.yaml');
    expectRolledBack(result);
    expect(result.reason).toContain(`alarm ${ALARM} in us-east-1 entered ALARM`);
    // Every service of every wave: 13 + 8 + 10 service-regions, all back on their previous image.
    const services = Object.values(result.regions).flatMap((region) => Object.values(region));
    expect(services).toHaveLength(31);
    for (const service of services) {
      expect(service.status).toBe('ROLLED_BACK');
      expect(service.image).toBe(service.previousImage);
    }
    const window = result.rollbackWindow!;
    expect(window.endsAtSeconds - window.opensAtSeconds).toBe(WINDOW_SECONDS);
    expect(window).toMatchObject({
      closedBy: 'alarm',
      closer: ALARM,
      closedAtSeconds: window.opensAtSeconds + 600,
    });
    // The window opened once every wave was done, and the release was MONITORING in it.
    const actions = result.audit.map((entry) => entry.action);
    expect(actions.indexOf('release.monitoring')).toBeGreaterThan(actions.lastIndexOf('wave.completed'));
    expect(actions).not.toContain('release.succeeded');
    expect(result.lock.atEnd).toBe('free');
  }, 120_000);

  it('rolls nothing back when the alarm fires 40 minutes after the last wave, after the window', async () => {
    const result = await rehearseExample('platform.yaml', 'faults/alarm-after-rollback-window.yaml');
    expect(result.status).toBe('SUCCEEDED');
    const services = Object.values(result.regions).flatMap((region) => Object.values(region));
    expect(services.every((service) => service.status === 'COMPLETED')).toBe(true);
    expect(result.rollbackWindow).toMatchObject({ closedBy: 'ended' });
    const succeeded = result.audit.find((entry) => entry.action === 'release.succeeded')!;
    expect(succeeded.atSeconds).toBe(result.rollbackWindow!.endsAtSeconds);
    expect(result.audit.map((entry) => entry.action)).not.toContain('rollback.started');
    // The alarm did fire, 40 minutes after the last wave, and the handler rolled nothing back.
    expect(result.alarmDeliveries).toEqual([
      {
        atSeconds: result.rollbackWindow!.opensAtSeconds + 2400,
        alarmName: ALARM,
        region: 'us-east-1',
        rolledBack: [],
      },
    ]);
  }, 120_000);
});

/** The two-region fixture with a 20-minute window, 5 minutes in us-west-2, and a rollback alarm. */
function windowedPlatform(faults: string) {
  const text = readFileSync(new URL('../fixtures/two-regions.yaml', import.meta.url), 'utf8')
    .replace('waves: { bake: 2m }', `waves: { bake: 2m, rollbackWindow: 20m }\nrollbackAlarms: [${ALARM}]`)
    .replace(
      '{ name: us-west-2, cluster: usw2, wave: 2,',
      '{ name: us-west-2, cluster: usw2, wave: 2, rollbackWindow: 5m,',
    );
  const loaded = loadPlan(text);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const plan = resolvePlan(loaded.plan);
  return {
    plan,
    document: loaded.plan,
    platform: createLocalPlatform({
      plan,
      faults: fixtureFaults(faults, plan),
      seed: 1,
      dynamoDb: dynamoDbLocalClient(),
    }),
  };
}

describe('a rollback window per region', () => {
  it("ignores an alarm in a region whose own window has ended, while another region's is still open", async () => {
    const {
      plan,
      document,
      platform: started,
    } = windowedPlatform(
      `faults: [{ type: alarm, alarmName: ${ALARM}, region: us-west-2, after: lastWave, at: 10m }]`,
    );
    const platform = await started;
    const releaseId = plan.releaseId;
    await platform.scheduler.track(submitRelease(platform.ports, document, 'test'));
    expect(await platform.runUntilIdle()).toBe('finished');

    const release = (await platform.store.getRelease(releaseId))!;
    expect(release.status).toBe('SUCCEEDED');
    const audit = await platform.store.listAudit(releaseId, { limit: 1000 });
    const opened = audit.find((entry) => entry.action === 'release.monitoring')!;
    const regions = opened.detail?.regions as Record<string, string>;
    expect(Date.parse(regions['us-west-2']!) - Date.parse(opened.at)).toBe(5 * 60_000);
    expect(Date.parse(regions['us-east-1']!) - Date.parse(opened.at)).toBe(20 * 60_000);
    // 10 minutes in: us-west-2's window had ended, us-east-1's had not. The alarm was read and left.
    const ignored = audit.find((entry) => entry.action === 'alarm.after-window')!;
    expect(ignored).toMatchObject({ region: 'us-west-2', detail: { alarmName: ALARM } });
    expect(Date.parse(ignored.at) - Date.parse(opened.at)).toBe(10 * 60_000);
    expect(audit.map((entry) => entry.action)).not.toContain('rollback.started');
    const succeeded = audit.find((entry) => entry.action === 'release.succeeded')!;
    expect(Date.parse(succeeded.at) - Date.parse(opened.at)).toBe(20 * 60_000);
  }, 120_000);

  it('a person’s promote closes the window early: SUCCEEDED, the lock free, audited with the caller', async () => {
    const { plan, document, platform: started } = windowedPlatform('faults: []');
    const platform = await started;
    const releaseId = plan.releaseId;
    await platform.scheduler.track(submitRelease(platform.ports, document, 'test'));
    const monitoring = () =>
      platform.events.published.find((event) => event.detailType === 'Release Monitoring');
    await platform.runUntilIdle(() => monitoring() !== undefined);
    expect((await platform.store.getRelease(releaseId))?.status).toBe('MONITORING');
    expect((await platform.store.getLock(RELEASE_LOCK_SCOPE))?.releaseId).toBe(releaseId);
    // A minute into the window (its wait has parked its token by then).
    const openedAtMs = monitoring()!.at.getTime();
    await platform.runUntilIdle(() => platform.scheduler.now().getTime() >= openedAtMs + 60_000);
    const promoted = await platform.scheduler.track(promoteRelease(platform.ports, releaseId, 'alice'));
    expect(promoted.promotedBy).toBe('alice');
    expect(await platform.runUntilIdle()).toBe('finished');

    expect((await platform.store.getRelease(releaseId))?.status).toBe('SUCCEEDED');
    expect(await platform.store.getLock(RELEASE_LOCK_SCOPE)).toBeUndefined();
    const audit = await platform.store.listAudit(releaseId, { limit: 1000 });
    const entry = audit.find((candidate) => candidate.action === 'release.promoted')!;
    expect(entry.actor).toBe('alice');
    const opened = audit.find((candidate) => candidate.action === 'release.monitoring')!;
    const succeeded = audit.find((candidate) => candidate.action === 'release.succeeded')!;
    expect(Date.parse(succeeded.at) - Date.parse(opened.at)).toBeLessThan(20 * 60_000);
    // A second promote finds nothing to close.
    await expect(promoteRelease(platform.ports, releaseId, 'bob')).rejects.toThrow(
      `release ${releaseId} is SUCCEEDED: promote closes a rollback window, which opens after the last wave`,
    );
  }, 120_000);
});
