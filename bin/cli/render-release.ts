import type { FailoverView, ReleaseView, ServiceView } from '../../lambdas/api/release-view';
import type { AuditEntry, RollbackWindow } from '../../lambdas/ports';
import { failoverChanges } from './render-failover';
import { table } from './render-preview';

export function renderView(
  view: ReleaseView | FailoverView,
  recent: readonly AuditEntry[],
  releaseId: string,
): string {
  const lines: string[] = [];
  if (view.kind === 'failover') {
    lines.push(
      `${view.direction} ${view.releaseId} of ${view.region} — ${view.status}${view.reason ? `: ${view.reason}` : ''}`,
      `  execution  ${view.execution.executionArn}${view.execution.status ? ` (${view.execution.status})` : ''}`,
      `  requested ${view.createdAt}${view.submittedBy ? ` by ${view.submittedBy}` : ''}`,
      ...failoverChanges(view),
    );
  } else {
    lines.push(
      `release ${view.releaseId} — ${view.status}${view.reason ? `: ${view.reason}` : ''}`,
      `  submitted ${view.createdAt}${view.submittedBy ? ` by ${view.submittedBy}` : ''}`,
      `  execution  ${view.execution.executionArn}${view.execution.status ? ` (${view.execution.status})` : ''}`,
      ...(view.execution.consoleUrl ? [`  console    ${view.execution.consoleUrl}`] : []),
      ...(view.rollback
        ? [
            `  rollback   ${view.rollback.executionArn}${view.rollback.status ? ` (${view.rollback.status})` : ''}`,
          ]
        : []),
      ...(view.rollbackWindow ? [windowLine(view.status, view.rollbackWindow)] : []),
      ...queueLines(view),
    );
    for (const { wave, regions } of view.waves) {
      lines.push(`wave ${wave}`);
      for (const region of regions) {
        lines.push(`  ${region.region} (${region.cluster})`);
        const rows = region.services.map((service) => [
          service.service,
          service.status,
          formatStep(service),
          `${service.weights.stable}/${service.weights.canary}`,
          service.verdict ?? '',
          service.reason ?? '',
        ]);
        lines.push(...table(rows).map((line) => `    ${line}`));
      }
    }
    if (view.approvalsWaiting.length > 0) {
      lines.push(
        `waiting for approval: ${view.approvalsWaiting.join(', ')}`,
        `  approve: switchyard approve ${releaseId}`,
      );
    }
  }
  if (recent.length > 0) {
    lines.push('recent:');
    lines.push(...recent.map((entry) => `  ${auditLine(entry)}`));
  }
  return lines.join('\n');
}

/** A queued release: its place, what starts before it, and who holds the lock. */
function queueLines(view: ReleaseView): string[] {
  const place = view.queue;
  if (!place) return [];
  const holder = place.behind
    ? `, behind ${place.behind.kind} ${place.behind.releaseId} (holds the lock)`
    : '';
  return [
    `  queued     #${place.position}${holder}`,
    ...(place.ahead.length > 0 ? [`  ahead      ${place.ahead.join(', ')}`] : []),
    ...(place.emergency ? [`  emergency  ${place.emergency}`] : []),
    `  cancel it: switchyard cancel ${view.releaseId}`,
  ];
}

export function formatStep(service: ServiceView): string {
  if (!service.step) return '';
  if (service.step.kind === 'done') return `done (${service.step.count} steps)`;
  return `step ${service.step.index + 1}/${service.step.count} ${service.step.kind}`;
}

/**
 * One audit entry on one line. The live views show the time of day and name the actor only when
 * it is not Switchyard itself; the ledger (`switchyard audit`) leads with the entry's seq and full
 * timestamp and always names the actor, since who did what is what it is read for.
 */
export function auditLine(entry: AuditEntry, options: { ledger?: boolean } = {}): string {
  const where = [entry.region, entry.service].filter(Boolean).join(' ');
  const detail = entry.detail ? summarise(entry.detail) : '';
  const body = `${where.padEnd(24)} ${entry.action}${detail ? `  ${detail}` : ''}`;
  if (options.ledger) return `${String(entry.seq).padStart(6)}  ${entry.at}  ${body}  (${entry.actor})`;
  return `${entry.at.slice(11, 19)}  ${body}${entry.actor !== 'switchyard' ? `  (${entry.actor})` : ''}`;
}

export function summarise(detail: Record<string, unknown>): string {
  const weights = (detail.weights ?? detail) as Record<string, unknown>;
  if (typeof weights.stable === 'number' && typeof weights.canary === 'number')
    return `stable ${weights.stable} / canary ${weights.canary}`;
  // release.preempted: by which emergency release, and why.
  if (typeof detail.by === 'string' && typeof detail.reason === 'string')
    return `by emergency release ${detail.by}: ${detail.reason}`;
  if (typeof detail.reason === 'string') return detail.reason;
  // release.queued: its place, behind whom, and an emergency's reason.
  if (typeof detail.position === 'number') {
    return [
      `#${detail.position}`,
      typeof detail.behind === 'string' ? ` behind ${detail.behind}` : '',
      typeof detail.emergency === 'string' ? ` (emergency: ${detail.emergency})` : '',
      typeof detail.preempts === 'string' ? `, preempts ${detail.preempts}` : '',
    ].join('');
  }
  if (typeof detail.approval === 'string') return detail.approval;
  if (typeof detail.verdict === 'string') return detail.verdict;
  // step.completed: which step, counted from 1 as `status` shows it.
  if (typeof detail.stepIndex === 'number' && typeof detail.kind === 'string')
    return `step ${detail.stepIndex + 1} ${detail.kind}`;
  // task.transient-failure: the state that will be retried, and which attempt failed.
  if (typeof detail.state === 'string' && typeof detail.attempt === 'number')
    return `${detail.state}, attempt ${detail.attempt}${typeof detail.error === 'string' ? `: ${detail.error}` : ''}`;
  return '';
}

/** The rollback window: open (its alarms watched until it ends), or how it was. */
function windowLine(status: string, window: RollbackWindow): string {
  const regions = Object.entries(window.regions)
    .map(([region, endsAt]) => `${region} ${endsAt}`)
    .join(', ');
  return status === 'MONITORING'
    ? `  window     open since ${window.opensAt}, ends ${window.endsAt} (switchyard promote closes it now; by region: ${regions})`
    : `  window     opened ${window.opensAt}, to end ${window.endsAt}`;
}
