import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  approveAfterSeconds,
  durationSeconds,
  parseSeed,
  pastTime,
  wholeNumber,
} from '../../bin/cli/options';

describe('numbers and durations on the command line', () => {
  it('reads a seed from 0 to 2^32 - 1, and nothing else', () => {
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed('4294967295')).toBe(4294967295);
    for (const text of ['4294967296', '-1', '1e3', '1.5', '', 'seven', '9'.repeat(400)])
      expect(() => parseSeed(text), text).toThrow(/a seed is a whole number from 0 to 4294967295/);
  });

  it('reads durations as plans write them, or seconds, up to a year: 5m is 300 s, not NaN', () => {
    expect(approveAfterSeconds('5m')).toBe(300);
    expect(approveAfterSeconds('1h30m')).toBe(5400);
    expect(approveAfterSeconds('90s')).toBe(90);
    expect(approveAfterSeconds('90.5')).toBe(90.5);
    expect(approveAfterSeconds('0')).toBe(0);
    expect(approveAfterSeconds('31536000')).toBe(31536000);
    for (const text of ['5x', '31536001', '1e400', '-3', 'Infinity', 'NaN', '', 'm', '8761h'])
      expect(() => approveAfterSeconds(text), text).toThrow(InvalidArgumentError);
  });

  it('keeps a lower bound that is exclusive where asked (a watch interval above 0)', () => {
    const interval = durationSeconds({ min: 0, above: true, max: 300 });
    expect(interval('2s')).toBe(2);
    expect(() => interval('0')).toThrow(/above 0s and at most 5m/);
    expect(() => interval('6m')).toThrow(/above 0s and at most 5m/);
  });

  it('reads whole numbers within their bound', () => {
    const port = wholeNumber(0, 65_535);
    expect(port('8080')).toBe(8080);
    for (const text of ['65536', '-1', '80.5', 'http'])
      expect(() => port(text), text).toThrow(/whole number from 0 to 65535/);
  });

  it('reads a time as ISO 8601 or as a duration ago', () => {
    const since = pastTime(() => new Date('2026-11-22T12:00:00Z'));
    expect(since('2h')).toBe('2026-11-22T10:00:00.000Z');
    expect(since('2026-11-20T08:00:00Z')).toBe('2026-11-20T08:00:00.000Z');
    for (const text of ['yesterday', '2026-13-45T99:00:00Z'])
      expect(() => since(text), text).toThrow(InvalidArgumentError);
  });
});
