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
import type { Store } from '../../ports';
import { DynamoDbAlarmWatches } from './alarm-watches';
import { DynamoDbAudit } from './audit';
import { DynamoDbLeases } from './leases';
import { DynamoDbReleaseQueue } from './release-queue';
import { DynamoDbReleases } from './releases';
import { DynamoDbSeenEvents } from './seen-events';
import { DynamoDbServiceRollouts } from './service-rollouts';
import { StoreTable, type StoreTableOptions } from './store-table';
import { DynamoDbTaskTokens } from './task-tokens';

/**
 * The IAM actions this adapter needs on the table and its indexes (`<table arn>/index/*`).
 * TransactWriteItems is authorised per contained action (PutItem, UpdateItem, DeleteItem), so
 * it needs no action of its own; its ConditionCheck actions (a step only while the release
 * runs, a service readied only while pending) need dynamodb:ConditionCheckItem
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export const STORE_IAM_ACTIONS = [
  'dynamodb:ConditionCheckItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;

export type DynamoDbStoreOptions = StoreTableOptions;

export class DynamoDbStore implements Store {
  private readonly releases: DynamoDbReleases;
  private readonly queue: DynamoDbReleaseQueue;
  private readonly rollouts: DynamoDbServiceRollouts;
  private readonly audit: DynamoDbAudit;
  private readonly leases: DynamoDbLeases;
  private readonly watches: DynamoDbAlarmWatches;
  private readonly tokens: DynamoDbTaskTokens;
  private readonly events: DynamoDbSeenEvents;

  constructor(options: DynamoDbStoreOptions) {
    const table = new StoreTable(options);
    this.queue = new DynamoDbReleaseQueue(table);
    this.releases = new DynamoDbReleases(table, this.queue);
    // One audit for both writers of entries: they share its seq cache and its one-at-a-time queue.
    this.audit = new DynamoDbAudit(table);
    this.rollouts = new DynamoDbServiceRollouts(table, this.audit);
    this.leases = new DynamoDbLeases(table);
    this.watches = new DynamoDbAlarmWatches(table);
    this.tokens = new DynamoDbTaskTokens(table);
    this.events = new DynamoDbSeenEvents(table);
  }

  createRelease(...args: Parameters<Store['createRelease']>) {
    return this.releases.createRelease(...args);
  }
  getRelease(...args: Parameters<Store['getRelease']>) {
    return this.releases.getRelease(...args);
  }
  getPlanDocument(...args: Parameters<Store['getPlanDocument']>) {
    return this.releases.getPlanDocument(...args);
  }
  setReleaseStatus(...args: Parameters<Store['setReleaseStatus']>) {
    return this.releases.setReleaseStatus(...args);
  }
  listReleases(...args: Parameters<Store['listReleases']>) {
    return this.releases.listReleases(...args);
  }

  putServiceRollouts(...args: Parameters<Store['putServiceRollouts']>) {
    return this.rollouts.putServiceRollouts(...args);
  }
  getServiceRollout(...args: Parameters<Store['getServiceRollout']>) {
    return this.rollouts.getServiceRollout(...args);
  }
  listServiceRollouts(...args: Parameters<Store['listServiceRollouts']>) {
    return this.rollouts.listServiceRollouts(...args);
  }
  getRolloutState(...args: Parameters<Store['getRolloutState']>) {
    return this.rollouts.getRolloutState(...args);
  }
  laneBoard(...args: Parameters<Store['laneBoard']>) {
    return this.rollouts.laneBoard(...args);
  }
  countDownDependents(...args: Parameters<Store['countDownDependents']>) {
    return this.rollouts.countDownDependents(...args);
  }
  updateServiceRollout(...args: Parameters<Store['updateServiceRollout']>) {
    return this.rollouts.updateServiceRollout(...args);
  }
  putSnapshot(...args: Parameters<Store['putSnapshot']>) {
    return this.rollouts.putSnapshot(...args);
  }
  getSnapshot(...args: Parameters<Store['getSnapshot']>) {
    return this.rollouts.getSnapshot(...args);
  }
  getSnapshots(...args: Parameters<Store['getSnapshots']>) {
    return this.rollouts.getSnapshots(...args);
  }

  appendAudit(...args: Parameters<Store['appendAudit']>) {
    return this.audit.appendAudit(...args);
  }
  listAudit(...args: Parameters<Store['listAudit']>) {
    return this.audit.listAudit(...args);
  }

  acquireLock(...args: Parameters<Store['acquireLock']>) {
    return this.leases.acquireLock(...args);
  }
  releaseLock(...args: Parameters<Store['releaseLock']>) {
    return this.leases.releaseLock(...args);
  }
  getLock(...args: Parameters<Store['getLock']>) {
    return this.leases.getLock(...args);
  }

  listQueue(...args: Parameters<Store['listQueue']>) {
    return this.queue.listQueue(...args);
  }
  removeFromQueue(...args: Parameters<Store['removeFromQueue']>) {
    return this.queue.removeFromQueue(...args);
  }

  watchAlarms(...args: Parameters<Store['watchAlarms']>) {
    return this.watches.watchAlarms(...args);
  }
  unwatchAlarms(...args: Parameters<Store['unwatchAlarms']>) {
    return this.watches.unwatchAlarms(...args);
  }
  releasesWatching(...args: Parameters<Store['releasesWatching']>) {
    return this.watches.releasesWatching(...args);
  }

  putTaskToken(...args: Parameters<Store['putTaskToken']>) {
    return this.tokens.putTaskToken(...args);
  }
  takeTaskToken(...args: Parameters<Store['takeTaskToken']>) {
    return this.tokens.takeTaskToken(...args);
  }
  listTaskTokens(...args: Parameters<Store['listTaskTokens']>) {
    return this.tokens.listTaskTokens(...args);
  }

  markEventSeen(...args: Parameters<Store['markEventSeen']>) {
    return this.events.markEventSeen(...args);
  }
}
