/**
 * Each canary's abort alarm, made when the canary starts and deleted when it ends (promoted, or
 * rolled back): the release watches it like the alarms its plan names, so an ALARM rolls it back
 * through the alarm path with no setup by the user.
 */
import { abortLimits } from '../core/abort-alarm';
import { abortAlarmName } from '../core/naming';
import type { Ports, TrafficReader } from '../ports';
import type { ReleaseContext } from './release-context';
import { auditBySwitchyard } from './switchyard-audit';

type AlarmPorts = Pick<Ports, 'abortAlarms' | 'store' | 'clock'>;

/** Makes the canary's abort alarm (when it gets one) and watches it; safe to repeat. */
export async function makeAbortAlarm(
  ports: AlarmPorts,
  traffic: TrafficReader,
  context: ReleaseContext,
  region: string,
  service: string,
): Promise<string | undefined> {
  const limits = abortLimits(context.service(service));
  const target = context.trafficTarget(region, service);
  if (!limits || !target) return undefined;
  const name = abortAlarmName(context.releaseId, region, service);
  const resolved = await traffic.resolve(target);
  // Watched first: an alarm that fires the moment it exists must find its release.
  await ports.store.watchAlarms(context.releaseId, [name]);
  const made = await ports.abortAlarms.ensure({
    name,
    releaseId: context.releaseId,
    region,
    service,
    traffic: resolved,
    limits,
  });
  if (made === 'created')
    await auditBySwitchyard(ports, 'abort-alarm.created', {
      releaseId: context.releaseId,
      key: `${region}/${service}/abort-alarm/created`,
      region,
      service,
      detail: { alarmName: name, ...limits },
    });
  return name;
}

/** Deletes the canary's abort alarm when Switchyard made one; absent is done. */
export async function removeAbortAlarm(
  ports: AlarmPorts,
  context: ReleaseContext,
  region: string,
  service: string,
): Promise<void> {
  if (!abortLimits(context.service(service)) || !context.trafficTarget(region, service)) return;
  const name = abortAlarmName(context.releaseId, region, service);
  if ((await ports.abortAlarms.remove(region, name)) === 'deleted')
    await auditBySwitchyard(ports, 'abort-alarm.deleted', {
      releaseId: context.releaseId,
      key: `${region}/${service}/abort-alarm/deleted`,
      region,
      service,
      detail: { alarmName: name },
    });
}

/** Every abort alarm of the release: what a rollback's end deletes. */
export async function removeAbortAlarms(ports: AlarmPorts, context: ReleaseContext): Promise<void> {
  for (const region of context.plan.regions)
    for (const service of region.services) await removeAbortAlarm(ports, context, region.name, service);
}
