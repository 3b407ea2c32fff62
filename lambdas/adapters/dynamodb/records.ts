/** Records out of items: each kind's own fields, without keys and bookkeeping attributes. */
import type {
  AuditEntry,
  LockLease,
  QueueEntry,
  ReleaseKind,
  ReleaseRecord,
  ServiceRolloutRecord,
} from '../../ports';
import { SERVICE_ROLLOUT_PATCH_FIELDS } from '../../ports';
import type { Item } from './keys';

const RELEASE_FIELDS = [
  'releaseId',
  'status',
  'planHash',
  'createdAt',
  'updatedAt',
  'executionArn',
  'reason',
  'submittedBy',
  'kind',
  'rollbackWindow',
] as const satisfies ReadonlyArray<keyof ReleaseRecord>;

const ROLLOUT_FIELDS = [
  'releaseId',
  'region',
  'service',
  'stepCount',
  'updatedAt',
  'priority',
  ...SERVICE_ROLLOUT_PATCH_FIELDS,
] as const satisfies ReadonlyArray<keyof ServiceRolloutRecord>;

const AUDIT_FIELDS = [
  'releaseId',
  'seq',
  'key',
  'at',
  'action',
  'actor',
  'region',
  'service',
  'detail',
] as const satisfies ReadonlyArray<keyof AuditEntry>;

const LEASE_FIELDS = [
  'scope',
  'releaseId',
  'kind',
  'acquiredAt',
  'expiresAt',
] as const satisfies ReadonlyArray<keyof LockLease>;

const QUEUE_ENTRY_FIELDS = [
  'releaseId',
  'queuedAt',
  'submittedBy',
  'emergency',
] as const satisfies ReadonlyArray<keyof QueueEntry>;

function pick<T>(item: object, fields: ReadonlyArray<keyof T & string>): T {
  const record: Item = {};
  for (const field of fields) {
    const value = (item as Item)[field];
    if (value !== undefined) record[field] = value;
  }
  return record as T;
}

export function toRelease(item: object): ReleaseRecord {
  const release = pick<ReleaseRecord>(item, RELEASE_FIELDS);
  return release.kind === undefined ? { ...release, kind: legacyKind(release) } : release;
}

/**
 * Migration: items written before kinds were recorded have none. beginFailover marked its
 * records by submitting them as their direction, without an execution ARN; anything else is a
 * release. Once no such item is left, this can go.
 */
function legacyKind(release: Pick<ReleaseRecord, 'submittedBy' | 'executionArn'>): ReleaseKind {
  if (release.executionArn !== undefined) return 'release';
  if (release.submittedBy === 'failover' || release.submittedBy === 'failback') return release.submittedBy;
  return 'release';
}

/** `waitingOn` is stored as a map (service → true) so one dependency is removed by name, idempotently. */
export function toRollout(item: object): ServiceRolloutRecord {
  const record = pick<ServiceRolloutRecord>(item, ROLLOUT_FIELDS);
  const waitingOn = (item as Item).waitingOn;
  return waitingOn && typeof waitingOn === 'object'
    ? { ...record, waitingOn: Object.keys(waitingOn).sort() }
    : record;
}
export const toAuditEntry = (item: object) => pick<AuditEntry>(item, AUDIT_FIELDS);
export const toLease = (item: object) => pick<LockLease>(item, LEASE_FIELDS);
export const toQueueEntry = (item: object) => pick<QueueEntry>(item, QUEUE_ENTRY_FIELDS);
