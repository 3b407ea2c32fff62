/**
 * Service rollouts, each updated with its audit entry in one transaction, and the snapshots a
 * rollback restores. A patched status moves only as the lifecycle (core/lifecycle.ts) allows.
 */
import { TransactGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError, NotFoundError } from '../../core/errors';
import { type BoardChange, boardChange, readyRank } from '../../core/lanes';
import { rolloutUpdateSources } from '../../core/lifecycle';
import {
  type LaneBoard,
  type NewAuditEntry,
  type ReleaseStatus,
  type RolloutState,
  SERVICE_ROLLOUT_PATCH_FIELDS,
  type ServiceRolloutKey,
  type ServiceRolloutPatch,
  type ServiceRolloutRecord,
  type ServiceRolloutStatus,
  type ServiceRolloutStore,
  type StoredSnapshot,
} from '../../ports';
import { type DynamoDbAudit, requireKey } from './audit';
import { decodeDocument, encodeDocument } from './document-codec';
import { type Item, keys, laneBoardPrefix, PK, releasePartition } from './keys';
import { toRelease, toRollout } from './records';
import {
  BACK_OFF,
  type CancellationsByName,
  collided,
  conditionFailed,
  type NamedTransactItem,
  RETRY_NOW,
  type StoreTable,
} from './store-table';
import { UpdateExpression } from './update-expression';

/** Parallel conditional puts when writing many service rollouts. */
const PUT_CONCURRENCY = 8;

/** Ready ranks one container remembers before starting over. */
const REMEMBERED_RANKS = 10_000;

const rankKey = ({ releaseId, region, service }: ServiceRolloutKey) => `${releaseId}/${region}/${service}`;

export class DynamoDbServiceRollouts implements ServiceRolloutStore {
  /**
   * Ready ranks this container read on a board, by rollout: a claim that follows its board read
   * deletes the ready item without reading the record first. A rank never changes (it is the
   * record's priority and name), so a remembered one is never stale.
   */
  private readonly readyRanks = new Map<string, string>();

  constructor(
    private readonly table: StoreTable,
    private readonly audit: DynamoDbAudit,
  ) {}

  async putServiceRollouts(records: readonly ServiceRolloutRecord[]): Promise<void> {
    const perRegion = new Map<string, { releaseId: string; region: string; count: number }>();
    for (const { releaseId, region } of records) {
      const key = `${releaseId}#${region}`;
      const entry = perRegion.get(key) ?? { releaseId, region, count: 0 };
      entry.count++;
      perRegion.set(key, entry);
    }
    for (const { releaseId, region, count } of perRegion.values()) {
      await this.table.putIfAbsent({
        ...keys.laneBoard(releaseId, region),
        entity: 'laneBoard',
        running: {},
        unclaimed: count,
      });
    }
    await forEachConcurrently(records, PUT_CONCURRENCY, async (record) => {
      const { waitingOn = [], ...fields } = record;
      const item = {
        ...keys.rollout(record.releaseId, record.region, record.service),
        entity: 'serviceRollout',
        ...toRollout(fields),
        ...(waitingOn.length > 0 && { waitingOn: Object.fromEntries(waitingOn.map((name) => [name, true])) }),
        version: 0,
      };
      if (waitingOn.length > 0) {
        await this.table.putIfAbsent(item);
        return;
      }
      // Ready from the start: the record and its place in the ready set are written together,
      // so a retry after a claim never puts a claimed service back.
      await this.table.transactWrite([
        { name: 'rollout', item: { Put: this.absentOnly(item) } },
        { name: 'ready', item: { Put: this.absentOnly(this.readyItem(record)) } },
      ]);
    });
  }

  /**
   * One TransactGetItems of both items: serializable, and authorised as GetItem
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
   */
  async getRolloutState(key: ServiceRolloutKey): Promise<RolloutState> {
    const { tableName } = this.table;
    const { Responses = [] } = await this.table.call(
      this.table.documents.send(
        new TransactGetCommand({
          TransactItems: [
            { Get: { TableName: tableName, Key: keys.release(key.releaseId) } },
            { Get: { TableName: tableName, Key: keys.rollout(key.releaseId, key.region, key.service) } },
            { Get: { TableName: tableName, Key: keys.snapshot(key.releaseId, key.region, key.service) } },
          ],
        }),
      ),
    );
    const [release, rollout] = Responses.map((response) => response.Item);
    return {
      ...(release && { release: toRelease(release) }),
      ...(rollout && { rollout: toRollout(rollout) }),
    };
  }

  async laneBoard(releaseId: string, region: string, limit: number): Promise<LaneBoard> {
    // The board sorts first in its range, then the ready set in rank order: one page of a few items.
    const [board, ...ready] = await this.table.queryPrefix(
      releasePartition(releaseId),
      laneBoardPrefix(region),
      1 + Math.max(0, limit),
    );
    if (board?.entity !== 'laneBoard')
      throw new NotFoundError(`release ${releaseId} has no rollouts in ${region}`);
    const running = (board.running ?? {}) as Record<string, string>;
    return {
      lanes: Object.fromEntries(
        Object.entries(running)
          .map(([service, lane]) => [lane, service])
          .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)),
      ),
      unclaimed: Number(board.unclaimed),
      ...(typeof board.broken === 'string' && { broken: board.broken }),
      ready: ready.map((item) => {
        const service = String(item.service);
        if (typeof item.rank === 'string') this.rememberRank({ releaseId, region, service }, item.rank);
        return service;
      }),
    };
  }

  async countDownDependents(key: ServiceRolloutKey, dependents: readonly string[]): Promise<string[]> {
    const ready = await Promise.all(
      dependents.map(async (service) => {
        const rolloutKey = keys.rollout(key.releaseId, key.region, service);
        // Removing one named entry is idempotent: a retried count-down removes nothing more.
        const { Attributes } = await this.table.call(
          this.table.documents.send(
            new UpdateCommand({
              TableName: this.table.tableName,
              Key: rolloutKey,
              UpdateExpression: 'REMOVE #waitingOn.#dependency',
              ConditionExpression: 'attribute_exists(#pk)',
              ExpressionAttributeNames: { '#pk': PK, '#waitingOn': 'waitingOn', '#dependency': key.service },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        const record = Attributes && toRollout(Attributes);
        if (record?.status !== 'PENDING' || (record.waitingOn?.length ?? 0) > 0) return undefined;
        // Into the ready set only while it is still pending: a late retry never re-readies a claimed service.
        const cancelled = await this.table.transactWrite([
          {
            name: 'rollout',
            item: {
              ConditionCheck: {
                TableName: this.table.tableName,
                Key: rolloutKey,
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':pending': 'PENDING' },
              },
            },
          },
          { name: 'ready', item: { Put: this.absentOnly(this.readyItem(record)) } },
        ]);
        return cancelled ? undefined : service;
      }),
    );
    return ready.filter((service): service is string => service !== undefined);
  }

  private readyItem(
    record: Pick<ServiceRolloutRecord, 'releaseId' | 'region' | 'service' | 'priority'>,
  ): Item {
    const rank = readyRank(record.priority ?? 0, record.service);
    return {
      ...keys.ready(record.releaseId, record.region, rank),
      entity: 'ready',
      service: record.service,
      rank,
    };
  }

  private absentOnly(item: Item) {
    return {
      TableName: this.table.tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PK },
    };
  }

  /** The board's share of a rollout update's transaction (core/lanes.ts boardChange); `rank` is the ready item's, for a claim. */
  private boardWrites(
    key: ServiceRolloutKey,
    change: BoardChange,
    rank: string | undefined,
  ): Array<NamedTransactItem<'board' | 'ready'>> {
    const sets: string[] = [];
    const removes: string[] = [];
    // DynamoDB refuses a name the expressions do not use (ValidationException): each is added with its use.
    const names: Record<string, string> = { '#pk': PK };
    const values: Item = {};
    if (change.claimed) {
      sets.push('#unclaimed = #unclaimed - :one');
      names['#unclaimed'] = 'unclaimed';
      values[':one'] = 1;
    }
    if (change.runs) {
      sets.push('#running.#service = :lane');
      names['#running'] = 'running';
      names['#service'] = key.service;
      values[':lane'] = change.runs.lane;
    }
    if (change.stops) {
      removes.push('#running.#service');
      names['#running'] = 'running';
      names['#service'] = key.service;
    }
    if (change.broken) {
      sets.push('#broken = if_not_exists(#broken, :broken)');
      names['#broken'] = 'broken';
      values[':broken'] = change.broken;
    }
    const expression = [
      sets.length > 0 ? `SET ${sets.join(', ')}` : '',
      removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (change.claimed && rank === undefined) throw new Error(`claiming ${key.service} needs its ready rank`);
    return [
      {
        name: 'board',
        item: {
          Update: {
            TableName: this.table.tableName,
            Key: keys.laneBoard(key.releaseId, key.region),
            UpdateExpression: expression,
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: names,
            ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
          },
        },
      },
      ...(change.claimed && rank !== undefined
        ? [
            {
              name: 'ready' as const,
              item: {
                Delete: { TableName: this.table.tableName, Key: keys.ready(key.releaseId, key.region, rank) },
              },
            },
          ]
        : []),
    ];
  }

  async getServiceRollout(
    releaseId: string,
    region: string,
    service: string,
  ): Promise<ServiceRolloutRecord | undefined> {
    const item = await this.table.getItem(keys.rollout(releaseId, region, service));
    return item && toRollout(item);
  }

  async listServiceRollouts(releaseId: string, region?: string): Promise<ServiceRolloutRecord[]> {
    const items = await this.table.queryPrefix(
      releasePartition(releaseId),
      region ? `ROLLOUT#${region}#` : 'ROLLOUT#',
    );
    return items.map(toRollout);
  }

  async updateServiceRollout(
    key: ServiceRolloutKey,
    patch: ServiceRolloutPatch,
    audited: NewAuditEntry | readonly NewAuditEntry[],
    expect?: readonly ServiceRolloutStatus[],
    whileRelease?: ReleaseStatus,
  ): Promise<void> {
    const audit = auditEntries(audited);
    for (const entry of audit) requireKey(entry);
    const from = rolloutUpdateSources(patch.status, expect);
    // Most updates say, by their conditions, what the region's board must do (a step or a verdict:
    // nothing; a completion: free its lane): they are written without reading the record first,
    // their conditions judged by DynamoDB.
    const change = boardChange(key.service, patch, from);
    // A claim needs its ready rank: remembered from the board it was chosen on, or read with the
    // record. No status at all would do (from = []): the read names the one it has.
    const rank =
      change !== 'needs the record' && change?.claimed ? this.readyRanks.get(rankKey(key)) : undefined;
    if (change === 'needs the record' || (change?.claimed && rank === undefined) || from?.length === 0) {
      await this.readThenUpdate(key, patch, audit, from, whileRelease);
      return;
    }
    await this.updateUnread(key, patch, audit, from, whileRelease, change, rank);
  }

  private rememberRank(key: ServiceRolloutKey, rank: string): void {
    // Bounded: a long-lived container claims across many releases.
    if (this.readyRanks.size >= REMEMBERED_RANKS) this.readyRanks.clear();
    this.readyRanks.set(rankKey(key), rank);
  }

  private async readThenUpdate(
    key: ServiceRolloutKey,
    patch: ServiceRolloutPatch,
    audit: readonly NewAuditEntry[],
    from: readonly ServiceRolloutStatus[] | undefined,
    whileRelease?: ReleaseStatus,
  ): Promise<ServiceRolloutRecord> {
    const rolloutKey = keys.rollout(key.releaseId, key.region, key.service);
    const what = `service rollout ${key.releaseId}/${key.region}/${key.service}`;
    const [first] = audit as [NewAuditEntry];
    return this.audit.oneAtATime(first.releaseId, () =>
      this.table.optimistically(`updating ${what}`, async () => {
        const [current, lastSeq] = await Promise.all([
          this.table.getItem(rolloutKey),
          this.audit.lastSeq(first.releaseId),
        ]);
        if (!current) throw new NotFoundError(`${what} does not exist`);
        const status = current.status as ServiceRolloutStatus;
        if (from && !from.includes(status)) {
          // A retry of a change already made finds the status it moved to: that is success.
          if (await this.audit.isStored(first.releaseId, first.key)) return toRollout(current);
          throw statusRefused(what, status, from, patch);
        }

        const version = Number(current.version ?? 0);
        const record = toRollout(current);
        const found = boardChange(key.service, patch, [record.status]);
        const change = found === 'needs the record' ? undefined : found;
        const rank = readyRank(record.priority ?? 0, key.service);
        const applied: Item = { updatedAt: this.table.clock.now().toISOString() };
        const update = new UpdateExpression();
        for (const field of SERVICE_ROLLOUT_PATCH_FIELDS) {
          if (patch[field] !== undefined) applied[field] = patch[field];
        }
        if (patch.addChecks) {
          applied.checksPassed = Number(current.checksPassed ?? 0) + patch.addChecks.passed;
          applied.checksFailed = Number(current.checksFailed ?? 0) + patch.addChecks.failed;
        }
        for (const [field, value] of Object.entries(applied)) update.set(field, value);
        update.set('version', version + 1);
        const entries = numbered(audit, lastSeq);
        const reasons = await this.table.transactWrite([
          {
            name: 'rollout',
            item: {
              Update: {
                TableName: this.table.tableName,
                Key: rolloutKey,
                ...update.build(),
                // Unchanged since the read: the status was judged on this very state, and the
                // record returned below is exactly what was written.
                ConditionExpression: update.equals('version', version),
              },
            },
          },
          ...this.audit.writes(...entries),
          ...(change ? this.boardWrites(key, change, rank) : []),
          ...(whileRelease ? [this.releaseCheck(key, whileRelease)] : []),
        ]);
        if (!reasons) {
          this.audit.committed(entries.at(-1)!);
          return toRollout({ ...current, ...applied });
        }
        // This audit key is already stored, so this change was already made: a retry.
        if (conditionFailed(reasons, 'auditKey')) return toRollout(current);
        // The record or the audit moved on since the read: judge again on fresh reads.
        return this.afterCancellation(reasons, key, what, first.releaseId, whileRelease);
      }),
    );
  }

  /** One transaction, no read: the status condition (if any) and the version bump are DynamoDB's. */
  private async updateUnread(
    key: ServiceRolloutKey,
    patch: ServiceRolloutPatch,
    audit: readonly NewAuditEntry[],
    from: readonly ServiceRolloutStatus[] | undefined,
    whileRelease: ReleaseStatus | undefined,
    change: BoardChange | undefined,
    rank: string | undefined,
  ): Promise<void> {
    const rolloutKey = keys.rollout(key.releaseId, key.region, key.service);
    const what = `service rollout ${key.releaseId}/${key.region}/${key.service}`;
    const [first] = audit as [NewAuditEntry];
    await this.audit.oneAtATime(first.releaseId, () =>
      this.table.optimistically(`updating ${what}`, async () => {
        const update = new UpdateExpression();
        update.set('updatedAt', this.table.clock.now().toISOString());
        for (const field of SERVICE_ROLLOUT_PATCH_FIELDS) {
          if (patch[field] !== undefined) update.set(field, patch[field]);
        }
        if (patch.addChecks) {
          update.increment('checksPassed', patch.addChecks.passed);
          update.increment('checksFailed', patch.addChecks.failed);
        }
        update.increment('version', 1);
        const exists = `attribute_exists(${update.name(PK)})`;
        const entries = numbered(audit, await this.audit.lastSeq(first.releaseId));
        const reasons = await this.table.transactWrite([
          {
            name: 'rollout',
            item: {
              Update: {
                TableName: this.table.tableName,
                Key: rolloutKey,
                ...update.build(),
                ConditionExpression: from ? `${exists} AND ${update.oneOf('status', from)}` : exists,
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          },
          ...this.audit.writes(...entries),
          ...(change ? this.boardWrites(key, change, rank) : []),
          ...(whileRelease ? [this.releaseCheck(key, whileRelease)] : []),
        ]);
        if (!reasons) {
          this.audit.committed(entries.at(-1)!);
          return undefined;
        }
        if (conditionFailed(reasons, 'auditKey')) return undefined;
        if (conditionFailed(reasons, 'rollout')) {
          const current = reasons.rollout?.item;
          if (!current) throw new NotFoundError(`${what} does not exist`);
          if (await this.audit.isStored(first.releaseId, first.key)) return undefined;
          throw statusRefused(what, String(current.status), from, patch);
        }
        return this.afterCancellation(reasons, key, what, first.releaseId, whileRelease);
      }),
    );
  }

  /**
   * A cancelled rollout update, past what each path judges itself (a retry, the record's own
   * condition): a missing board or a release no longer in its status refuses it; a taken audit
   * seq or a collision is worth another round.
   */
  private afterCancellation(
    reasons: CancellationsByName<string>,
    key: ServiceRolloutKey,
    what: string,
    releaseId: string,
    whileRelease: ReleaseStatus | undefined,
  ): typeof RETRY_NOW | typeof BACK_OFF {
    if (conditionFailed(reasons, 'board'))
      throw new NotFoundError(`${what} has no lane board: its release was not started by this version`);
    if (conditionFailed(reasons, 'release'))
      throw new ConditionFailedError(
        `release ${key.releaseId} is no longer ${whileRelease}: ${what} not updated`,
      );
    if (conditionFailed(reasons, 'auditCounter')) this.audit.noteCounter(releaseId, reasons.auditCounter);
    return collided(reasons) ? BACK_OFF : RETRY_NOW;
  }

  private releaseCheck(key: ServiceRolloutKey, whileRelease: ReleaseStatus): NamedTransactItem<'release'> {
    return {
      name: 'release',
      item: {
        ConditionCheck: {
          TableName: this.table.tableName,
          Key: keys.release(key.releaseId),
          ConditionExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': whileRelease },
        },
      },
    };
  }

  // ── snapshots ──

  async putSnapshot(releaseId: string, service: string, snapshot: StoredSnapshot): Promise<void> {
    const { region } = snapshot.target;
    await this.table.putIfAbsent({
      ...keys.snapshot(releaseId, region, service),
      entity: 'snapshot',
      releaseId,
      region,
      service,
      ...encodeDocument(snapshot, `the snapshot of ${service} in ${region}`),
    });
  }

  async getSnapshot(releaseId: string, region: string, service: string): Promise<StoredSnapshot | undefined> {
    const item = await this.table.getItem(keys.snapshot(releaseId, region, service));
    return item && (decodeDocument(item) as StoredSnapshot);
  }

  async getSnapshots(
    releaseId: string,
    region?: string,
  ): Promise<Array<{ service: string; snapshot: StoredSnapshot }>> {
    const items = await this.table.queryPrefix(
      releasePartition(releaseId),
      region ? `SNAPSHOT#${region}#` : 'SNAPSHOT#',
    );
    return items.map((item) => ({
      service: String(item.service),
      snapshot: decodeDocument(item) as StoredSnapshot,
    }));
  }
}

/** The record's status is none the update may start from. */
function statusRefused(
  what: string,
  status: string,
  from: readonly ServiceRolloutStatus[] | undefined,
  patch: ServiceRolloutPatch,
): ConditionFailedError {
  const to = patch.status ? `: not moved to ${patch.status}` : '';
  return new ConditionFailedError(
    `${what} is ${status}, not ${from?.join(' or ') || 'a status it may leave'}${to}`,
  );
}

const auditEntries = (audited: NewAuditEntry | readonly NewAuditEntry[]): readonly NewAuditEntry[] =>
  Array.isArray(audited) ? audited : [audited as NewAuditEntry];

/** The entries of one transaction, numbered on from the release's last seq. */
const numbered = (entries: readonly NewAuditEntry[], lastSeq: number) =>
  entries.map((entry, index) => ({ ...entry, seq: lastSeq + 1 + index }));

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
