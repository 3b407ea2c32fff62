/**
 * Errors the simulated fleet throws, shaped like the real ones so that the same code judges them:
 * AWS service errors look like the SDK's ServiceException (a `name` that is the service's error
 * code, `$fault`, `$metadata.httpStatusCode`), and go through the adapters' own classification.
 */
import { mapAwsError } from '../../lambdas/adapters/aws/errors';

export class SimulatedAwsError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number };

  constructor(code: string, message: string, httpStatusCode = 400) {
    super(message);
    this.name = code;
    this.$fault = httpStatusCode >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode };
  }
}

/** An AWS error as an adapter surfaces it: throttling and 5xx become TransientAwsError. */
export function awsError(code: string, message: string, httpStatusCode = 400): Error {
  return mapAwsError(new SimulatedAwsError(code, message, httpStatusCode)) as Error;
}

/**
 * What Step Functions reports when a Task runs past its TimeoutSeconds. The fleet throws it to
 * rehearse a call that never answers; the engine treats it as the Task's timeout.
 */
export function taskTimeout(operation: string): Error {
  const error = new Error(`${operation} did not answer before the Task timed out`);
  error.name = 'States.Timeout';
  return error;
}
