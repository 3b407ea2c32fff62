/**
 * A Store on the test run's DynamoDB Local (started by test/setup/dynamodb-local.ts), or on
 * another DynamoDB (moto): each call creates a fresh, uniquely named table from the production
 * table definition, so test files (and tests) never see each other's items.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store';
import { createTableInput } from '../../lambdas/adapters/dynamodb/table-definition';
import type { Clock } from '../../lambdas/ports';

/** A clock that moves only when told to: leases and event windows expire on demand. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date = new Date()) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}

export interface DynamoDbTestStore {
  store: DynamoDbStore;
  client: DynamoDBClient;
  tableName: string;
  clock: ManualClock;
  /** Deletes the table and closes the client's connections. */
  dispose(): Promise<void>;
}

/** A DynamoDB client for DynamoDB Local: fixed fake credentials, nothing read from the machine. */
export function dynamoDbLocalClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: inject('dynamoDbLocalEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export interface TestStoreOptions {
  clock?: ManualClock;
}

/** Makes a test store on some DynamoDB: what the Store contract suites run against. */
export type CreateTestStore = (options?: TestStoreOptions) => Promise<DynamoDbTestStore>;

/**
 * A test store on `client`'s DynamoDB, DynamoDB Local's unless told: any DynamoDB that creates
 * tables ACTIVE at once (DynamoDB Local and moto do). The store owns the client: dispose closes it.
 */
export async function createDynamoDbTestStore(
  options: TestStoreOptions & { client?: DynamoDBClient } = {},
): Promise<DynamoDbTestStore> {
  const client = options.client ?? dynamoDbLocalClient();
  const tableName = `switchyard-test-${randomUUID()}`;
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  const clock = options.clock ?? new ManualClock();
  return {
    store: new DynamoDbStore({ client, tableName, clock }),
    client,
    tableName,
    clock,
    dispose: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
