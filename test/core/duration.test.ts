import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../lambdas/core/duration';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['10m', 600],
    ['2h', 7200],
    ['1h30m', 5400],
    ['1h0m5s', 3605],
    ['90s', 90],
    ['0s', 0],
    [' 5m ', 300],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '  ', '10', '10 minutes', '5x', '1.5h', '30s10m', '-5m', 'm', '1d'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [60, '1m'],
    [315, '5m15s'],
    [3600, '1h'],
    [10_710, '2h58m30s'],
    [90_000, '25h'],
    [59.6, '1m'],
  ])('writes %d seconds as %j', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('writes what parseDuration reads back', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 24 * 3600 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds))).toBe(seconds);
      }),
    );
  });
});
