/**
 * What the command line takes besides words: numbers and durations, each with its bound. A bad
 * one is refused by commander with the option named (exit 2), never NaN carried into a run.
 */
import { InvalidArgumentError } from 'commander';
import { formatDuration, parseDuration } from '../../lambdas/core/duration';
import { MAX_DURATION_SECONDS } from '../../lambdas/core/plan/limits';

/** Seeds feed a 32-bit generator (rehearsal/random.ts), as a fault file's `seed` does. */
const MAX_SEED = 2 ** 32 - 1;

export function parseSeed(text: string): number {
  const seed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(seed) || seed > MAX_SEED)
    throw new InvalidArgumentError(`a seed is a whole number from 0 to ${MAX_SEED}`);
  return seed;
}

/** A whole number within [min, max]: ports, page sizes, limits. */
export function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return value;
  };
}

/**
 * A duration as plans write them (`90s`, `5m`, `1h30m`), or a plain number of seconds, from
 * `min` (exclusive when `above` is set) to `max` seconds; the value is in seconds.
 */
export function durationSeconds(options: {
  max: number;
  min?: number;
  above?: boolean;
}): (text: string) => number {
  const { max, min = 0, above = false } = options;
  const range = `${above ? 'above' : 'from'} ${formatDuration(min)} ${above ? 'and at most' : 'to'} ${formatDuration(max)}`;
  return (text) => {
    const trimmed = text.trim();
    const value = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : parseDuration(trimmed);
    if (
      value === undefined ||
      !Number.isFinite(value) ||
      value > max ||
      value < min ||
      (above && value === min)
    )
      throw new InvalidArgumentError(`expected a duration like 90s, 5m or 1h30m (or seconds), ${range}`);
    return value;
  };
}

/** Virtual seconds a rehearsal or `serve` waits before giving an approval: up to a plan's longest duration (a year). */
export const approveAfterSeconds = durationSeconds({ max: MAX_DURATION_SECONDS });

/**
 * A time: an ISO 8601 timestamp, or a duration meaning that long ago (`--since 2h`). Answered
 * as the ISO timestamp the API takes.
 */
export function pastTime(now: () => Date = () => new Date()): (text: string) => string {
  const ago = durationSeconds({ max: MAX_DURATION_SECONDS * 10 });
  return (text) => {
    if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
      const time = Date.parse(text);
      if (Number.isNaN(time))
        throw new InvalidArgumentError('expected an ISO 8601 time or a duration like 2h');
      return new Date(time).toISOString();
    }
    try {
      return new Date(now().getTime() - ago(text) * 1000).toISOString();
    } catch {
      throw new InvalidArgumentError(
        'expected an ISO 8601 time (2026-11-22T10:00:00Z) or a duration like 2h (that long ago)',
      );
    }
  };
}
