import { describe, expect, it } from 'vitest';
import { createRandom, noise } from '../../../rehearsal/random';

describe('seeded randomness', () => {
  it('repeats a stream for a seed, and differs across seeds', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    for (const value of draw(3)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('keeps forked streams independent of draws on the parent', () => {
    const quiet = createRandom(9);
    const busy = createRandom(9);
    busy.next();
    busy.next();
    expect(busy.fork('ids').next()).toBe(quiet.fork('ids').next());
    expect(quiet.fork('ids').next()).not.toBe(quiet.fork('metrics').next());
  });

  it('gives keyed noise that depends only on the seed and the key', () => {
    expect(noise(5, 'auth', 'us-east-1', 1_700_000_000_000)).toBe(
      noise(5, 'auth', 'us-east-1', 1_700_000_000_000),
    );
    expect(noise(5, 'auth', 'us-east-1', 1_700_000_000_000)).not.toBe(
      noise(5, 'auth', 'us-east-1', 1_700_000_060_000),
    );
    expect(noise(5, 'a', 'bc')).not.toBe(noise(5, 'ab', 'c'));
  });

  it('spreads draws evenly', () => {
    const random = createRandom(11);
    const buckets = new Array<number>(10).fill(0);
    for (let index = 0; index < 10_000; index += 1) buckets[Math.floor(random.next() * 10)]! += 1;
    for (const count of buckets) expect(Math.abs(count - 1000)).toBeLessThan(100);
    const integers = new Set(Array.from({ length: 200 }, () => random.integer(1, 3)));
    expect([...integers].sort()).toEqual([1, 2, 3]);
  });
});
