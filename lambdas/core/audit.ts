/**
 * Every action the audit records, as one union with one entry builder: the report, the
 * rehearsal and the release view switch on it, so a reader or writer of an action that does not
 * exist is a compile error rather than a silent gap.
 */

export const AUDIT_ACTIONS = [
  'release.validated',
  'release.refused',
  'release.succeeded',
  'release.monitoring',
  'release.promoted',
  'release.queued',
  'release.dequeued',
  'release.cancelled',
  'release.preempted',
  'preflight.passed',
  'preflight.refused',
  'lock.acquired',
  'lock.released',
  'wave.completed',
  'service.claimed',
  'service.started',
  'gate.passed',
  'gate.failed',
  'workload.stopped',
  'workload.started',
  'traffic.shifted',
  'analysis.pass',
  'analysis.fail',
  'analysis.inconclusive',
  'approval.requested',
  'approval.given',
  'approval.expired',
  'step.completed',
  'service.completed',
  'service.failed',
  'service.rolled-back',
  'alarm.received',
  'alarm.after-window',
  'alarm.traffic-returned',
  'abort-alarm.created',
  'abort-alarm.deleted',
  'rollback.requested',
  'rollback.started',
  'rollback.stable-scaled',
  'rollback.traffic-stepped',
  'rollback.traffic-restored',
  'rollback.workloads-restored',
  'rollback.completed',
  'rollback.incomplete',
  'task.transient-failure',
  'failover.planned',
  'failover.completed',
  'failover.failed',
  'failback.planned',
  'failback.completed',
  'failback.failed',
  'replicas.scaled',
  'dns.weights-changed',
  'drain.planned',
  'drain.weight-removed',
  'drain.weight-restored',
  'drain.completed',
  'rollback.drain-restored',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  releaseId: string;
  /** Position in the release's audit, from 1, gap-free. */
  seq: number;
  /** Idempotency key: appending the same key twice stores one entry. */
  key: string;
  at: string;
  action: AuditAction;
  /** Who acted: a person (the API caller), `switchyard`, or `cloudwatch` for an alarm. */
  actor: string;
  region?: string;
  service?: string;
  detail?: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq'>;

/** The one way an entry is made: the action first, as a reader of the audit looks for it. */
export function auditEntry(action: AuditAction, fields: Omit<NewAuditEntry, 'action'>): NewAuditEntry {
  return { ...fields, action };
}

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

/** For readers of stored entries (a report of an older run): whether an action is one of ours. */
export function isAuditAction(value: string): value is AuditAction {
  return KNOWN_ACTIONS.has(value);
}
