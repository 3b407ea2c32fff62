/**
 * DynamoDbStore against moto's DynamoDB: the same Store contract DynamoDB Local runs
 * (test/contract/store.contract.test.ts), concurrency cases included, and the DynamoDB limits
 * (store.test.ts).
 *
 * On a moto server of this file's own, single-threaded: moto's threaded server fails concurrent
 * TransactWriteItems now and then with an HTTP 500 ("dictionary changed size during iteration";
 * 40 at once do it every time), which would make the concurrency cases flaky. One request at a
 * time, those cases still send their writes at once and moto judges them in turn; writes that
 * truly overlap are DynamoDB Local's part.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { storeContract } from '../../contract/store-contract';
import { createDynamoDbTestStore, type TestStoreOptions } from '../../support/dynamodb';
import { motoClient } from '../../support/moto';
import { type RunningServer, startMotoServer } from '../../support/moto-server';
import { dynamoDbLimits } from './store-limits';

let server: RunningServer | undefined;
// Registered before the contracts' hooks: it starts before their tables and stops after them.
beforeAll(async () => {
  server = await startMotoServer({ threaded: false });
});
afterAll(async () => {
  await server?.stop();
});

function createMotoTestStore(options: TestStoreOptions = {}) {
  if (server === undefined) throw new Error('the single-threaded moto server has not started');
  return createDynamoDbTestStore({
    ...options,
    client: motoClient(DynamoDBClient, { endpoint: server.endpoint }),
  });
}

storeContract(createMotoTestStore);
dynamoDbLimits(createMotoTestStore);
