/**
 * The report's account of what happened to the release rather than by it, and of what it leaves:
 * alarms, outages and injected faults on the clock; the retries of each task; the regions lost
 * at the end; and what is left for a person, each with the CLI command that does it.
 */
import type { ReportInput } from './input';
import { type AuditEntry, alarmLabel, detailOf, switchyardAlarmNames, text } from './model-detail';
import type { Incident, Lane, LeftItem, Retry, Rollback } from './model-types';

type RehearsalError = NonNullable<ReportInput['errors']>[number];

export function buildIncidents(
  result: ReportInput,
  audit: readonly AuditEntry[],
  horizon: number,
): Incident[] {
  const incidents: Incident[] = [];
  const made = switchyardAlarmNames(audit);
  for (const entry of audit) {
    if (entry.action !== 'alarm.received') continue;
    const detail = detailOf(entry);
    incidents.push({
      kind: 'alarm',
      atSeconds: entry.atSeconds,
      ...(entry.region && { region: entry.region }),
      label: `alarm ${alarmLabel(text(detail.alarmName) ?? '', made)} received${text(detail.reason) ? `: ${text(detail.reason)}` : ''}`,
    });
  }
  for (const error of result.errors ?? []) {
    if (error.source !== 'alarmHandler' || !error.deadLettered) continue;
    incidents.push({
      kind: 'alarm',
      atSeconds: error.atSeconds,
      label: `alarm ${error.alarmName ?? ''} event dead-lettered after ${error.attempt ?? 3} attempts: it never reached the release`,
    });
  }
  for (const window of result.faults?.windows ?? []) {
    const until = window.untilSeconds;
    incidents.push({
      kind: window.type === 'regionOutage' ? 'outage' : 'fault',
      atSeconds: window.fromSeconds,
      ...(until !== undefined && until > window.fromSeconds && { untilSeconds: until }),
      ...(until === undefined && { open: true }),
      ...(window.region && { region: window.region }),
      ...(window.service && { service: window.service }),
      label:
        until === undefined
          ? `${window.label} (from here on)`
          : until > window.fromSeconds
            ? `${window.label} (until T+${until >= horizon ? 'end' : clock(until)})`
            : window.label,
    });
  }
  for (const failure of result.faults?.injected ?? []) {
    incidents.push({
      kind: 'injected',
      atSeconds: failure.atSeconds,
      ...(failure.region && { region: failure.region }),
      ...(failure.service && { service: failure.service }),
      label: `injected: ${failure.operation} failed with ${failure.error}`,
    });
  }
  return incidents.sort((a, b) => a.atSeconds - b.atSeconds);
}

function clock(seconds: number): string {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 3600)}:${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

const FAILURES = new Set([
  'task.transient-failure',
  'service.failed',
  'rollback.incomplete',
  'analysis.fail',
]);

/**
 * `task.transient-failure` entries as runs of attempts of one task (a new run starts at attempt
 * 1), and the alarm handler's failed invocations per event. A run went through when something of
 * the same region and service that is not a failure followed it.
 */
export function buildRetries(result: ReportInput, audit: readonly AuditEntry[]): Retry[] {
  const retries: Retry[] = [];
  const open = new Map<string, Retry & { attempt: number }>();
  for (const [index, entry] of audit.entries()) {
    if (entry.action !== 'task.transient-failure') continue;
    const detail = detailOf(entry);
    const state = text(detail.state) ?? text(detail.operation) ?? 'a task';
    const attempt = typeof detail.attempt === 'number' ? detail.attempt : 1;
    const key = JSON.stringify([state, entry.region, entry.service]);
    const error = [text(detail.error), text(detail.awsError) && `(${text(detail.awsError)})`]
      .filter(Boolean)
      .join(' ');
    let run = open.get(key);
    if (!run || attempt <= run.attempt) {
      run = {
        state,
        ...(text(detail.operation) && { operation: text(detail.operation)! }),
        ...(entry.region && { region: entry.region }),
        ...(entry.service && { service: entry.service }),
        failures: 0,
        firstSeconds: entry.atSeconds,
        lastSeconds: entry.atSeconds,
        errors: [],
        recovered: false,
        attempt,
      };
      open.set(key, run);
      retries.push(run);
    }
    run.failures += 1;
    run.attempt = attempt;
    run.lastSeconds = entry.atSeconds;
    if (error && !run.errors.includes(error)) run.errors.push(error);
    const message = text(detail.message);
    if (message) run.lastMessage = message;
    run.recovered = audit
      .slice(index + 1)
      .some(
        (later) =>
          later.region === entry.region &&
          (entry.service === undefined || later.service === entry.service) &&
          !FAILURES.has(later.action),
      );
  }
  const byEvent = new Map<string, RehearsalError[]>();
  for (const error of result.errors ?? []) {
    if (error.source !== 'alarmHandler') continue;
    const key = error.alarmName ?? error.operation;
    byEvent.set(key, [...(byEvent.get(key) ?? []), error]);
  }
  for (const [alarm, errors] of byEvent) {
    const last = errors.at(-1)!;
    retries.push({
      state: `alarm handler for ${alarm}`,
      operation: last.operation,
      failures: errors.length,
      firstSeconds: errors[0]!.atSeconds,
      lastSeconds: last.atSeconds,
      errors: [...new Set(errors.map((error) => error.error))],
      lastMessage: last.message,
      recovered: !last.deadLettered,
    });
  }
  return retries
    .map(({ attempt: _attempt, ...retry }: Retry & { attempt?: number }) => retry)
    .sort((a, b) => a.firstSeconds - b.firstSeconds);
}

/** Regions down when the record ends: as the result says of their services, or as an outage without an end. */
export function unreachableRegions(result: ReportInput, horizon: number): string[] {
  const regions = new Set(
    Object.entries(result.regions)
      .filter(([, services]) => Object.values(services).some((service) => service.unreachable))
      .map(([region]) => region),
  );
  for (const window of result.faults?.windows ?? []) {
    if (window.type === 'regionOutage' && window.region && (window.untilSeconds ?? Infinity) > horizon)
      regions.add(window.region);
  }
  return [...regions];
}

/**
 * What is left for a person when the record ends, in the order to do it. Every command is the
 * CLI's (it talks to the API `--api` or $SWITCHYARD_API names); nothing here names an HTTP route.
 */
export function leftForAPerson(
  result: ReportInput,
  audit: readonly AuditEntry[],
  rollback: Rollback | undefined,
  lanes: readonly Lane[],
  unreachable: readonly string[],
): LeftItem[] {
  const id = result.releaseId;
  const items: LeftItem[] = [];
  const failedOver = new Set<string>();
  for (const failover of [...(result.failovers ?? [])].sort((a, b) => a.atSeconds - b.atSeconds)) {
    if (failover.status !== 'SUCCEEDED') continue;
    if (failover.direction === 'failover') failedOver.add(failover.region);
    else failedOver.delete(failover.region);
  }
  const canFailOver = result.dns !== undefined || (result.failovers ?? []).length > 0;

  for (const region of unreachable) {
    const services = lanes.filter((lane) => lane.region === region && lane.outcome === 'unreachable');
    if (canFailOver && !failedOver.has(region)) {
      items.push({
        what: `Move traffic away from ${region}: it is unreachable, and the state of ${services.length > 0 ? `its ${services.length} touched services` : 'its services'} is unknown.`,
        command: `switchyard failover ${region}`,
        why: 'scales the other regions up, then sets its Route 53 weight to 0',
      });
    }
  }
  if (rollback && rollback.outcome !== 'completed') {
    const where =
      rollback.trafficNotRestored.length > 0 ? ` in ${rollback.trafficNotRestored.join(', ')}` : '';
    items.push({
      what:
        unreachable.length > 0
          ? `When ${unreachable.join(', ')} ${unreachable.length > 1 ? 'are' : 'is'} back, finish the rollback${where}: stable traffic to 100 %, workloads back to their snapshots.`
          : `Finish the rollback${where}: it ${rollback.outcome === 'incomplete' ? 'gave up' : 'had not finished when the record ends'}.`,
      command: `switchyard rollback ${id}`,
      ...(rollback.incompleteReason && { why: rollback.incompleteReason }),
    });
  }
  for (const region of new Set([...failedOver, ...unreachable.filter(() => canFailOver)])) {
    items.push({
      what: `Once ${region} is healthy${rollback && rollback.outcome !== 'completed' ? ' and its rollback is done' : ''}, return its traffic.`,
      command: `switchyard failback ${region}`,
      why: 'restores its Route 53 weight and the replicas the failover changed',
    });
  }

  // Approvals still waiting: asked for, never given nor expired.
  const answered = new Set(
    audit
      .filter((entry) => entry.action === 'approval.given' || entry.action === 'approval.expired')
      .map((entry) => text(detailOf(entry).approval)),
  );
  for (const entry of audit) {
    const name = text(detailOf(entry).approval);
    if (entry.action !== 'approval.requested' || !name || answered.has(name)) continue;
    if (result.status !== 'STALLED' && result.status !== 'RUNNING') continue;
    items.push({
      what: `${entry.service ?? 'A service'} in ${entry.region ?? 'a region'} waits for approval${text(detailOf(entry).reason) ? ` after ${text(detailOf(entry).reason)}` : ''}.`,
      command: `switchyard approve ${id} --approval ${name}`,
    });
    items.push({ what: 'Or stop the release and roll it back instead.', command: `switchyard abort ${id}` });
  }

  for (const error of result.errors ?? []) {
    if (error.source !== 'alarmHandler' || !error.deadLettered) continue;
    items.push({
      what: `Alarm ${error.alarmName ?? ''}'s event never reached the release (dead-lettered): check whether the alarm still fires, and roll back if it does.`,
      command: `switchyard rollback ${id}`,
    });
  }
  if (items.length > 0 || result.status === 'FAILED' || result.status === 'STALLED') {
    items.push({ what: 'Follow the release and read its audit.', command: `switchyard status ${id}` });
  }
  return dedupe(items);
}

function dedupe(items: readonly LeftItem[]): LeftItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.command}\n${item.what}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
