/**
 * The line log: what the live view shows, as one line per meaningful event, for pipes and CI
 * logs. Every line reads `+<time> <region> <service> <what>` (`-` where an event belongs to no
 * region or service), so `grep 'us-east-1 auth'` or `awk '$2 == "us-east-1"'` finds a service's
 * story. Audit entries say what happened; the step lookup names the plan's step for them.
 */
import { formatDuration } from '../../lambdas/core/duration';
import type { AuditEntry, Weights } from '../../lambdas/ports';

/** The step at `index` (0-based) of a service's rollout: how many it has and the plan's name for it. */
export type StepLookup = (
  region: string,
  service: string,
  index: number,
) => { count: number; name: string } | undefined;

export interface LogColumns {
  region: number;
  service: number;
}

export function logLine(
  atSeconds: number,
  where: { region?: string; service?: string },
  what: string,
  widths: LogColumns,
): string {
  const time = `+${formatDuration(Math.max(0, Math.round(atSeconds)))}`;
  return `${time.padEnd(9)} ${(where.region ?? '-').padEnd(widths.region)} ${(where.service ?? '-').padEnd(widths.service)} ${what}`;
}

/** What an audit entry says, in words; undefined for entries that say nothing new to a reader. */
export function describeEntry(
  entry: AuditEntry,
  steps: StepLookup,
  /** The service's weights as last set: a step that set them says what to. */
  lastWeights?: Weights,
): string | undefined {
  const detail = entry.detail ?? {};
  const text = (name: string) => (typeof detail[name] === 'string' ? (detail[name] as string) : undefined);
  const number = (name: string) => (typeof detail[name] === 'number' ? (detail[name] as number) : undefined);
  const by = entry.actor !== 'switchyard' && entry.actor !== 'cloudwatch' ? ` (by ${entry.actor})` : '';
  const because = text('reason') ? `: ${text('reason')}` : '';
  switch (entry.action) {
    case 'release.validated':
      return `release ${entry.releaseId} validated: ${number('waves') ?? '?'} wave(s), ${number('serviceRollouts') ?? '?'} service rollout(s)`;
    case 'release.refused':
      return `release refused${because}`;
    case 'release.monitoring':
      return `every wave done: rollback window open until ${text('endsAt') ?? '?'}, alarms still watched`;
    case 'release.promoted':
      return `rollback window closed early${by}`;
    case 'release.succeeded':
      return 'release succeeded';
    case 'release.queued': {
      const behind = text('behind') ? ` behind ${text('behind')}` : '';
      const emergency = text('emergency') ? ` — emergency: ${text('emergency')}` : '';
      const preempts = text('preempts') ? `, preempting ${text('preempts')}` : '';
      return `release ${entry.releaseId} queued at #${number('position') ?? '?'}${behind}${by}${emergency}${preempts}`;
    }
    case 'release.dequeued':
      return `release ${entry.releaseId} starts: its turn came after ${formatDuration(Math.round(number('waitedSeconds') ?? 0))} in the queue`;
    case 'release.cancelled':
      return `release ${entry.releaseId} cancelled${by}: taken off the queue`;
    case 'release.preempted':
      return `preempted by emergency release ${text('by') ?? '?'}${by}${because}: rolling back`;
    case 'preflight.passed':
      return `preflight passed (${number('checks') ?? 0} checks)`;
    case 'preflight.refused':
      return `preflight refused the release${because}`;
    case 'lock.acquired':
      return `lock "${text('scope') ?? 'fleet'}" taken`;
    case 'lock.released':
      return `lock "${text('scope') ?? 'fleet'}" released`;
    case 'wave.completed': {
      const regions = Array.isArray(detail.regions) ? ` (${detail.regions.join(', ')})` : '';
      return `wave ${number('wave') ?? '?'} done${regions}`;
    }
    case 'service.claimed':
      return undefined;
    case 'service.started':
      return `started: ${text('strategy') ?? 'rollout'}, ${number('steps') ?? '?'} steps`;
    case 'gate.passed':
      return `gate passed (score ${number('score') ?? '?'})`;
    case 'gate.failed':
      return `gate FAILED${because || (number('score') !== undefined ? ` (score ${number('score')})` : '')}`;
    case 'workload.stopped':
    case 'workload.started':
      return `${entry.action.replace('.', ' ')}${text('workload') ? ` ${text('workload')}` : ''}`;
    case 'traffic.shifted':
      // The step that set it says so (step.completed); shifts outside a step are the rollback's.
      return undefined;
    case 'analysis.pass':
    case 'analysis.fail':
    case 'analysis.inconclusive':
      return `${stepLabel(entry, steps, number('stepIndex'), 'analysis') || 'analysis '}${entry.action.slice('analysis.'.length)}${because}`;
    case 'approval.requested':
      return `paused: waiting for approval ${text('approval') ?? ''} (switchyard approve ${entry.releaseId})`;
    case 'approval.given':
      return `approval given ${text('approval') ?? ''}${by}`;
    case 'approval.expired':
      return `approval expired ${text('approval') ?? ''}`;
    case 'step.completed':
      return `${stepLabel(entry, steps, number('stepIndex'), text('kind'))}done${
        text('kind') === 'setWeight' || text('kind') === 'promote' ? weightsOf(lastWeights ?? detail) : ''
      }`;
    case 'service.completed':
      return 'completed';
    case 'service.failed':
      return `FAILED${because}`;
    case 'service.rolled-back':
      return `rolled back${because}`;
    case 'alarm.received':
      return `alarm ${text('alarmName') ?? ''} in ALARM: rolling back`;
    case 'alarm.after-window':
      return `alarm ${text('alarmName') ?? ''} in ALARM after this region's rollback window ended: nothing rolled back`;
    case 'alarm.traffic-returned':
      return `abort alarm ${text('alarmName') ?? ''} in ALARM: traffic back on stable at once (canary 0 %)`;
    case 'rollback.requested':
      return `rollback requested${by}${because}`;
    case 'rollback.started':
      return `rollback started${because}`;
    case 'rollback.stable-scaled':
      return `rollback: stable scaled back from ${number('from') ?? '?'} to ${number('to') ?? '?'} replicas before traffic returns`;
    case 'rollback.traffic-stepped':
      return `rollback ramp: canary ${number('from') ?? '?'} % → ${number('canary') ?? '?'} % (stable ${number('stable') ?? '?'} %), held ${number('holdSeconds') ?? '?'}s`;
    case 'rollback.traffic-restored':
      return `rollback: stable traffic restored${weightsOf(detail)}`;
    case 'rollback.workloads-restored':
      return 'rollback: workloads restored';
    case 'rollback.completed':
      return 'rollback completed';
    case 'rollback.incomplete':
      return `rollback INCOMPLETE${because}`;
    case 'task.transient-failure':
      return `retrying: ${text('operation') ?? text('state') ?? 'task'} attempt ${number('attempt') ?? '?'} failed (${text('awsError') ?? text('error') ?? 'error'})`;
    case 'failover.planned':
    case 'failover.completed':
    case 'failover.failed':
    case 'failback.planned':
    case 'failback.completed':
    case 'failback.failed': {
      const [kind, what] = entry.action.split('.');
      return `${kind} ${what} (${entry.releaseId})${because}`;
    }
    case 'replicas.scaled':
      return `${entry.releaseId}: replicas scaled for ${number('scaled') ?? '?'} service(s)`;
    case 'dns.weights-changed':
      return `${entry.releaseId}: DNS weights now ${weightList(detail)}`;
    case 'drain.planned':
      return `drain planned: weights ${weightList({ weights: detail.weightsBefore })} → ${weightList({ weights: detail.weightsAfter })}`;
    case 'drain.weight-removed':
      return `drain: DNS weight to 0 (${weightList(detail)}), TTL ${number('ttlSeconds') ?? '?'}s`;
    case 'drain.weight-restored':
      return `drain: weight restored, step ${number('step') ?? '?'}/${number('of') ?? '?'} at ${number('percent') ?? '?'} % (${weightList(detail)})`;
    case 'drain.completed':
      return `drain done: other regions scaled back for ${number('scaledBack') ?? '?'} service(s)`;
    case 'rollback.drain-restored':
      return `rollback: drained weight restored (${weightList(detail)}), other regions scaled back`;
  }
}

function stepLabel(entry: AuditEntry, steps: StepLookup, index: number | undefined, kind?: string): string {
  if (index === undefined || !entry.region || !entry.service) return '';
  const step = steps(entry.region, entry.service, index);
  const count = step ? `/${step.count}` : '';
  return `step ${index + 1}${count} ${step?.name || kind || ''} `.replace(/\s+$/, ' ');
}

/** Route 53 weights by region or set identifier, as `use1 100, usw2 0`. */
function weightList(detail: { weights?: unknown }): string {
  const weights = detail.weights as Record<string, unknown> | undefined;
  const list = weights ? Object.entries(weights).map(([id, weight]) => `${id} ${weight}`) : [];
  return list.join(', ') || '?';
}

function weightsOf(detail: object): string {
  const weights = ((detail as { weights?: unknown }).weights ?? detail) as Record<string, unknown>;
  return typeof weights.stable === 'number' && typeof weights.canary === 'number'
    ? ` (stable ${weights.stable} / canary ${weights.canary})`
    : '';
}
