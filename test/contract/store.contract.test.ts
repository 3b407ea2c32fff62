/**
 * One Store contract, every Store: DynamoDbStore on the run's DynamoDB Local
 * (test/setup/dynamodb-local.ts), and the InMemoryStore the handler tests use.
 */
import { describe } from 'vitest';
import { InMemoryStore } from '../../rehearsal/memory-store';
import { createDynamoDbTestStore } from '../support/dynamodb';
import { ManualClock } from '../support/fakes';
import { storeContract } from './store-contract';

describe('DynamoDbStore on DynamoDB Local', () => {
  storeContract(createDynamoDbTestStore);
});

describe('InMemoryStore', () => {
  storeContract(async () => {
    const clock = new ManualClock();
    return { store: new InMemoryStore(clock), clock, dispose: async () => {} };
  });
});
