import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, test } from 'vitest';
import { toStoreError } from '../../../lambdas/adapters/dynamodb/aws-errors';
import { LockHeldError, TransientAwsError } from '../../../lambdas/core/errors';

const metadata = { $metadata: {} };

describe('DynamoDB errors the state machines should retry', () => {
  test.each([
    new ThrottlingException({ message: 'slow down', ...metadata }),
    new ProvisionedThroughputExceededException({ message: 'too fast', ...metadata }),
    new InternalServerError({ message: 'oops', ...metadata }),
    new TransactionCanceledException({
      message: 'cancelled',
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      ...metadata,
    }),
  ])('$name is a TransientAwsError naming it', (error) => {
    const mapped = toStoreError(error);
    expect(mapped).toBeInstanceOf(TransientAwsError);
    expect(mapped).toMatchObject({ name: 'TransientAwsError', awsErrorName: error.name });
  });

  test('a false condition, a missing table, or a domain error is not transient', () => {
    const conditionFailed = new ConditionalCheckFailedException({ message: 'no', ...metadata });
    const cancelledByCondition = new TransactionCanceledException({
      message: 'cancelled',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      ...metadata,
    });
    const missingTable = new ResourceNotFoundException({ message: 'no table', ...metadata });
    const held = new LockHeldError({
      scope: 'prod',
      releaseId: 'rel-a',
      kind: 'release',
      acquiredAt: '2030-01-01T00:00:00.000Z',
      expiresAt: '2030-01-01T00:10:00.000Z',
    });

    for (const error of [conditionFailed, cancelledByCondition, missingTable, held]) {
      expect(toStoreError(error)).toBe(error);
    }
  });
});
