import { createDynamoDbTestStore } from '../../support/dynamodb';
import { storeContract } from './store-contract';

// On the run's DynamoDB Local (test/setup/dynamodb-local.ts).
storeContract(createDynamoDbTestStore);
