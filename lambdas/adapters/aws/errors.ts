/**
 * The one place where AWS SDK errors are classified. Throttling and service-side failures become
 * TransientAwsError, which the state machines retry with backoff; everything else is rethrown
 * unchanged so a caller (or an adapter) can still recognise the service's own error by name.
 */
import { TransientAwsError } from '../../core/errors';

/** Error names AWS services use for throttling and for failures on their side. */
const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  // throttling
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'EC2ThrottledException',
  // Route 53 (and ELBv2's variant): the previous change on the same resource is still applying
  'PriorRequestNotComplete',
  'PriorRequestNotCompleteException',
  // service side
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalException',
  'InternalServerError',
  'InternalServerException',
  'InternalServiceFault',
  // the SDK's own timeouts, surfacing once its retries are spent
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Socket-level failures on the way to an AWS endpoint; the SDK classifies these as transient too. */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $retryable, $metadata } = error as SdkErrorShape;
  if (typeof name === 'string' && TRANSIENT_ERROR_NAMES.has(name)) return true;
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
  if ($retryable !== undefined && $retryable !== null) return true;
  const status = $metadata?.httpStatusCode;
  return typeof status === 'number' && (status >= 500 || status === 429);
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
