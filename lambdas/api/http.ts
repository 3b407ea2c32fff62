/**
 * The API's HTTP vocabulary, independent of where it runs: API Gateway's Lambda proxy and
 * `switchyard serve` both turn their requests into an ApiRequest and send back the ApiResponse.
 */
import { RefusedError } from '../app/refusal';

export interface ApiRequest {
  method: string;
  /** The path without query string, e.g. `/releases/shop-1/approve`, still percent-encoded. */
  path: string;
  query: Readonly<Record<string, string | undefined>>;
  /** Header names in any case; the router reads them case-insensitively. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body as text; undefined when there is none. */
  body: string | undefined;
  /** Who is calling (the IAM principal's ARN behind API Gateway): recorded in the audit. */
  caller?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The largest body the API reads: about 4,000 services of plan as JSON (the planner benchmark's
 * 10,000 services are 2.4 MB, and validate from the CLI). It keeps a bad body's cost in one
 * Lambda bounded (0.4 s and 130 MB for 1 MiB of wrong values); API Gateway's limit is 10 MB.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The short codes of error bodies: `{ error, message, ...details }`. */
export type ApiErrorCode =
  | 'BadRequest'
  | 'PlanInvalid'
  | 'InvalidInput'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'Conflict'
  | 'LockHeld'
  | 'QueueFull'
  | 'ReleaseConflict'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'Internal';

/** An answer decided by the API itself (not by a domain error): status, code and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A use case's refusal, answered as 409 Conflict with its details beside the message. */
export async function refusalAsConflict<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof RefusedError) throw new HttpError(409, 'Conflict', error.message, error.details);
    throw error;
  }
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): ApiResponse {
  return {
    status,
    headers: { 'content-type': JSON_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
    body: `${JSON.stringify(value, null, 2)}\n`,
  };
}

export function errorResponse(error: HttpError): ApiResponse {
  return jsonResponse(
    error.status,
    { error: error.code, message: error.message, ...error.details },
    error.headers,
  );
}

export function payloadTooLargeError(): HttpError {
  return new HttpError(
    413,
    'PayloadTooLarge',
    `the request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB), the most this API accepts`,
  );
}

/** The answer to a body over MAX_BODY_BYTES; `serve` sends it without reading the rest. */
export function payloadTooLarge(): ApiResponse {
  return errorResponse(payloadTooLargeError());
}

export function header(request: Pick<ApiRequest, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
