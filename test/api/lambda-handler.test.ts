/**
 * The API Lambda's handler end to end, as Lambda runs it: environment from the stack, SDK clients
 * built from it (pointed at moto through AWS_ENDPOINT_URL), ports built on the first request.
 * Importing the module loads nothing; the first request builds every port the API declares
 * (a missing factory, or one that throws, fails here rather than on every request in AWS).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LambdaContext } from '../../lambdas/handlers/aws/powertools';
import { createDynamoDbTestStore, type DynamoDbTestStore } from '../support/dynamodb';
import { MOTO_CREDENTIALS, MOTO_REGION, motoEndpoint } from '../support/moto';

const context: LambdaContext = {
  awsRequestId: 'req-api-1',
  functionName: 'switchyard-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:switchyard-api',
  memoryLimitInMB: '512',
};

let table: DynamoDbTestStore;
beforeAll(async () => {
  table = await createDynamoDbTestStore({
    client: new DynamoDBClient({
      endpoint: motoEndpoint(),
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    }),
  });
  vi.stubEnv('AWS_ENDPOINT_URL', motoEndpoint());
  vi.stubEnv('AWS_REGION', MOTO_REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('SWITCHYARD_TABLE_NAME', table.tableName);
  vi.stubEnv('SWITCHYARD_EVENT_BUS_NAME', 'switchyard-events');
  vi.stubEnv('SWITCHYARD_PREFLIGHT_FUNCTION_NAME', 'switchyard-preflight');
  vi.stubEnv(
    'SWITCHYARD_STATE_MACHINE_ARNS',
    JSON.stringify({ release: 'arn:aws:states:us-east-1:123456789012:stateMachine:switchyard-release' }),
  );
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await table.dispose();
});

describe('the API Lambda handler', () => {
  it('builds its ports on the first request and answers from the table', async () => {
    const { handler } = await import('../../lambdas/api/lambda');
    const listed = await handler({ httpMethod: 'GET', path: '/releases' }, context);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(JSON.parse(listed.body)).toMatchObject({ releases: [], queue: [] });

    const missing = await handler({ httpMethod: 'GET', path: '/releases/shop-404' }, context);
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: expect.any(String) });
  });
});
