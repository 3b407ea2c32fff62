/**
 * The alarm path: a CloudWatch "Alarm State Change" into ALARM, delivered by EventBridge (at
 * least once), stops every running release watching that alarm and starts its rollback
 * (app/start-rollback.ts), and every release in its rollback window whose region's window the
 * alarm falls in (core/rollback-window.ts). When the alarm is Switchyard's own abort alarm of one canary, that
 * canary's traffic goes back on a ready stable first (app/alarm-traffic.ts). The conditional
 * RUNNING → ROLLING_BACK move and the rollback's execution name make a duplicate delivery start
 * nothing new, and let a retry finish what a failed delivery began.
 */
import * as z from 'zod';
import { type AlarmTrafficOutcome, returnTrafficOnAlarm } from '../app/alarm-traffic';
import { startRollback } from '../app/start-rollback';
import { auditBySwitchyard } from '../app/switchyard-audit';
import { abortAlarmSubject } from '../core/abort-alarm';
import { withinRegionWindow } from '../core/rollback-window';
import { defineHandler } from './define';

export const AlarmStateChangeEvent = z
  .object({
    id: z.string().min(1),
    'detail-type': z.literal('CloudWatch Alarm State Change'),
    region: z.string().min(1),
    time: z.string().optional(),
    detail: z
      .object({
        alarmName: z.string().min(1),
        // The alarm's description, in every state change event:
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
        configuration: z.object({ description: z.string().optional() }).passthrough().optional(),
        state: z.object({ value: z.string(), reason: z.string().optional() }).passthrough(),
      })
      .passthrough(),
  })
  .passthrough();

/** How long an event id is remembered: EventBridge retries within 24 hours. */
const EVENT_MEMORY_SECONDS = 2 * 24 * 3600;

export const onAlarm = defineHandler({
  name: 'onAlarm',
  ports: ['store', 'workflow', 'clock', 'events', 'traffic', 'cluster'],
  input: AlarmStateChangeEvent,
  async run(event, ports) {
    const alarmName = event.detail.alarmName;
    if (event.detail.state.value !== 'ALARM')
      return { alarmName, rolledBack: [], ignored: 'not an ALARM state' };
    const rolledBack: string[] = [];
    const alarmReason = `alarm ${alarmName} in ${event.region} entered ALARM`;
    const watching = ports.store.releasesWatching(alarmName);
    // Only an alarm whose name is Switchyard's for the canary its description names, in the
    // region it fired in: a user's alarm names no one service.
    const subject = abortAlarmSubject(alarmName, event.detail.configuration?.description);
    let traffic: AlarmTrafficOutcome | undefined;
    if (subject?.region === event.region) {
      // A failure here leaves the traffic to the rollback, which must still start.
      traffic = await returnTrafficOnAlarm(ports, subject, { alarmName, eventId: event.id, watching }).catch(
        (error: unknown): AlarmTrafficOutcome => ({
          service: subject.service,
          region: subject.region,
          returned: false,
          why: `${(error as Error).name}: ${(error as Error).message}`,
        }),
      );
    }
    // When the alarm changed state (EventBridge's `time`), not when the event arrived.
    const changedAt =
      event.time && !Number.isNaN(Date.parse(event.time)) ? new Date(event.time) : ports.clock.now();
    const afterWindow: string[] = [];
    for (const releaseId of await watching) {
      const release = await ports.store.getRelease(releaseId);
      if (!release) continue;
      const reason = `${alarmReason}${event.detail.state.reason ? `: ${event.detail.state.reason}` : ''}`;
      // In its rollback window a release is rolled back only for an alarm within its region's window.
      if (
        release.status === 'MONITORING' &&
        release.rollbackWindow &&
        !withinRegionWindow(release.rollbackWindow, event.region, changedAt)
      ) {
        await auditBySwitchyard(ports, 'alarm.after-window', {
          releaseId,
          key: `alarm/${alarmName}/${event.id}/after-window`,
          region: event.region,
          detail: {
            alarmName,
            eventId: event.id,
            windowEndedAt: release.rollbackWindow.regions[event.region] ?? null,
          },
        });
        afterWindow.push(releaseId);
        continue;
      }
      const outcome = await startRollback(ports, release, {
        from: ['RUNNING', 'MONITORING'],
        reason,
        audit: () => ({
          action: 'alarm.received',
          key: `alarm/${alarmName}`,
          actor: 'cloudwatch',
          region: event.region,
          detail: { alarmName, eventId: event.id, reason },
        }),
        stopError: 'AlarmTriggeredRollback',
        // This alarm's rollback, moved by an earlier delivery that may have failed half-way: the
        // stop and the start are safe to repeat, so finishing them again is harmless.
        isOwnRollback: (current) => current.reason?.startsWith(alarmReason) ?? false,
      });
      if (outcome.outcome === 'started' && outcome.started) rolledBack.push(releaseId);
    }
    const firstDelivery = await ports.store.markEventSeen(event.id, EVENT_MEMORY_SECONDS);
    return {
      alarmName,
      rolledBack,
      ...(afterWindow.length > 0 && { afterWindow }),
      ...(traffic && { traffic }),
      ...(firstDelivery ? {} : { duplicate: true }),
    };
  },
});
