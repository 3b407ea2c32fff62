import { ThrottlingException } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { callAws, mapAwsError } from '../../../lambdas/adapters/aws/errors';
import { InvalidInputError, TransientAwsError } from '../../../lambdas/core/errors';

/** An error shaped as the SDK raises an unmodeled service error. */
function serviceError(name: string, httpStatusCode: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode },
    ...extra,
  });
}

describe('mapAwsError', () => {
  it('turns a modeled ThrottlingException into TransientAwsError, keeping name and cause', () => {
    const original = new ThrottlingException({
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    const mapped = mapAwsError(original);
    expect(mapped).toBeInstanceOf(TransientAwsError);
    expect(mapped).toMatchObject({
      name: 'TransientAwsError',
      awsErrorName: 'ThrottlingException',
      message: 'AWS ThrottlingException: Rate exceeded',
      cause: original,
    });
  });

  it.each([
    'Throttling',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'PriorRequestNotComplete',
    'ServiceUnavailable',
    'InternalFailure',
    'InternalError',
  ])('treats %s as transient', (name) => {
    expect(mapAwsError(serviceError(name, 400))).toMatchObject({
      name: 'TransientAwsError',
      awsErrorName: name,
    });
  });

  it('treats any 5xx and anything the SDK marks retryable as transient', () => {
    expect(mapAwsError(serviceError('SomethingOdd', 502))).toBeInstanceOf(TransientAwsError);
    expect(
      mapAwsError(serviceError('SomethingElse', 400, { $retryable: { throttling: false } })),
    ).toBeInstanceOf(TransientAwsError);
  });

  it('leaves client errors and non-AWS errors as they are', () => {
    const accessDenied = serviceError('AccessDeniedException', 403);
    const invalid = new InvalidInputError('bad');
    expect(mapAwsError(accessDenied)).toBe(accessDenied);
    expect(mapAwsError(invalid)).toBe(invalid);
    expect(mapAwsError('plain string')).toBe('plain string');
  });
});

describe('callAws', () => {
  it('passes results through and maps failures', async () => {
    await expect(callAws(Promise.resolve(42))).resolves.toBe(42);
    await expect(callAws(Promise.reject(serviceError('Throttling', 400)))).rejects.toBeInstanceOf(
      TransientAwsError,
    );
  });
});
