/**
 * The alarm path's first act (issue 15): when Switchyard's own abort alarm for a canary enters
 * ALARM, that canary's traffic goes back on stable at once, before the rollback starts, so bad
 * requests stop within a few calls of the event rather than after the rollback's own start.
 *
 * Calls, in sequence: [the watch query ∥ the plan ∥ the snapshot ∥ the release] → [the live
 * weights ∥ stable's rollout status ∥ its target group's health] → the write. Nothing moves for an
 * alarm the release does not watch, a service whose rollback ramps its traffic back, or a stable
 * that is not ready (the same judgement as the rollback's): the rollback state machine does those
 * as it always does, scaling stable back first.
 */
import type { AbortAlarmSubject } from '../core/abort-alarm';
import { auditEntry } from '../core/audit';
import type { Ports, Weights } from '../ports';
import { loadReleaseContext } from './release-context';
import { stableReadiness } from './stable-readiness';

/** What the alarm path did with the canary's traffic, for the handler's answer. */
export type AlarmTrafficOutcome =
  | { service: string; region: string; returned: true; from: Weights }
  | { service: string; region: string; returned: false; why: string };

/** Statuses in which a release's canary may still have traffic to take back. */
const ACTING_STATUSES: ReadonlySet<string> = new Set(['RUNNING', 'ROLLING_BACK']);

const ON_STABLE: Weights = { stable: 100, canary: 0 };

export async function returnTrafficOnAlarm(
  ports: Pick<Ports, 'store' | 'traffic' | 'cluster' | 'clock'>,
  subject: AbortAlarmSubject,
  alarm: { alarmName: string; eventId: string; watching: Promise<string[]> },
): Promise<AlarmTrafficOutcome> {
  const { releaseId, region, service } = subject;
  const skipped = (why: string): AlarmTrafficOutcome => ({ service, region, returned: false, why });
  const [watching, context, snapshot, release] = await Promise.all([
    alarm.watching,
    loadReleaseContext(ports.store, releaseId),
    ports.store.getSnapshot(releaseId, region, service),
    ports.store.getRelease(releaseId),
  ]);
  if (!watching.includes(releaseId)) return skipped(`release ${releaseId} does not watch ${alarm.alarmName}`);
  if (!release || !ACTING_STATUSES.has(release.status))
    return skipped(`release ${releaseId} is ${release?.status ?? 'unknown'}`);
  const target = context.trafficTarget(region, service);
  if (!target) return skipped(`${service} has no load balancer in ${region}`);
  if (context.service(service).rollbackRamp)
    return skipped(`${service} ramps its traffic back: the rollback steps it`);
  if (!snapshot) return skipped(`${service} in ${region} has no snapshot: the release has not touched it`);

  // Judged while the weights are read; a failed read is a reason, never a move.
  const readiness = stableReadiness(ports, context, region, { service, snapshot }).catch(
    (error: unknown) => `${service}: stable could not be read (${(error as Error).message})`,
  );
  let from: Weights | undefined;
  let notReady: string | undefined;
  await ports.traffic.setWeights(target, ON_STABLE, undefined, async (live) => {
    from = live;
    if (live.canary === 0) return false;
    notReady = await readiness;
    return notReady === undefined;
  });
  if (notReady !== undefined) return skipped(`stable is not ready: ${notReady}`);
  if (!from || from.canary === 0) return skipped(`${service}'s traffic in ${region} is on stable already`);
  await ports.store.appendAudit(
    auditEntry('alarm.traffic-returned', {
      releaseId,
      // One entry however many times EventBridge delivers the event.
      key: `alarm/${alarm.alarmName}/traffic-returned`,
      at: ports.clock.now().toISOString(),
      actor: 'switchyard',
      region,
      service,
      detail: { alarmName: alarm.alarmName, eventId: alarm.eventId, from, to: ON_STABLE },
    }),
  );
  return { service, region, returned: true, from };
}
