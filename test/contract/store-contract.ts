/**
 * The Store contract: what every Store promises, checked against each implementation.
 * store.contract.test.ts runs it on DynamoDbStore (DynamoDB Local) and on the InMemoryStore the
 * handler tests use, so the fake cannot drift from the real store; store.moto.test.ts runs it on
 * moto too. What only DynamoDB has (item size limits) is in test/adapters/dynamodb.
 */
import type { Store } from '../../lambdas/ports';
import { laneBoardCases } from './store-contract-lanes';
import { queueCases } from './store-contract-queue';
import { recordCases } from './store-contract-records';
import { releaseCases } from './store-contract-releases';

/** A store to check, with the clock it runs on. */
export interface StoreUnderTest {
  store: Store;
  clock: { now(): Date; advance(seconds: number): void };
  dispose(): Promise<void>;
}

export type CreateStoreUnderTest = () => Promise<StoreUnderTest>;

export function storeContract(createTestStore: CreateStoreUnderTest): void {
  releaseCases(createTestStore);
  recordCases(createTestStore);
  laneBoardCases(createTestStore);
  queueCases(createTestStore);
}
