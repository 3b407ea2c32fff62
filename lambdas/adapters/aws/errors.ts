/**
 * The one place where AWS SDK errors are classified. Throttling and service-side failures become
 * TransientAwsError, which the state machines retry with backoff; everything else is rethrown
 * unchanged so a caller (or an adapter) can still recognise the service's own error by name.
 */
import {
  isRetryableByTrait,
  isServerError,
  isThrottlingError,
  isTransientError,
} from '@smithy/service-error-classification';
import { TransientAwsError } from '../../core/errors';

type SmithyError = Parameters<typeof isTransientError>[0];

/**
 * Names the SDK's own classification (`@smithy/service-error-classification`) lacks, for errors
 * that reach us without the 5xx status it would otherwise go by (an unmodeled error parsed from a
 * 400, or a test double). The common errors every AWS API can return:
 * https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html
 */
const SERVER_SIDE_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalException',
  'InternalServerError',
  'InternalServerException',
  'InternalServiceFault',
  // Route 53 (PriorRequestNotComplete, which smithy has, is its name; this is the -Exception
  // spelling some services use): the previous change on the resource is still applying.
  'PriorRequestNotCompleteException',
]);

/** DNS lookups failing for now (getaddrinfo EAI_AGAIN); smithy lists only socket timeouts and resets. */
const TEMPORARY_NETWORK_CODES: ReadonlySet<string> = new Set(['EAI_AGAIN']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
}

/**
 * Throttling, the SDK's transient and server errors, anything the SDK marks retryable or a
 * server fault, and the names above. Every AWS adapter classifies through this one function.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const sdkError = error as SmithyError;
  const { name, code, $fault } = error as SdkErrorShape;
  return (
    isThrottlingError(sdkError) ||
    isTransientError(sdkError) ||
    isServerError(sdkError) ||
    isRetryableByTrait(sdkError) ||
    $fault === 'server' ||
    (typeof name === 'string' && SERVER_SIDE_ERROR_NAMES.has(name)) ||
    (typeof code === 'string' && TEMPORARY_NETWORK_CODES.has(code))
  );
}

/** Returns the error to throw in place of `error`: a TransientAwsError, or `error` itself. */
export function mapAwsError(error: unknown): unknown {
  if (error instanceof TransientAwsError || !isTransientAwsError(error)) return error;
  const { name, code, message } = error as SdkErrorShape;
  const awsErrorName = typeof name === 'string' && name !== 'Error' ? name : String(code ?? 'Error');
  const mapped = new TransientAwsError(
    `AWS ${awsErrorName}: ${typeof message === 'string' && message ? message : 'no message'}`,
    awsErrorName,
  );
  mapped.cause = error;
  return mapped;
}

/** Awaits an SDK call, translating its failure through mapAwsError. */
export async function callAws<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    throw mapAwsError(error);
  }
}

/** The service's error name (`LoadBalancerNotFoundException`, `ExecutionAlreadyExists`…), if any. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name } = error as SdkErrorShape;
  return typeof name === 'string' ? name : undefined;
}
