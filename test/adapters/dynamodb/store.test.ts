import { createDynamoDbTestStore } from '../../support/dynamodb';
import { dynamoDbLimits } from './store-limits';

// On the run's DynamoDB Local (test/setup/dynamodb-local.ts). The Store contract runs there in
// test/contract/store.contract.test.ts.
dynamoDbLimits(createDynamoDbTestStore);
