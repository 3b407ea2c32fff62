/**
 * Numbers given on the command line, each with its bound: a bad one is a UserError (exit 2)
 * naming the option, never NaN carried on into a run.
 */
import { MAX_DURATION_SECONDS } from '../../lambdas/core/plan/limits';
import { UserError } from './errors';

/** Seeds feed a 32-bit generator (rehearsal/random.ts), as a fault file's `seed` does. */
const MAX_SEED = 2 ** 32 - 1;

export function seedOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(seed) || seed > MAX_SEED)
    throw new UserError(`--seed must be a whole number from 0 to ${MAX_SEED}, not "${text}"`);
  return seed;
}

/** Seconds of virtual time, at most a plan's longest duration (a year). */
export function secondsOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds > MAX_DURATION_SECONDS)
    throw new UserError(
      `--${name} must be a number of seconds from 0 to ${MAX_DURATION_SECONDS} (a year), not "${text}"`,
    );
  return seconds;
}
