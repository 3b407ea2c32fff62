/**
 * The Store's single DynamoDB table, described once: the CDK stack builds the real table from
 * STORE_TABLE and the tests create theirs with createTableInput, so both have the same keys.
 *
 * Items (pk / sk):
 *   RELEASE#<id>     RELEASE                       the release record (carries the index keys)
 *   RELEASE#<id>     PLAN                          its plan document (JSON, gzip when large)
 *   RELEASE#<id>     ROLLOUT#<region>#<service>    a service rollout
 *   RELEASE#<id>     SNAPSHOT#<region>#<service>   a workload's state before the release
 *   RELEASE#<id>     AUDIT_COUNTER                 the last audit seq handed out
 *   RELEASE#<id>     AUDIT#<seq, zero-padded>      an audit entry
 *   RELEASE#<id>     AUDIT_KEY#<key>               an audit idempotency key → its seq
 *   RELEASE#<id>     TOKEN#<kind>#<name>           a Step Functions task token
 *   RELEASE#<id>     WATCH#<alarm>                 an alarm this release watches…
 *   ALARM#<alarm>    RELEASE#<id>                  …and the same watch seen from the alarm
 *   LOCK#<scope>     LOCK                          a lease
 *   QUEUE#release    ENTRY#<0|1>#<queuedAt>#<id>   a queued release (0: emergency), in queue order
 *   QUEUE#release    COUNT                         how many entries the queue holds (its bound)
 *   EVENT#<id>       EVENT                         an event id already handled
 *
 * Only release records carry the index attributes, so both indexes are sparse and hold
 * nothing else. The plan lives in its own item so that reading or listing releases never
 * pays for (or projects) the document.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export type KeyAttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyAttributeType;
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** All attributes: release records are small because the plan is kept apart. */
  readonly projection: 'ALL';
}

export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly GlobalIndexDefinition[];
  /**
   * Epoch seconds after which DynamoDB may delete the item. Clean-up only: deletion happens
   * "within days", so leases and event ids are judged by timestamps in write conditions.
   */
  readonly timeToLiveAttribute: string;
}

/** Releases of one status, newest first: `RELEASE_STATUS#<status>` / `<createdAt>#<releaseId>`. */
export const RELEASES_BY_STATUS_INDEX = 'ReleasesByStatus';

/**
 * Every release, newest first: one partition (`RELEASE`) / `<createdAt>#<releaseId>`. A single
 * partition is enough here: releases are created a few times a minute at most, far below a
 * partition's 1,000 writes per second, and a sparse index without local indexes has no
 * item-collection size limit. It keeps "all releases since T" one ordered Query, so a cursor
 * is simply the last key returned.
 */
export const RELEASES_BY_TIME_INDEX = 'ReleasesByTime';

export const STORE_TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: RELEASES_BY_STATUS_INDEX,
      partitionKey: { name: 'releaseStatusKey', type: 'S' },
      sortKey: { name: 'releaseTimeKey', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: RELEASES_BY_TIME_INDEX,
      partitionKey: { name: 'releaseListKey', type: 'S' },
      sortKey: { name: 'releaseTimeKey', type: 'S' },
      projection: 'ALL',
    },
  ],
  timeToLiveAttribute: 'ttl',
} as const satisfies TableDefinition;

/** CreateTable input for a table shaped like STORE_TABLE (on-demand billing), e.g. in tests. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttributeType>();
  const define = (key: KeyAttribute) => attributes.set(key.name, key.type);
  define(STORE_TABLE.partitionKey);
  define(STORE_TABLE.sortKey);
  for (const index of STORE_TABLE.globalSecondaryIndexes) {
    define(index.partitionKey);
    define(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: STORE_TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: STORE_TABLE.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: STORE_TABLE.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}
