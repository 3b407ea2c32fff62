import { describe, expect, it } from 'vitest';
import { isTransientAwsError } from '../../../lambdas/adapters/aws/errors';
import { toStoreError } from '../../../lambdas/adapters/dynamodb/aws-errors';
import { TransientAwsError } from '../../../lambdas/core/errors';

function sdkError(name: string, fields: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: {}, ...fields });
}

describe('isTransientAwsError: smithy classification plus the names it lacks', () => {
  it.each([
    ['a throttling name smithy lists', sdkError('SlowDown')],
    ['a 429', sdkError('Odd', { $metadata: { httpStatusCode: 429 } })],
    ['a 5xx beyond smithy transient codes', sdkError('Odd', { $metadata: { httpStatusCode: 501 } })],
    ['a server fault', sdkError('Odd', { $fault: 'server' })],
    ['a common server-side name without its status', sdkError('InternalFailure')],
    ['the -Exception spelling of PriorRequestNotComplete', sdkError('PriorRequestNotCompleteException')],
    ['a DNS lookup failing for now', Object.assign(new Error('getaddrinfo'), { code: 'EAI_AGAIN' })],
    ['a reset socket', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('%s is transient', (_, error) => {
    expect(isTransientAwsError(error)).toBe(true);
  });

  it.each([
    ['a validation error', sdkError('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['access denied', sdkError('AccessDeniedException', { $metadata: { httpStatusCode: 403 } })],
    ['a missing resource', sdkError('ResourceNotFoundException', { $metadata: { httpStatusCode: 404 } })],
    ['not an object', 'Throttling'],
  ])('%s is not', (_, error) => {
    expect(isTransientAwsError(error)).toBe(false);
  });
});

describe('toStoreError keeps DynamoDB’s own transient names', () => {
  it('TransactionConflictException (another transaction holds the item) is retried', () => {
    const mapped = toStoreError(sdkError('TransactionConflictException', { $fault: 'client' }));
    expect(mapped).toBeInstanceOf(TransientAwsError);
    expect(mapped).toMatchObject({ awsErrorName: 'TransactionConflictException' });
  });
});
