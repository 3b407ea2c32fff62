/**
 * The Store port on one DynamoDB table (layout in table-definition.ts).
 *
 * Every "only if" is a condition in the write itself, judged by DynamoDB, never a read followed
 * by a blind write: first-write-wins items are conditional puts, leases compare an expiry
 * timestamp, and the audit's gap-free sequence is an optimistic counter updated in the same
 * transaction as the entry it numbers. Time comes from the injected clock, so the rehearsal
 * can run on virtual time.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ConditionFailedError,
  InvalidInputError,
  LockHeldError,
  NotFoundError,
  ReleaseConflictError,
  TransientAwsError,
} from '../../core/errors';
import type {
  AuditEntry,
  Clock,
  DeploymentSnapshot,
  LockLease,
  NewAuditEntry,
  Page,
  ReleaseRecord,
  ReleaseStatus,
  ServiceRolloutPatch,
  ServiceRolloutRecord,
  ServiceRolloutStatus,
  Store,
  TaskTokenKey,
  TaskTokenKind,
  Weights,
} from '../../ports';
import { pages } from '../aws/paging';
import {
  type CancellationReason,
  cancellationReasons,
  isConditionalCheckFailed,
  itemOfFailedCondition,
  toStoreError,
} from './aws-errors';
import { decodeDocument, encodeDocument } from './document-codec';
import { RELEASES_BY_STATUS_INDEX, RELEASES_BY_TIME_INDEX, STORE_TABLE } from './table-definition';

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

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Snapshot = DeploymentSnapshot & { weights?: Weights };
type LockKind = LockLease['kind'];

export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  clock: Clock;
  /** Rounds of read-decide-write (audit seq, rollout updates, colliding transactions) before giving up as transient. */
  maxOptimisticAttempts?: number;
}

// ── key layout ───────────────────────────────────────────────────────────────

const PK = STORE_TABLE.partitionKey.name;
const SK = STORE_TABLE.sortKey.name;
const TTL = STORE_TABLE.timeToLiveAttribute;
const BY_STATUS = storeIndex(RELEASES_BY_STATUS_INDEX);
const BY_TIME = storeIndex(RELEASES_BY_TIME_INDEX);
type StoreIndex = (typeof STORE_TABLE.globalSecondaryIndexes)[number];

function storeIndex(indexName: string): StoreIndex {
  const index = STORE_TABLE.globalSecondaryIndexes.find((candidate) => candidate.indexName === indexName);
  if (!index) throw new Error(`the store table has no index ${indexName}`);
  return index;
}

const SEQ_DIGITS = 12;
const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

const keys = {
  release: (releaseId: string) => ({ [PK]: `RELEASE#${releaseId}`, [SK]: 'RELEASE' }),
  plan: (releaseId: string) => ({ [PK]: `RELEASE#${releaseId}`, [SK]: 'PLAN' }),
  rollout: (releaseId: string, region: string, service: string) => ({
    [PK]: `RELEASE#${releaseId}`,
    [SK]: `ROLLOUT#${region}#${service}`,
  }),
  snapshot: (releaseId: string, region: string, service: string) => ({
    [PK]: `RELEASE#${releaseId}`,
    [SK]: `SNAPSHOT#${region}#${service}`,
  }),
  auditCounter: (releaseId: string) => ({ [PK]: `RELEASE#${releaseId}`, [SK]: 'AUDIT_COUNTER' }),
  auditEntry: (releaseId: string, seq: number) => ({
    [PK]: `RELEASE#${releaseId}`,
    [SK]: `AUDIT#${String(seq).padStart(SEQ_DIGITS, '0')}`,
  }),
  auditKey: (releaseId: string, key: string) => ({ [PK]: `RELEASE#${releaseId}`, [SK]: `AUDIT_KEY#${key}` }),
  taskToken: ({ releaseId, kind, name }: TaskTokenKey) => ({
    [PK]: `RELEASE#${releaseId}`,
    [SK]: `TOKEN#${kind}#${name}`,
  }),
  watchOfRelease: (releaseId: string, alarmName: string) => ({
    [PK]: `RELEASE#${releaseId}`,
    [SK]: `WATCH#${alarmName}`,
  }),
  watchOfAlarm: (alarmName: string, releaseId: string) => ({
    [PK]: `ALARM#${alarmName}`,
    [SK]: `RELEASE#${releaseId}`,
  }),
  lock: (scope: string) => ({ [PK]: `LOCK#${scope}`, [SK]: 'LOCK' }),
  event: (eventId: string) => ({ [PK]: `EVENT#${eventId}`, [SK]: 'EVENT' }),
};

/** The index attributes a release record carries (both indexes share the time sort key). */
function releaseIndexKeys(release: Pick<ReleaseRecord, 'releaseId' | 'status' | 'createdAt'>): Item {
  return {
    [BY_STATUS.partitionKey.name]: releaseStatusKey(release.status),
    [BY_TIME.partitionKey.name]: 'RELEASE',
    [BY_TIME.sortKey.name]: `${release.createdAt}#${release.releaseId}`,
  };
}

const releaseStatusKey = (status: ReleaseStatus) => `RELEASE_STATUS#${status}`;

// ── records out of items ─────────────────────────────────────────────────────

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
] as const satisfies ReadonlyArray<keyof ReleaseRecord>;

/** What a patch may change; anything else in a patch object is ignored. */
const ROLLOUT_PATCH_FIELDS = [
  'status',
  'stepIndex',
  'weights',
  'checksPassed',
  'checksFailed',
  'consecutiveFailures',
  'verdict',
  'reason',
  'claimedBy',
  'startedAt',
  'endedAt',
] as const satisfies ReadonlyArray<keyof ServiceRolloutPatch>;

const ROLLOUT_FIELDS = [
  'releaseId',
  'region',
  'service',
  'stepCount',
  'updatedAt',
  ...ROLLOUT_PATCH_FIELDS,
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

/** The record's own fields of an item, without keys and bookkeeping attributes. */
function pick<T>(item: object, fields: ReadonlyArray<keyof T & string>): T {
  const record: Item = {};
  for (const field of fields) {
    const value = (item as Item)[field];
    if (value !== undefined) record[field] = value;
  }
  return record as T;
}

const toRelease = (item: object) => pick<ReleaseRecord>(item, RELEASE_FIELDS);
const toRollout = (item: object) => pick<ServiceRolloutRecord>(item, ROLLOUT_FIELDS);
const toAuditEntry = (item: object) => pick<AuditEntry>(item, AUDIT_FIELDS);
const toLease = (item: object) => pick<LockLease>(item, LEASE_FIELDS);

// ── the adapter ──────────────────────────────────────────────────────────────

/** Lease kinds that may take over a `release` lease: they clean up after releases. */
const OUTRANKS_RELEASE: ReadonlySet<LockKind> = new Set(['rollback', 'failover']);
/** How long an ended lease stays readable ("who held it last") before TTL may remove it. */
const LEASE_RETENTION_SECONDS = 24 * 60 * 60;
const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;
/** A transaction holds at most 100 actions; a watch is two items. */
const WATCHES_PER_TRANSACTION = 50;
/** Parallel conditional puts when writing many service rollouts. */
const PUT_CONCURRENCY = 8;

export class DynamoDbStore implements Store {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly maxOptimisticAttempts: number;
  private readonly auditWriters = new Map<string, Promise<void>>();
  private readonly auditSeqs = new Map<string, number>();

  constructor(options: DynamoDbStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.clock = options.clock;
    this.maxOptimisticAttempts = options.maxOptimisticAttempts ?? 100;
  }

  // ── releases ──

  async createRelease(
    release: ReleaseRecord,
    planDocument: unknown,
  ): Promise<{ created: boolean; release: ReleaseRecord }> {
    const record = toRelease(release);
    const plan = encodeDocument(planDocument, `the plan of release ${release.releaseId}`);
    return this.optimistically(`creating release ${release.releaseId}`, async () => {
      // The plan is written only with a new release record: if the record exists the whole
      // transaction is cancelled and the stored plan stays the one its hash describes.
      const reasons = await this.transactWrite([
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.release(release.releaseId),
              entity: 'release',
              ...record,
              ...releaseIndexKeys(record),
            },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.plan(release.releaseId), entity: 'plan', releaseId: release.releaseId, ...plan },
          },
        },
      ]);
      if (!reasons) return { created: true, release: record };
      const existingItem = reasons[0]?.code === 'ConditionalCheckFailed' ? reasons[0].item : undefined;
      // Collided with a simultaneous submission of the same id: the next round sees its result.
      if (!existingItem) return BACK_OFF;
      const existing = toRelease(existingItem);
      if (existing.planHash !== release.planHash) {
        throw new ReleaseConflictError(
          `release ${release.releaseId} already exists with another plan (hash ${existing.planHash}, not ${release.planHash})`,
        );
      }
      return { created: false, release: existing };
    });
  }

  async getRelease(releaseId: string): Promise<ReleaseRecord | undefined> {
    const item = await this.getItem(keys.release(releaseId));
    return item && toRelease(item);
  }

  async getPlanDocument(releaseId: string): Promise<unknown> {
    const item = await this.getItem(keys.plan(releaseId));
    if (!item) throw new NotFoundError(`release ${releaseId} has no stored plan`);
    return decodeDocument(item);
  }

  async setReleaseStatus(
    releaseId: string,
    status: ReleaseStatus,
    changes: { reason?: string; executionArn?: string; from?: readonly ReleaseStatus[] } = {},
  ): Promise<ReleaseRecord> {
    const update = new UpdateExpression();
    update.set('status', status);
    update.set('updatedAt', this.clock.now().toISOString());
    update.set(BY_STATUS.partitionKey.name, releaseStatusKey(status));
    if (changes.reason !== undefined) update.set('reason', changes.reason);
    if (changes.executionArn !== undefined) update.set('executionArn', changes.executionArn);
    const condition = [`attribute_exists(${update.name(PK)})`];
    if (changes.from) condition.push(update.oneOf('status', nonEmpty(changes.from, 'from')));

    try {
      const { Attributes } = await this.call(
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.release(releaseId),
            ...update.build(),
            ConditionExpression: condition.join(' AND '),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return toRelease(Attributes ?? {});
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = itemOfFailedCondition(error);
      if (!current) throw new NotFoundError(`release ${releaseId} does not exist`);
      throw new ConditionFailedError(
        `release ${releaseId} is ${String(current.status)}, not ${changes.from?.join(' or ')}: not moved to ${status}`,
      );
    }
  }

  async listReleases(query: {
    status?: ReleaseStatus;
    since?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<ReleaseRecord>> {
    const asked = Number.isFinite(query.limit) ? Math.trunc(query.limit as number) : DEFAULT_PAGE_SIZE;
    const limit = Math.min(Math.max(asked, 1), MAX_PAGE_SIZE);
    const index = query.status ? BY_STATUS : BY_TIME;
    const partition = query.status ? releaseStatusKey(query.status) : 'RELEASE';
    const startKey = query.cursor ? decodeCursor(query.cursor, index, partition) : undefined;

    const names: Record<string, string> = { '#pk': index.partitionKey.name };
    const values: Item = { ':pk': partition };
    let keyCondition = '#pk = :pk';
    if (query.since) {
      names['#time'] = index.sortKey.name;
      values[':since'] = query.since;
      keyCondition += ' AND #time >= :since';
    }
    // Index reads are eventually consistent: a release created a moment ago may be missing.
    // One more than asked: if it comes back there is a next page, and the cursor is the last
    // key returned (so a page that ends exactly at the end never leads to an empty page).
    const { Items = [] } = await this.call(
      this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: keyCondition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: limit + 1,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    const items = Items.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(toRelease),
      ...(Items.length > limit && last ? { cursor: encodeCursor(index, last) } : {}),
    };
  }

  // ── service rollouts ──

  async putServiceRollouts(records: readonly ServiceRolloutRecord[]): Promise<void> {
    await forEachConcurrently(records, PUT_CONCURRENCY, async (record) => {
      await this.putIfAbsent({
        ...keys.rollout(record.releaseId, record.region, record.service),
        entity: 'serviceRollout',
        ...toRollout(record),
        version: 0,
      });
    });
  }

  async getServiceRollout(
    releaseId: string,
    region: string,
    service: string,
  ): Promise<ServiceRolloutRecord | undefined> {
    const item = await this.getItem(keys.rollout(releaseId, region, service));
    return item && toRollout(item);
  }

  async listServiceRollouts(releaseId: string, region?: string): Promise<ServiceRolloutRecord[]> {
    const items = await this.queryPrefix(`RELEASE#${releaseId}`, region ? `ROLLOUT#${region}#` : 'ROLLOUT#');
    return items.map(toRollout);
  }

  async updateServiceRollout(
    key: { releaseId: string; region: string; service: string },
    patch: ServiceRolloutPatch,
    audit: NewAuditEntry,
    expect?: readonly ServiceRolloutStatus[],
    whileRelease?: ReleaseStatus,
  ): Promise<ServiceRolloutRecord> {
    if (!audit.key) throw new InvalidInputError('an audit entry needs an idempotency key');
    const rolloutKey = keys.rollout(key.releaseId, key.region, key.service);
    const releaseCheck: TransactItem[] = whileRelease
      ? [
          {
            ConditionCheck: {
              TableName: this.tableName,
              Key: keys.release(key.releaseId),
              ConditionExpression: '#status = :status',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': whileRelease },
            },
          },
        ]
      : [];
    const what = `service rollout ${key.releaseId}/${key.region}/${key.service}`;
    return this.oneAtATime(audit.releaseId, () =>
      this.optimistically(`updating ${what}`, async () => {
        const [current, lastSeq] = await Promise.all([
          this.getItem(rolloutKey),
          this.lastAuditSeq(audit.releaseId),
        ]);
        if (!current) throw new NotFoundError(`${what} does not exist`);
        const status = current.status as ServiceRolloutStatus;
        if (expect && !expect.includes(status)) {
          // A retry of a change already made finds the status it moved to: that is success.
          if (await this.getItem(keys.auditKey(audit.releaseId, audit.key))) return toRollout(current);
          throw new ConditionFailedError(`${what} is ${status}, not ${expect.join(' or ')}`);
        }

        const updatedAt = this.clock.now().toISOString();
        const version = Number(current.version ?? 0);
        const applied: Item = { updatedAt };
        const update = new UpdateExpression();
        for (const field of ROLLOUT_PATCH_FIELDS) {
          if (patch[field] !== undefined) applied[field] = patch[field];
        }
        for (const [field, value] of Object.entries(applied)) update.set(field, value);
        update.set('version', version + 1);
        const rolloutUpdate: TransactItem = {
          Update: {
            TableName: this.tableName,
            Key: rolloutKey,
            ...update.build(),
            // Unchanged since the read: `expect` was judged on this very state, and the record
            // returned below is exactly what was written.
            ConditionExpression: update.equals('version', version),
          },
        };
        const entry = { ...audit, seq: lastSeq + 1 };
        const reasons = await this.transactWrite([
          rolloutUpdate,
          ...this.auditWrites(entry),
          ...releaseCheck,
        ]);
        if (!reasons) {
          this.auditSeqs.set(audit.releaseId, entry.seq);
          return toRollout({ ...current, ...applied });
        }
        const [, counterReason, , markerReason, releaseReason] = reasons;
        // This audit key is already stored, so this change was already made: a retry.
        if (markerReason?.code === 'ConditionalCheckFailed') return toRollout(current);
        if (releaseReason?.code === 'ConditionalCheckFailed') {
          throw new ConditionFailedError(
            `release ${key.releaseId} is no longer ${whileRelease}: ${what} not updated`,
          );
        }
        if (counterReason?.code === 'ConditionalCheckFailed')
          this.noteAuditSeq(audit.releaseId, counterReason);
        // The record or the audit moved on since the read: judge again on fresh reads.
        return reasons.some((reason) => reason.code === 'TransactionConflict') ? BACK_OFF : RETRY_NOW;
      }),
    );
  }

  // ── snapshots ──

  async putSnapshot(releaseId: string, service: string, snapshot: Snapshot): Promise<void> {
    const { region } = snapshot.target;
    await this.putIfAbsent({
      ...keys.snapshot(releaseId, region, service),
      entity: 'snapshot',
      releaseId,
      region,
      service,
      ...encodeDocument(snapshot, `the snapshot of ${service} in ${region}`),
    });
  }

  async getSnapshots(
    releaseId: string,
    region?: string,
  ): Promise<Array<{ service: string; snapshot: Snapshot }>> {
    const items = await this.queryPrefix(
      `RELEASE#${releaseId}`,
      region ? `SNAPSHOT#${region}#` : 'SNAPSHOT#',
    );
    return items.map((item) => ({
      service: String(item.service),
      snapshot: decodeDocument(item) as Snapshot,
    }));
  }

  // ── audit ──

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    if (!entry.key) throw new InvalidInputError('an audit entry needs an idempotency key');
    return this.oneAtATime(entry.releaseId, () => this.appendAuditNow(entry));
  }

  private async appendAuditNow(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.optimistically(`appending to the audit of ${entry.releaseId}`, async () => {
      const stored: AuditEntry = { ...entry, seq: (await this.lastAuditSeq(entry.releaseId)) + 1 };
      const reasons = await this.transactWrite(this.auditWrites(stored));
      if (!reasons) {
        this.auditSeqs.set(entry.releaseId, stored.seq);
        return stored;
      }
      const [counterReason, , markerReason] = reasons;
      // The key is already stored: this append was made before (a retry).
      if (markerReason?.code === 'ConditionalCheckFailed' && markerReason.item) {
        return this.auditEntryAt(entry.releaseId, Number(markerReason.item.seq));
      }
      if (counterReason?.code === 'ConditionalCheckFailed') {
        // Another writer took this seq; the failed condition returned the counter as it is now.
        this.noteAuditSeq(entry.releaseId, counterReason);
        return RETRY_NOW;
      }
      return BACK_OFF;
    });
  }

  /**
   * The release's last audit seq: remembered from this process's own writes, read otherwise.
   * A stale value only costs a retry, since every append is conditional on the counter.
   */
  private async lastAuditSeq(releaseId: string): Promise<number> {
    const known = this.auditSeqs.get(releaseId);
    if (known !== undefined) return known;
    const counter = await this.getItem(keys.auditCounter(releaseId));
    const lastSeq = Number(counter?.lastSeq ?? 0);
    this.auditSeqs.set(releaseId, lastSeq);
    return lastSeq;
  }

  private noteAuditSeq(releaseId: string, counterReason: CancellationReason): void {
    if (counterReason.item) this.auditSeqs.set(releaseId, Number(counterReason.item.lastSeq ?? 0));
    else this.auditSeqs.delete(releaseId);
  }

  private async auditEntryAt(releaseId: string, seq: number): Promise<AuditEntry> {
    const item = await this.getItem(keys.auditEntry(releaseId, seq));
    // The marker and its entry are written in one transaction: one without the other is a bug.
    if (!item) throw new Error(`audit entry ${seq} of ${releaseId} is missing though its key is stored`);
    return toAuditEntry(item);
  }

  async listAudit(
    releaseId: string,
    query: { afterSeq?: number; limit?: number } = {},
  ): Promise<AuditEntry[]> {
    const afterSeq = Math.max(0, Math.trunc(query.afterSeq ?? 0));
    if (afterSeq >= MAX_SEQ) return [];
    const items = await this.queryAll(
      {
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: {
          ':pk': `RELEASE#${releaseId}`,
          ':from': keys.auditEntry(releaseId, afterSeq + 1)[SK],
          ':to': keys.auditEntry(releaseId, MAX_SEQ)[SK],
        },
      },
      query.limit,
    );
    return items.map(toAuditEntry);
  }

  /**
   * The three writes that append one audit entry: the counter moves from the entry's
   * predecessor to it (so two appends cannot take the same seq, and none is skipped), the
   * entry, and its key's marker (so the same key cannot be stored twice).
   */
  private auditWrites(entry: AuditEntry): TransactItem[] {
    const previous = entry.seq - 1;
    return [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.auditCounter(entry.releaseId),
          UpdateExpression: 'SET lastSeq = :seq, entity = :entity',
          ConditionExpression: previous === 0 ? 'attribute_not_exists(lastSeq)' : 'lastSeq = :previous',
          ExpressionAttributeValues: {
            ':seq': entry.seq,
            ':entity': 'auditCounter',
            ...(previous === 0 ? {} : { ':previous': previous }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.auditEntry(entry.releaseId, entry.seq), entity: 'audit', ...toAuditEntry(entry) },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.auditKey(entry.releaseId, entry.key), entity: 'auditKey', seq: entry.seq },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ];
  }

  // ── locks ──

  async acquireLock(
    scope: string,
    holder: Pick<LockLease, 'releaseId' | 'kind'>,
    leaseSeconds: number,
  ): Promise<LockLease> {
    if (!(leaseSeconds > 0)) throw new InvalidInputError(`a lease must last some time, not ${leaseSeconds}s`);
    // Two rounds at most unless the lease keeps changing hands under us (then: transient).
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.clock.now();
      const lease: LockLease = {
        scope,
        releaseId: holder.releaseId,
        kind: holder.kind,
        acquiredAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
      };
      const taken = await this.takeLease(lease, now);
      if (taken.lease) return taken.lease;
      if (!taken.holder) continue;
      if (taken.holder.releaseId !== holder.releaseId || taken.holder.kind !== holder.kind) {
        throw new LockHeldError(taken.holder);
      }
      // Already ours and live (a retried step): renew it, keeping when it was first taken.
      const renewed = await this.renewLease(lease);
      if (renewed.lease) return renewed.lease;
      if (renewed.holder) throw new LockHeldError(renewed.holder);
      // Released between the two writes: it is free now, take it in the next round.
    }
    throw new TransientAwsError(
      `the lease of ${scope} kept changing hands`,
      'ConditionalCheckFailedException',
    );
  }

  /** Takes the scope when free, lapsed, or a release's lease this kind outranks. */
  private async takeLease(lease: LockLease, now: Date): Promise<{ lease?: LockLease; holder?: LockLease }> {
    const outranksRelease = OUTRANKS_RELEASE.has(lease.kind);
    try {
      await this.call(
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keys.lock(lease.scope), entity: 'lock', ...lease, ...leaseExpiry(lease) },
            ConditionExpression: [
              'attribute_not_exists(#pk)',
              'leaseExpiresAtMs <= :now',
              ...(outranksRelease ? ['#kind = :release'] : []),
            ].join(' OR '),
            ExpressionAttributeNames: { '#pk': PK, ...(outranksRelease ? { '#kind': 'kind' } : {}) },
            ExpressionAttributeValues: {
              ':now': now.getTime(),
              ...(outranksRelease ? { ':release': 'release' } : {}),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { lease };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const held = itemOfFailedCondition(error);
      return held ? { holder: toLease(held) } : {};
    }
  }

  /** Extends the holder's own lease; otherwise says who holds it now (nobody: empty). */
  private async renewLease(lease: LockLease): Promise<{ lease?: LockLease; holder?: LockLease }> {
    const expiry = leaseExpiry(lease);
    try {
      const { Attributes } = await this.call(
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.lock(lease.scope),
            UpdateExpression: 'SET leaseExpiresAtMs = :expiresAtMs, expiresAt = :expiresAt, #ttl = :ttl',
            ConditionExpression: 'releaseId = :releaseId AND #kind = :kind',
            ExpressionAttributeNames: { '#kind': 'kind', '#ttl': TTL },
            ExpressionAttributeValues: {
              ':expiresAtMs': expiry.leaseExpiresAtMs,
              ':expiresAt': lease.expiresAt,
              ':ttl': expiry[TTL],
              ':releaseId': lease.releaseId,
              ':kind': lease.kind,
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { lease: toLease(Attributes ?? {}) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const held = itemOfFailedCondition(error);
      return held ? { holder: toLease(held) } : {};
    }
  }

  async releaseLock(scope: string, releaseId: string): Promise<void> {
    try {
      await this.call(
        this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: keys.lock(scope),
            ConditionExpression: 'releaseId = :releaseId',
            ExpressionAttributeValues: { ':releaseId': releaseId },
          }),
        ),
      );
    } catch (error) {
      // Not the holder (or nobody holds it): nothing to release.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async getLock(scope: string): Promise<LockLease | undefined> {
    const item = await this.getItem(keys.lock(scope));
    if (!item || Number(item.leaseExpiresAtMs) <= this.clock.now().getTime()) return undefined;
    return toLease(item);
  }

  // ── alarm watches ──

  async watchAlarms(releaseId: string, alarmNames: readonly string[]): Promise<void> {
    for (const names of chunks([...new Set(alarmNames)], WATCHES_PER_TRANSACTION)) {
      // Both directions in one transaction, so unwatching (which reads the release side) always
      // finds every alarm-side item to delete.
      await this.transactWriteUnconditionally(
        names.flatMap((alarmName): TransactItem[] => [
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.watchOfRelease(releaseId, alarmName),
                entity: 'alarmWatch',
                releaseId,
                alarmName,
              },
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.watchOfAlarm(alarmName, releaseId),
                entity: 'alarmWatch',
                releaseId,
                alarmName,
              },
            },
          },
        ]),
        `watching alarms for ${releaseId}`,
      );
    }
  }

  async unwatchAlarms(releaseId: string): Promise<void> {
    const watches = await this.queryPrefix(`RELEASE#${releaseId}`, 'WATCH#');
    const alarmNames = watches.map((item) => String(item.alarmName));
    for (const names of chunks(alarmNames, WATCHES_PER_TRANSACTION)) {
      await this.transactWriteUnconditionally(
        names.flatMap((alarmName): TransactItem[] => [
          { Delete: { TableName: this.tableName, Key: keys.watchOfRelease(releaseId, alarmName) } },
          { Delete: { TableName: this.tableName, Key: keys.watchOfAlarm(alarmName, releaseId) } },
        ]),
        `unwatching alarms of ${releaseId}`,
      );
    }
  }

  async releasesWatching(alarmName: string): Promise<string[]> {
    const items = await this.queryPrefix(`ALARM#${alarmName}`, 'RELEASE#');
    return items.map((item) => String(item.releaseId));
  }

  // ── task tokens ──

  async putTaskToken(key: TaskTokenKey, token: string): Promise<void> {
    // A retried wait state brings a new token for the same key; the newest is the live one.
    await this.call(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.taskToken(key), entity: 'taskToken', ...key, token },
        }),
      ),
    );
  }

  async takeTaskToken(key: TaskTokenKey): Promise<string | undefined> {
    // Deleting and reading are one operation, and only an existing token can be deleted: of two
    // callers, exactly one gets it (the condition also keeps DynamoDB Local honest, which can
    // otherwise return the old item to both of two simultaneous deletes).
    try {
      const { Attributes } = await this.call(
        this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: keys.taskToken(key),
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK },
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      return Attributes?.token === undefined ? undefined : String(Attributes.token);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async listTaskTokens(
    releaseId: string,
    kind?: TaskTokenKind,
  ): Promise<Array<TaskTokenKey & { token: string }>> {
    const items = await this.queryPrefix(`RELEASE#${releaseId}`, kind ? `TOKEN#${kind}#` : 'TOKEN#');
    return items.map((item) => ({
      releaseId: String(item.releaseId),
      kind: item.kind as TaskTokenKind,
      name: String(item.name),
      token: String(item.token),
    }));
  }

  // ── events ──

  async markEventSeen(eventId: string, ttlSeconds: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    const seenUntilMs = now + Math.max(0, ttlSeconds) * 1000;
    try {
      await this.call(
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...keys.event(eventId),
              entity: 'seenEvent',
              eventId,
              seenUntilMs,
              [TTL]: epochSeconds(seenUntilMs),
            },
            // TTL deletes late, so an id is "unseen" again once its window has passed by the clock.
            ConditionExpression: 'attribute_not_exists(#pk) OR seenUntilMs <= :now',
            ExpressionAttributeNames: { '#pk': PK },
            ExpressionAttributeValues: { ':now': now },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  // ── plumbing ──

  /** Awaits an SDK call; throttling and server faults come back as TransientAwsError. */
  private async call<Output>(request: Promise<Output>): Promise<Output> {
    try {
      return await request;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  private async getItem(key: Item): Promise<Item | undefined> {
    const { Item } = await this.call(
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
    );
    return Item;
  }

  /** Writes the item unless one with its key exists: the first write wins, a retry is a no-op. */
  private async putIfAbsent(item: Item): Promise<boolean> {
    try {
      await this.call(
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private queryPrefix(partition: string, sortKeyPrefix: string): Promise<Item[]> {
    return this.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': partition, ':prefix': sortKeyPrefix },
    });
  }

  /** Every item the query matches (following pages), or the first `limit` of them. */
  private async queryAll(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>,
    limit?: number,
  ): Promise<Item[]> {
    const items: Item[] = [];
    const listing = pages(
      `Query of table ${this.tableName}`,
      (startKey: Item | undefined) => {
        const remaining = limit === undefined ? undefined : limit - items.length;
        return this.call(
          this.documents.send(
            new QueryCommand({
              TableName: this.tableName,
              ConsistentRead: true,
              ...input,
              ...(remaining !== undefined ? { Limit: remaining } : {}),
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
      },
      (page) => page.LastEvaluatedKey,
    );
    for await (const page of listing) {
      items.push(...(page.Items ?? []));
      if (limit !== undefined && items.length >= limit) break;
    }
    return items;
  }

  /**
   * Commits the transaction, or returns why it was cancelled when a condition failed or it
   * collided with another transaction (both worth another read-decide-write round).
   */
  private async transactWrite(items: TransactItem[]): Promise<CancellationReason[] | undefined> {
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
      return undefined;
    } catch (error) {
      const reasons = cancellationReasons(error);
      const decisive = reasons?.every((reason) =>
        ['None', 'ConditionalCheckFailed', 'TransactionConflict'].includes(reason.code),
      );
      if (reasons && decisive) return reasons;
      throw toStoreError(error);
    }
  }

  /** Commits a transaction without conditions, backing off while it collides with others. */
  private async transactWriteUnconditionally(items: TransactItem[], what: string): Promise<void> {
    await this.optimistically(what, async () => ((await this.transactWrite(items)) ? BACK_OFF : undefined));
  }

  /**
   * Writers of one release's audit in this process go one at a time: they would only collide on
   * the release's audit counter and back off. (A Lambda container runs one at a time anyway; the
   * rehearsal runs many handlers in one process.)
   */
  private oneAtATime<T>(releaseId: string, write: () => Promise<T>): Promise<T> {
    const previous = this.auditWriters.get(releaseId) ?? Promise.resolve();
    const next = previous.then(write, write);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.auditWriters.set(releaseId, settled);
    void settled.then(() => {
      if (this.auditWriters.get(releaseId) === settled) this.auditWriters.delete(releaseId);
    });
    return next;
  }

  /**
   * Runs a round (read, decide, conditional write) until it returns a result. RETRY_NOW: a
   * condition failed because another writer made progress, so the next round can succeed at
   * once. BACK_OFF: the transaction collided with another in flight; wait a little.
   */
  private async optimistically<T>(
    what: string,
    round: () => Promise<T | typeof RETRY_NOW | typeof BACK_OFF>,
  ): Promise<T> {
    let collisions = 0;
    for (let attempt = 0; attempt < this.maxOptimisticAttempts; attempt++) {
      const result = await round();
      if (result === RETRY_NOW) continue;
      if (result !== BACK_OFF) return result;
      // Full jitter: colliding writers spread out instead of colliding again in lockstep.
      await sleep(Math.random() * Math.min(200, 10 * 2 ** collisions++));
    }
    throw new TransientAwsError(
      `${what}: still contended after ${this.maxOptimisticAttempts} attempts`,
      'TransactionCanceledException',
    );
  }
}

const RETRY_NOW = Symbol('retry now');
const BACK_OFF = Symbol('back off');

/** Builds `SET #a = :a, …` with placeholder names, so reserved words (status, name) are safe. */
class UpdateExpression {
  private readonly names: Record<string, string> = {};
  private readonly values: Item = {};
  private readonly assignments: string[] = [];

  name(attribute: string): string {
    const placeholder = `#${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  set(attribute: string, value: unknown): void {
    const placeholder = `:${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.values[placeholder] = value;
    this.assignments.push(`${this.name(attribute)} = ${placeholder}`);
  }

  /** A condition that the attribute has this value. */
  equals(attribute: string, value: unknown): string {
    const placeholder = `:${attribute.replace(/[^A-Za-z0-9_]/g, '_')}_expected`;
    this.values[placeholder] = value;
    return `${this.name(attribute)} = ${placeholder}`;
  }

  /** A condition that the attribute is one of the values. */
  oneOf(attribute: string, allowed: readonly unknown[]): string {
    const placeholders = allowed.map((value, index) => {
      const placeholder = `:${attribute}_allowed_${index}`;
      this.values[placeholder] = value;
      return placeholder;
    });
    return `${this.name(attribute)} IN (${placeholders.join(', ')})`;
  }

  build() {
    return {
      UpdateExpression: `SET ${this.assignments.join(', ')}`,
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: this.values,
    };
  }
}

/** A page's position: the last item's table and index keys, as opaque text. */
function encodeCursor(index: StoreIndex, item: Item): string {
  const key = Object.fromEntries(
    [PK, SK, index.partitionKey.name, index.sortKey.name].map((name) => [name, item[name]]),
  );
  return Buffer.from(JSON.stringify({ index: index.indexName, key }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, index: StoreIndex, partition: string): Item {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidInputError('the cursor is not one this API returned');
  }
  const { index: indexName, key } = (decoded ?? {}) as { index?: unknown; key?: Record<string, unknown> };
  const names = [PK, SK, index.partitionKey.name, index.sortKey.name];
  // Key values past DynamoDB's limits would fail the query itself (a ValidationException):
  // sort keys at most 1,024 bytes, partition keys 2,048.
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
  const wellFormed =
    typeof key === 'object' &&
    key !== null &&
    names.every(
      (name) => typeof key[name] === 'string' && Buffer.byteLength(key[name] as string, 'utf8') <= 1024,
    );
  if (!wellFormed || indexName !== index.indexName || key[index.partitionKey.name] !== partition) {
    throw new InvalidInputError('the cursor belongs to another query (other status or none)');
  }
  return Object.fromEntries(names.map((name) => [name, key[name]]));
}

function nonEmpty<T>(values: readonly T[], what: string): readonly T[] {
  if (values.length === 0) throw new InvalidInputError(`${what} must name at least one status`);
  return values;
}

function chunks<T>(values: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += size) result.push(values.slice(start, start + size));
  return result;
}

async function forEachConcurrently<T>(
  values: readonly T[],
  concurrency: number,
  action: (value: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < values.length) {
      const value = values[next++] as T;
      await action(value);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, values.length) }, worker));
}

const epochSeconds = (ms: number) => Math.ceil(ms / 1000);

/** The lease's expiry as the write condition compares it, and when TTL may clean it up. */
function leaseExpiry(lease: LockLease) {
  const leaseExpiresAtMs = Date.parse(lease.expiresAt);
  return { leaseExpiresAtMs, [TTL]: epochSeconds(leaseExpiresAtMs) + LEASE_RETENTION_SECONDS };
}
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
