/**
 * Deterministic pseudo-random numbers for seed data, runtime ids and fault rolls in both sandboxes,
 * so the same seed gives the same sandbox. Not for secrets: tokens and keys use node:crypto.
 */

/** A seeded stream of numbers in [0, 1) with a few conveniences. */
export interface Prng {
  /** The next number in [0, 1). */
  next(): number;
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** An integer in [min, max], both inclusive. */
  between(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** True with probability `p` (0 never, 1 always). */
  chance(p: number): boolean;
  /** A copy of `items` in shuffled order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

/** Mixes a seed and a stream label into one 32-bit state (xmur3-style string hash). */
function mixSeed(seed: number, label: string): number {
  let h = (1779033703 ^ Math.trunc(seed)) >>> 0;
  const text = `${label}:${seed}`;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A mulberry32 stream. Distinct `label`s give independent streams from one seed, so adding a
 * fault roll never shifts the ids of seed data.
 */
export function createPrng(seed: number, label = 'default'): Prng {
  let state = mixSeed(seed, label);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    pick<T>(items: readonly T[]): T {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    chance: (p) => p > 0 && (p >= 1 || next() < p),
    shuffle<T>(items: readonly T[]): T[] {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const a = copy[i] as T;
        copy[i] = copy[j] as T;
        copy[j] = a;
      }
      return copy;
    },
  };
}
