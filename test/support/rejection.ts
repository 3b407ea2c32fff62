import { expect } from 'vitest';

/**
 * Awaits `promise`, expecting it to reject with an `ErrorClass` whose message matches `message`
 * (a substring or a pattern); returns the error for further checks.
 */
export async function expectRejection<E extends Error>(
  promise: Promise<unknown>,
  ErrorClass: abstract new (...args: never[]) => E,
  message?: string | RegExp,
): Promise<E> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) {
    expect.fail(`expected a ${ErrorClass.name}, but it resolved with ${JSON.stringify(outcome.value)}`);
  }
  expect(outcome.error).toBeInstanceOf(ErrorClass);
  const error = outcome.error as E;
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}
