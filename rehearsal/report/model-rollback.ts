/** The report's rollback: what set it off, its steps in order, and how it ended. */
import { formatDuration } from '../../lambdas/core/duration';
import { rollbackTiming } from '../rollback-timing';
import { type AuditEntry, detailOf, number, strings, text } from './model-detail';
import type { Lane, Rollback, RollbackStep } from './model-types';

export function buildRollback(
  audit: readonly AuditEntry[],
  started: AuditEntry,
  entries: readonly AuditEntry[],
  lanes: readonly Lane[],
): Rollback {
  const startedDetail = detailOf(started);
  // The same reading of the audit as the rehearsal's counter: the figures never disagree.
  const timing = rollbackTiming(audit);
  const regions = strings(startedDetail.regions);
  const trafficRestored = timing?.trafficRestored ?? [];
  const rollback: Rollback = {
    startedSeconds: started.atSeconds,
    fromSeconds: timing?.fromSeconds ?? started.atSeconds,
    trafficRestored,
    trafficNotRestored: regions.filter((region) => !trafficRestored.some((entry) => entry.region === region)),
    ...(timing?.timeToRollbackSeconds !== undefined && {
      timeToRollbackSeconds: timing.timeToRollbackSeconds,
    }),
    regions,
    steps: [],
    outcome: 'unfinished',
    restored: lanes
      .filter((lane) => lane.rollback?.toSeconds !== undefined)
      .map(({ region, service, image, previousImage }) => ({ region, service, image, previousImage })),
  };
  const reason = text(startedDetail.reason);
  if (reason) rollback.reason = reason;

  // What set it off: the first alarm, failed analysis, failed gate or failed service up to the
  // moment the rollback started.
  if (timing?.trigger) rollback.trigger = describeTrigger(timing.trigger);

  const rolledBack = new Map<string, { atSeconds: number; services: string[] }>();
  for (const entry of entries) {
    const detail = detailOf(entry);
    const region = entry.region;
    switch (entry.action) {
      case 'rollback.started':
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          kind: 'started',
          label: 'rollback started',
          services: [],
        });
        break;
      case 'rollback.stable-scaled':
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          ...(region && { region }),
          kind: 'stable',
          label: `stable scaled back from ${number(detail.from) ?? '?'} to ${number(detail.to) ?? '?'} replicas before traffic returns`,
          services: entry.service ? [entry.service] : [],
        });
        break;
      case 'rollback.traffic-stepped':
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          ...(region && { region }),
          kind: 'ramp',
          label: `ramp: canary ${number(detail.from) ?? '?'} → ${number(detail.canary) ?? '?'} %, held ${formatDuration(number(detail.holdSeconds) ?? 0)}`,
          services: entry.service ? [entry.service] : [],
        });
        break;
      case 'rollback.traffic-restored':
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          ...(region && { region }),
          kind: 'traffic',
          label: 'stable traffic back to 100 %',
          services: strings(detail.services),
        });
        break;
      case 'rollback.workloads-restored':
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          ...(region && { region }),
          kind: 'workloads',
          label: 'workloads restored from their snapshots, in this order',
          services: strings(detail.order),
        });
        break;
      case 'service.rolled-back': {
        if (!region || !entry.service) break;
        const group = rolledBack.get(region) ?? { atSeconds: entry.atSeconds, services: [] };
        group.atSeconds = Math.max(group.atSeconds, entry.atSeconds);
        group.services.push(entry.service);
        rolledBack.set(region, group);
        break;
      }
      case 'rollback.completed':
      case 'rollback.incomplete': {
        const complete = entry.action === 'rollback.completed';
        rollback.outcome = complete ? 'completed' : 'incomplete';
        rollback.endSeconds = entry.atSeconds;
        const seconds = number(detail.seconds);
        if (seconds !== undefined) rollback.durationSeconds = seconds;
        const why = text(detail.reason);
        if (!complete && why) rollback.incompleteReason = why;
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          kind: complete ? 'completed' : 'incomplete',
          label: complete ? 'rollback completed' : 'rollback incomplete: left for a person',
          services: [],
        });
        break;
      }
    }
  }
  for (const [region, group] of rolledBack) {
    rollback.steps.push({
      atSeconds: group.atSeconds,
      region,
      kind: 'verified',
      label: 'verified back on the snapshot',
      services: group.services,
    });
  }
  const order: Record<RollbackStep['kind'], number> = {
    started: 0,
    stable: 1,
    ramp: 2,
    traffic: 3,
    workloads: 4,
    verified: 5,
    completed: 6,
    incomplete: 6,
  };
  rollback.steps.sort((a, b) => a.atSeconds - b.atSeconds || order[a.kind] - order[b.kind]);
  if (rollback.durationSeconds === undefined && rollback.endSeconds !== undefined)
    rollback.durationSeconds = rollback.endSeconds - rollback.startedSeconds;
  return rollback;
}

function describeTrigger(entry: AuditEntry): NonNullable<Rollback['trigger']> {
  const detail = detailOf(entry);
  const where = {
    ...(entry.region && { region: entry.region }),
    ...(entry.service && { service: entry.service }),
  };
  const reason = text(detail.reason);
  const described = (title: string, description: string | undefined) => ({
    atSeconds: entry.atSeconds,
    title,
    ...(description && { description }),
    ...where,
  });
  switch (entry.action) {
    case 'alarm.received': {
      const alarm = text(detail.alarmName);
      return described(alarm ? `CloudWatch alarm ${alarm}` : 'A CloudWatch alarm', reason);
    }
    case 'analysis.fail':
      return described(`Analysis failed for ${entry.service} in ${entry.region}`, reason);
    case 'gate.failed':
      return described(
        `Readiness gate failed for ${entry.service} in ${entry.region}`,
        strings(detail.blockers).join('; ') || reason,
      );
    default:
      return described(`${entry.service ?? 'A service'} failed in ${entry.region ?? 'a region'}`, reason);
  }
}
