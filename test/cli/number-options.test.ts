import { describe, expect, it } from 'vitest';
import { secondsOption, seedOption } from '../../bin/cli/number-options';

describe('numbers on the command line', () => {
  it('reads a seed from 0 to 2^32 - 1, and nothing else', () => {
    expect(seedOption(undefined)).toBeUndefined();
    expect(seedOption('0')).toBe(0);
    expect(seedOption('4294967295')).toBe(4294967295);
    for (const text of ['4294967296', '-1', '1e3', '1.5', '', 'seven', '9'.repeat(400)])
      expect(() => seedOption(text), text).toThrow(/--seed must be a whole number from 0 to 4294967295/);
  });

  it('reads seconds up to a year; a duration like 5m is refused, not read as NaN', () => {
    expect(secondsOption('approve-after', '0')).toBe(0);
    expect(secondsOption('approve-after', '90.5')).toBe(90.5);
    expect(secondsOption('approve-after', '31536000')).toBe(31536000);
    for (const text of ['5m', '31536001', '1e400', '-3', 'Infinity', 'NaN'])
      expect(() => secondsOption('approve-after', text), text).toThrow(
        /--approve-after must be a number of seconds from 0 to 31536000/,
      );
  });
});
