/**
 * Reading DynamoDB's errors: which are worth retrying (named TransientAwsError so the state
 * machines retry them with backoff) and why a transaction was cancelled.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { SwitchyardError, TransientAwsError } from '../../core/errors';
import { isTransientAwsError } from '../aws/errors';

type Item = Record<string, unknown>;

/**
 * DynamoDB's own "try again" the shared classification does not know: another transaction holds
 * the item. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
const DYNAMODB_TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set(['TransactionConflictException']);

/** Cancellation reason codes that say "try again", not "your condition is false". */
const TRANSIENT_CANCELLATION_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

interface AwsErrorShape {
  name?: string;
  message?: string;
}

export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as AwsErrorShape).name : undefined;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** The item as it was when a condition failed (ReturnValuesOnConditionCheckFailure ALL_OLD). */
export function itemOfFailedCondition(error: unknown): Item | undefined {
  const item = (error as { Item?: Record<string, AttributeValue> } | undefined)?.Item;
  return item ? unmarshall(item) : undefined;
}

export interface CancellationReason {
  code: string;
  /** The item as it was, for a failed condition asked to return ALL_OLD. */
  item?: Item;
}

/** One reason per action of a cancelled TransactWriteItems, in the same order; else undefined. */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (errorName(error) !== 'TransactionCanceledException') return undefined;
  const reasons = (
    error as { CancellationReasons?: Array<{ Code?: string; Item?: Record<string, AttributeValue> }> }
  ).CancellationReasons;
  return (reasons ?? []).map((reason) => ({
    code: reason.Code ?? 'None',
    ...(reason.Item ? { item: unmarshall(reason.Item) } : {}),
  }));
}

/** A cancelled transaction that would probably commit if tried again. */
export function isRetryableCancellation(reasons: readonly CancellationReason[]): boolean {
  return reasons.some((reason) => TRANSIENT_CANCELLATION_CODES.has(reason.code));
}

/**
 * Domain errors pass through; throttling, conflicts and server faults become TransientAwsError;
 * anything else (a missing table, a malformed request) stays as the SDK raised it.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof SwitchyardError || typeof error !== 'object' || error === null) return error;
  const aws = error as AwsErrorShape;
  const name = aws.name ?? 'Error';
  const reasons = cancellationReasons(error);
  const transient = reasons
    ? isRetryableCancellation(reasons)
    : isTransientAwsError(error) || DYNAMODB_TRANSIENT_ERROR_NAMES.has(name);
  if (!transient) return error;
  const detail = reasons ? ` (${reasons.map((reason) => reason.code).join(', ')})` : '';
  return new TransientAwsError(`DynamoDB: ${aws.message ?? name}${detail}`, name);
}
