/**
 * The store's table as its record modules use it: one document client, the injected clock,
 * conditional writes, paged queries, and transactions whose items are named, so why one was
 * cancelled is read by name.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TransientAwsError } from '../../core/errors';
import type { Clock } from '../../ports';
import { pages } from '../aws/paging';
import {
  type CancellationReason,
  cancellationReasons,
  isConditionalCheckFailed,
  itemOfFailedCondition,
  toStoreError,
} from './aws-errors';
import { type Item, PK, SK } from './keys';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction, named for what it writes (or checks). */
export interface NamedTransactItem<Name extends string> {
  name: Name;
  item: TransactItem;
}

/** Why a cancelled transaction was cancelled, per item name. */
export type CancellationsByName<Name extends string> = Partial<Record<Name, CancellationReason>>;

export const RETRY_NOW = Symbol('retry now');
export const BACK_OFF = Symbol('back off');
export type RoundOutcome<T> = T | typeof RETRY_NOW | typeof BACK_OFF;

export interface StoreTableOptions {
  client: DynamoDBClient;
  tableName: string;
  clock: Clock;
  /** Rounds of read-decide-write (audit seq, rollout updates, colliding transactions) before giving up as transient. */
  maxOptimisticAttempts?: number;
}

export class StoreTable {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  private readonly maxOptimisticAttempts: number;

  constructor(options: StoreTableOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.clock = options.clock;
    this.maxOptimisticAttempts = options.maxOptimisticAttempts ?? 100;
  }

  /** Awaits an SDK call; throttling and server faults come back as TransientAwsError. */
  async call<Output>(request: Promise<Output>): Promise<Output> {
    try {
      return await request;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async getItem(key: Item): Promise<Item | undefined> {
    const { Item } = await this.call(
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
    );
    return Item;
  }

  /**
   * Sends a conditional write: what it returned, or, when its condition failed, the item as it
   * was (with ReturnValuesOnConditionCheckFailure ALL_OLD; else undefined).
   */
  async conditionally<Output>(
    request: Promise<Output>,
  ): Promise<{ written: Output } | { failed: Item | undefined }> {
    try {
      return { written: await this.call(request) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return { failed: itemOfFailedCondition(error) };
    }
  }

  /** Writes the item unless one with its key exists: the first write wins, a retry is a no-op. */
  async putIfAbsent(item: Item): Promise<boolean> {
    const outcome = await this.conditionally(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      ),
    );
    return 'written' in outcome;
  }

  /** The items whose sort key starts with the prefix, in key order; the first `limit` when given. */
  queryPrefix(partition: string, sortKeyPrefix: string, limit?: number): Promise<Item[]> {
    return this.queryAll(
      {
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: { ':pk': partition, ':prefix': sortKeyPrefix },
      },
      limit,
    );
  }

  /** Every item the query matches (following pages), or the first `limit` of them. */
  async queryAll(
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
   * Commits the transaction, or returns why it was cancelled, by item name, when a condition
   * failed or it collided with another transaction (both worth another read-decide-write round).
   */
  async transactWrite<Name extends string>(
    items: ReadonlyArray<NamedTransactItem<Name>>,
  ): Promise<CancellationsByName<Name> | undefined> {
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items.map(({ item }) => item) }));
      return undefined;
    } catch (error) {
      const reasons = cancellationReasons(error);
      const decisive = reasons?.every((reason) =>
        ['None', 'ConditionalCheckFailed', 'TransactionConflict'].includes(reason.code),
      );
      if (reasons && decisive) return reasonsByName(items, reasons);
      throw toStoreError(error);
    }
  }

  /** Commits a transaction without conditions, backing off while it collides with others. */
  async transactWriteUnconditionally(
    items: ReadonlyArray<NamedTransactItem<string>>,
    what: string,
  ): Promise<void> {
    await this.optimistically(what, async () => ((await this.transactWrite(items)) ? BACK_OFF : undefined));
  }

  /**
   * Runs a round (read, decide, conditional write) until it returns a result. RETRY_NOW: a
   * condition failed because another writer made progress, so the next round can succeed at
   * once. BACK_OFF: the transaction collided with another in flight; wait a little.
   */
  async optimistically<T>(what: string, round: () => Promise<RoundOutcome<T>>): Promise<T> {
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

/**
 * Pairs each cancellation reason with the name of the item it is about. DynamoDB returns one
 * reason per item, in the order of TransactItems
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CancellationReason.html):
 * this is the one place that relies on it, so the order the writes are listed in never changes
 * which condition is reported.
 */
export function reasonsByName<Name extends string>(
  items: ReadonlyArray<NamedTransactItem<Name>>,
  reasons: readonly CancellationReason[],
): CancellationsByName<Name> {
  if (reasons.length !== items.length) {
    throw new Error(
      `a cancelled transaction of ${items.length} items came back with ${reasons.length} reasons`,
    );
  }
  const byName: CancellationsByName<Name> = {};
  items.forEach(({ name }, index) => {
    if (name in byName) throw new Error(`two items of one transaction are both named ${name}`);
    byName[name] = reasons[index];
  });
  return byName;
}

/** Whether the named item's condition is what failed. */
export function conditionFailed<Name extends string>(
  reasons: CancellationsByName<Name>,
  name: Name,
): boolean {
  return reasons[name]?.code === 'ConditionalCheckFailed';
}

/** Whether the transaction collided with another in flight (worth backing off for). */
export function collided(reasons: CancellationsByName<string>): boolean {
  return Object.values(reasons).some((reason) => reason?.code === 'TransactionConflict');
}

export function chunks<T>(values: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += size) result.push(values.slice(start, start + size));
  return result;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
