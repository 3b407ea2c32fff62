/**
 * Seeded randomness for the rehearsal. Every random choice the simulated fleet makes comes from
 * here, so the same plan, fault file and seed give the same run.
 *
 * Two flavours, both from one seed:
 * - `Random` streams (sfc32) for choices made in a fixed order, e.g. while building the fleet;
 * - `noise(seed, ...key)`, a pure function of its key, for values asked for in an order the
 *   engine decides (metrics per period, ids per resource). Asking twice, or in another order,
 *   gives the same answer, which a shared stream could not promise.
 */

/** A 32-bit hash of text (FNV-1a), for turning names into seed material. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** splitmix32's finaliser: spreads nearby inputs (seed 1, seed 2) far apart. */
function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Combines a seed and key parts (names, numbers) into one 32-bit value. */
export function deriveSeed(seed: number, ...key: ReadonlyArray<string | number>): number {
  let state = mix32(seed >>> 0);
  for (const part of key) {
    const value =
      typeof part === 'number'
        ? mix32(Math.floor(part) >>> 0) ^ mix32(Math.floor(part / 2 ** 32))
        : hashText(part);
    state = mix32(state ^ value);
  }
  return state;
}

/** A uniform number in [0, 1) that depends only on the seed and the key. */
export function noise(seed: number, ...key: ReadonlyArray<string | number>): number {
  return deriveSeed(seed, ...key) / 2 ** 32;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** A whole number from min to max, both included. */
  integer(min: number, max: number): number;
  /** true with probability `probability`. */
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Lower-case letters and digits, e.g. for resource ids. */
  alphanumeric(length: number, alphabet?: string): string;
  /** An independent stream named by `label`: adding draws to one stream never shifts another. */
  fork(label: string): Random;
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): fast, 128-bit state, no bad seeds. */
export function createRandom(seed: number): Random {
  let a = mix32(seed);
  let b = mix32(a);
  let c = mix32(b);
  let d = 1;
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of a fresh sfc32 state are weakly mixed: discard them.
  for (let index = 0; index < 12; index += 1) nextUint32();

  const random: Random = {
    next: () => nextUint32() / 2 ** 32,
    between: (min, max) => min + (max - min) * random.next(),
    integer: (min, max) => min + Math.floor(random.next() * (max - min + 1)),
    chance: (probability) => random.next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new Error('cannot pick from an empty list');
      return items[Math.floor(random.next() * items.length)] as (typeof items)[number];
    },
    alphanumeric: (length, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789') =>
      Array.from({ length }, () => alphabet[Math.floor(random.next() * alphabet.length)]).join(''),
    fork: (label) => createRandom(deriveSeed(seed, label)),
  };
  return random;
}
