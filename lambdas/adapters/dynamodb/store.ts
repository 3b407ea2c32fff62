/**
 * The Store port on one DynamoDB table (layout in table-definition.ts): one module per kind of
 * record, composed here.
 *
 * Every "only if" is a condition in the write itself, judged by DynamoDB, never a read followed
 * by a blind write: first-write-wins items are conditional puts, leases compare an expiry
 * timestamp, status changes follow the lifecycle (core/lifecycle.ts), and the audit's gap-free
 * sequence is an optimistic counter updated in the same transaction as the entry it numbers.
 * Time comes from the injected clock, so the rehearsal can run on virtual time.
 */
import type {
  AuditEntry,
  LockLease,
  NewAuditEntry,
  Page,
  ReleaseRecord,
  ReleaseStatus,
  ServiceRolloutKey,
  ServiceRolloutPatch,
  ServiceRolloutRecord,
  ServiceRolloutStatus,
  Store,
  StoredSnapshot,
  TaskTokenKey,
  TaskTokenKind,
} from '../../ports';
import { DynamoDbAlarmWatches } from './alarm-watches';
import { DynamoDbAudit } from './audit';
import { DynamoDbLeases } from './leases';
import { DynamoDbReleases } from './releases';
import { DynamoDbSeenEvents } from './seen-events';
import { DynamoDbServiceRollouts } from './service-rollouts';
import { StoreTable, type StoreTableOptions } from './store-table';
import { DynamoDbTaskTokens } from './task-tokens';

/**
 * The IAM actions this adapter needs on the table and its indexes (`<table arn>/index/*`).
 * TransactWriteItems is authorised per contained action (PutItem, UpdateItem, DeleteItem), so
 * it needs no action of its own.
 */
export const STORE_IAM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;

export type DynamoDbStoreOptions = StoreTableOptions;

export class DynamoDbStore implements Store {
  private readonly releases: DynamoDbReleases;
  private readonly rollouts: DynamoDbServiceRollouts;
  private readonly audit: DynamoDbAudit;
  private readonly leases: DynamoDbLeases;
  private readonly watches: DynamoDbAlarmWatches;
  private readonly tokens: DynamoDbTaskTokens;
  private readonly events: DynamoDbSeenEvents;

  constructor(options: DynamoDbStoreOptions) {
    const table = new StoreTable(options);
    this.releases = new DynamoDbReleases(table);
    // One audit for both writers of entries: they share its seq cache and its one-at-a-time queue.
    this.audit = new DynamoDbAudit(table);
    this.rollouts = new DynamoDbServiceRollouts(table, this.audit);
    this.leases = new DynamoDbLeases(table);
    this.watches = new DynamoDbAlarmWatches(table);
    this.tokens = new DynamoDbTaskTokens(table);
    this.events = new DynamoDbSeenEvents(table);
  }

  createRelease(release: ReleaseRecord, planDocument: unknown) {
    return this.releases.createRelease(release, planDocument);
  }
  getRelease(releaseId: string) {
    return this.releases.getRelease(releaseId);
  }
  getPlanDocument(releaseId: string) {
    return this.releases.getPlanDocument(releaseId);
  }
  setReleaseStatus(
    releaseId: string,
    status: ReleaseStatus,
    changes?: { reason?: string; executionArn?: string; from?: readonly ReleaseStatus[] },
  ) {
    return this.releases.setReleaseStatus(releaseId, status, changes);
  }
  listReleases(query: Parameters<Store['listReleases']>[0]): Promise<Page<ReleaseRecord>> {
    return this.releases.listReleases(query);
  }

  putServiceRollouts(records: readonly ServiceRolloutRecord[]) {
    return this.rollouts.putServiceRollouts(records);
  }
  getServiceRollout(releaseId: string, region: string, service: string) {
    return this.rollouts.getServiceRollout(releaseId, region, service);
  }
  listServiceRollouts(releaseId: string, region?: string) {
    return this.rollouts.listServiceRollouts(releaseId, region);
  }
  updateServiceRollout(
    key: ServiceRolloutKey,
    patch: ServiceRolloutPatch,
    audit: NewAuditEntry,
    expect?: readonly ServiceRolloutStatus[],
    whileRelease?: ReleaseStatus,
  ) {
    return this.rollouts.updateServiceRollout(key, patch, audit, expect, whileRelease);
  }
  putSnapshot(releaseId: string, service: string, snapshot: StoredSnapshot) {
    return this.rollouts.putSnapshot(releaseId, service, snapshot);
  }
  getSnapshots(releaseId: string, region?: string) {
    return this.rollouts.getSnapshots(releaseId, region);
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.audit.appendAudit(entry);
  }
  listAudit(releaseId: string, query?: { afterSeq?: number; limit?: number }) {
    return this.audit.listAudit(releaseId, query);
  }

  acquireLock(scope: string, holder: Pick<LockLease, 'releaseId' | 'kind'>, leaseSeconds: number) {
    return this.leases.acquireLock(scope, holder, leaseSeconds);
  }
  releaseLock(scope: string, releaseId: string) {
    return this.leases.releaseLock(scope, releaseId);
  }
  getLock(scope: string) {
    return this.leases.getLock(scope);
  }

  watchAlarms(releaseId: string, alarmNames: readonly string[]) {
    return this.watches.watchAlarms(releaseId, alarmNames);
  }
  unwatchAlarms(releaseId: string) {
    return this.watches.unwatchAlarms(releaseId);
  }
  releasesWatching(alarmName: string) {
    return this.watches.releasesWatching(alarmName);
  }

  putTaskToken(key: TaskTokenKey, token: string) {
    return this.tokens.putTaskToken(key, token);
  }
  takeTaskToken(key: TaskTokenKey) {
    return this.tokens.takeTaskToken(key);
  }
  listTaskTokens(releaseId: string, kind?: TaskTokenKind) {
    return this.tokens.listTaskTokens(releaseId, kind);
  }

  markEventSeen(eventId: string, ttlSeconds: number) {
    return this.events.markEventSeen(eventId, ttlSeconds);
  }
}
