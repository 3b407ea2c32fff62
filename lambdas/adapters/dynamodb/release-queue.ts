/**
 * The release queue: one partition (`QUEUE#release`) whose entries' sort keys are the queue order
 * (core/release-queue.ts queueSortKey), so one Query reads the queue in order. The Query is on
 * the base table and strongly consistent: a global secondary index is read eventually consistent
 * only, and a release queued a moment ago could be missing from the dispatcher's read
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html).
 *
 * Entries are written only in the transaction that creates their QUEUED release
 * (releases.ts createRelease), and the COUNT item moves in every transaction that adds or removes
 * one, conditioned on the bound: of two submissions racing for the last place, one is refused.
 * At most MAX_QUEUED_RELEASES small items live here, far below a partition's limits.
 */
import { MAX_QUEUED_RELEASES, type QueueEntry, queueSortKey } from '../../core/release-queue';
import type { ReleaseQueueStore } from '../../ports';
import { keys, PK, QUEUE_ENTRY_PREFIX, QUEUE_PARTITION } from './keys';
import { toQueueEntry } from './records';
import { BACK_OFF, collided, type NamedTransactItem, RETRY_NOW, type StoreTable } from './store-table';

export type QueueItemName = 'queueEntry' | 'queueCount';

export class DynamoDbReleaseQueue implements ReleaseQueueStore {
  constructor(private readonly table: StoreTable) {}

  async listQueue(): Promise<QueueEntry[]> {
    const items = await this.table.queryPrefix(QUEUE_PARTITION, QUEUE_ENTRY_PREFIX);
    return items.map(toQueueEntry);
  }

  async removeFromQueue(releaseId: string): Promise<void> {
    await this.table.optimistically(`taking ${releaseId} off the release queue`, async () => {
      const entry = await this.entryOf(releaseId);
      if (!entry) return;
      const reasons = await this.table.transactWrite(leaveQueueItems(this.table.tableName, entry));
      if (!reasons) return;
      // Collided with another change of the queue, or removed meanwhile (then the next round finds none).
      return collided(reasons) ? BACK_OFF : RETRY_NOW;
    });
  }

  /** The release's entry, if it waits: found by reading the queue (its key carries its place). */
  async entryOf(releaseId: string): Promise<QueueEntry | undefined> {
    return (await this.listQueue()).find((entry) => entry.releaseId === releaseId);
  }
}

/** The writes that add an entry: the entry itself, and the count, only while below the bound. */
export function enqueueItems(tableName: string, entry: QueueEntry): NamedTransactItem<QueueItemName>[] {
  return [
    {
      name: 'queueEntry',
      item: {
        Put: {
          TableName: tableName,
          Item: { ...keys.queueEntry(queueSortKey(entry)), entity: 'queueEntry', ...entry },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        },
      },
    },
    {
      name: 'queueCount',
      item: {
        Update: {
          TableName: tableName,
          Key: keys.queueCount(),
          UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, entity = :entity',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':max': MAX_QUEUED_RELEASES,
            ':entity': 'queueCount',
          },
        },
      },
    },
  ];
}

/** The writes that take an entry off: the entry (only if it is still there), and the count. */
export function leaveQueueItems(tableName: string, entry: QueueEntry): NamedTransactItem<QueueItemName>[] {
  return [
    {
      name: 'queueEntry',
      item: {
        Delete: {
          TableName: tableName,
          Key: keys.queueEntry(queueSortKey(entry)),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        },
      },
    },
    {
      name: 'queueCount',
      item: {
        Update: {
          TableName: tableName,
          Key: keys.queueCount(),
          UpdateExpression: 'SET #count = #count - :one',
          ConditionExpression: '#count >= :one',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    },
  ];
}
