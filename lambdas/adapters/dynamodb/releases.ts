/**
 * Release records and their plan documents. A status moves only as the lifecycle
 * (core/lifecycle.ts) allows, judged by the write's own condition.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConditionFailedError,
  InvalidInputError,
  NotFoundError,
  QueueFullError,
  ReleaseConflictError,
} from '../../core/errors';
import { releaseMoveSources } from '../../core/lifecycle';
import { MAX_QUEUED_RELEASES, queueEntryFor } from '../../core/release-queue';
import type {
  CreateReleaseOptions,
  Page,
  ReleaseRecord,
  ReleaseStatus,
  ReleaseStatusChanges,
  ReleaseStore,
} from '../../ports';
import { decodeDocument, encodeDocument } from './document-codec';
import {
  BY_STATUS,
  BY_TIME,
  type Item,
  keys,
  PK,
  releaseIndexKeys,
  releaseStatusKey,
  SK,
  type StoreIndex,
} from './keys';
import { toRelease } from './records';
import { type DynamoDbReleaseQueue, enqueueItems, leaveQueueItems } from './release-queue';
import { BACK_OFF, collided, conditionFailed, RETRY_NOW, type StoreTable } from './store-table';
import { UpdateExpression } from './update-expression';

const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;

export class DynamoDbReleases implements ReleaseStore {
  constructor(
    private readonly table: StoreTable,
    private readonly queue: DynamoDbReleaseQueue,
  ) {}

  async createRelease(
    release: ReleaseRecord,
    planDocument: unknown,
    options: CreateReleaseOptions = {},
  ): Promise<{ created: boolean; release: ReleaseRecord }> {
    const record = toRelease(release);
    const plan = encodeDocument(planDocument, `the plan of release ${release.releaseId}`);
    const { tableName } = this.table;
    // A queued release and its entry are one write: no QUEUED release the dispatcher cannot find.
    const enqueue = options.enqueue
      ? enqueueItems(tableName, queueEntryFor(record, options.enqueue.emergency))
      : [];
    return this.table.optimistically(`creating release ${release.releaseId}`, async () => {
      // The plan is written only with a new release record: if the record exists the whole
      // transaction is cancelled and the stored plan stays the one its hash describes.
      const reasons = await this.table.transactWrite([
        {
          name: 'release',
          item: {
            Put: {
              TableName: tableName,
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
        },
        {
          name: 'plan',
          item: {
            Put: {
              TableName: tableName,
              Item: {
                ...keys.plan(release.releaseId),
                entity: 'plan',
                releaseId: release.releaseId,
                ...plan,
              },
            },
          },
        },
        ...enqueue,
      ]);
      if (!reasons) return { created: true, release: record };
      const existingItem =
        reasons.release?.code === 'ConditionalCheckFailed' ? reasons.release.item : undefined;
      if (!existingItem && conditionFailed(reasons, 'queueCount')) {
        throw new QueueFullError(MAX_QUEUED_RELEASES);
      }
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
    const item = await this.table.getItem(keys.release(releaseId));
    return item && toRelease(item);
  }

  async getPlanDocument(releaseId: string): Promise<unknown> {
    const item = await this.table.getItem(keys.plan(releaseId));
    if (!item) throw new NotFoundError(`release ${releaseId} has no stored plan`);
    return decodeDocument(item);
  }

  async setReleaseStatus(
    releaseId: string,
    status: ReleaseStatus,
    changes: ReleaseStatusChanges = {},
  ): Promise<ReleaseRecord> {
    const from = releaseMoveSources(status, changes.from);
    const refused = (current: unknown) =>
      new ConditionFailedError(
        `release ${releaseId} is ${String(current)}, not ${from.join(' or ') || 'a status it may leave for it'}: not moved to ${status}`,
      );
    if (from.length === 0) {
      // No status would do: nothing to write, only to say why.
      const current = await this.getRelease(releaseId);
      if (!current) throw new NotFoundError(`release ${releaseId} does not exist`);
      throw refused(current.status);
    }
    const update = this.statusUpdate(releaseId, status, changes, from);
    if (changes.leaveQueue) return this.moveLeavingQueue(releaseId, status, update, refused);

    const outcome = await this.table.conditionally(
      this.table.documents.send(
        new UpdateCommand({
          ...update,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if ('written' in outcome) return toRelease(outcome.written.Attributes ?? {});
    if (!outcome.failed) throw new NotFoundError(`release ${releaseId} does not exist`);
    throw refused(outcome.failed.status);
  }

  /** The conditional update of a release's status: only from `from`, and only if the release exists. */
  private statusUpdate(
    releaseId: string,
    status: ReleaseStatus,
    changes: ReleaseStatusChanges,
    from: readonly ReleaseStatus[],
  ) {
    const update = new UpdateExpression();
    update.set('status', status);
    update.set('updatedAt', this.table.clock.now().toISOString());
    update.set(BY_STATUS.partitionKey.name, releaseStatusKey(status));
    if (changes.reason !== undefined) update.set('reason', changes.reason);
    if (changes.executionArn !== undefined) update.set('executionArn', changes.executionArn);
    if (changes.rollbackWindow !== undefined) update.set('rollbackWindow', changes.rollbackWindow);
    const condition = [`attribute_exists(${update.name(PK)})`, update.oneOf('status', from)];
    return {
      TableName: this.table.tableName,
      Key: keys.release(releaseId),
      ...update.build(),
      ConditionExpression: condition.join(' AND '),
    };
  }

  /** The status change and the release's queue entry going, in one transaction. */
  private moveLeavingQueue(
    releaseId: string,
    status: ReleaseStatus,
    update: ReturnType<DynamoDbReleases['statusUpdate']>,
    refused: (current: unknown) => Error,
  ): Promise<ReleaseRecord> {
    return this.table.optimistically(`moving release ${releaseId} to ${status} off the queue`, async () => {
      const entry = await this.queue.entryOf(releaseId);
      const reasons = await this.table.transactWrite([
        { name: 'release', item: { Update: { ...update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } },
        ...(entry ? leaveQueueItems(this.table.tableName, entry) : []),
      ]);
      if (!reasons) {
        const moved = await this.getRelease(releaseId);
        if (!moved) throw new NotFoundError(`release ${releaseId} does not exist`);
        return moved;
      }
      if (conditionFailed(reasons, 'release')) {
        const current = reasons.release?.item;
        if (!current) throw new NotFoundError(`release ${releaseId} does not exist`);
        throw refused(current.status);
      }
      // The entry went meanwhile (another writer took it off), or the transaction collided.
      return collided(reasons) ? BACK_OFF : RETRY_NOW;
    });
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
    const { Items = [] } = await this.table.call(
      this.table.documents.send(
        new QueryCommand({
          TableName: this.table.tableName,
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
