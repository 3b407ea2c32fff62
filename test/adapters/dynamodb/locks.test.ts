import { createDynamoDbTestStore } from '../../support/dynamodb';
import { locksContract } from './locks-contract';

// On the run's DynamoDB Local (test/setup/dynamodb-local.ts).
locksContract(createDynamoDbTestStore);
