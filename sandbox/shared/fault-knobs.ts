/**
 * Fault knobs common to both sandboxes (latency, 5xx, timeouts and failNext per route, webhook drop,
 * duplicate and reorder) and the seeded dice that decide when they fire, so a run with the same
 * seed and the same requests fails the same way. Each sandbox extends the settings with its own
 * quirks.
 */
import { z } from 'zod';
import { createPrng } from './prng.ts';
import type { Prng } from './prng.ts';

/** A probability, 0 (never) to 1 (always). */
export const faultRate = z.number().min(0).max(1);

/** A map of routeKey (e.g. "GET /contacts/:id", or "*" for every route) → probability. */
export const faultRateMap = z.record(z.string(), faultRate);

/** The zod shape of the common knobs; a sandbox spreads it into its own `POST /__sandbox/faults` schema. */
export const commonFaultShape = {
  latencyMs: z.number().int().min(0),
  /** routeKey → probability of a 500/502/503. */
  errorRates: faultRateMap,
  /** routeKey → probability of hanging until the client gives up. */
  timeouts: faultRateMap,
  /** routeKey → how many of its next requests fail with a 503 (deterministic, for tests). */
  failNext: z.record(z.string(), z.number().int().min(0)),
  webhookDropRate: faultRate,
  webhookDuplicateRate: faultRate,
  webhookReorder: z.boolean(),
};

/** The common knobs' current values. */
export interface CommonFaultSettings {
  latencyMs: number;
  errorRates: Record<string, number>;
  timeouts: Record<string, number>;
  failNext: Record<string, number>;
  webhookDropRate: number;
  webhookDuplicateRate: number;
  webhookReorder: boolean;
}

/** No faults. */
export function defaultCommonFaults(): CommonFaultSettings {
  return {
    latencyMs: 0,
    errorRates: {},
    timeouts: {},
    failNext: {},
    webhookDropRate: 0,
    webhookDuplicateRate: 0,
    webhookReorder: false,
  };
}

/** A patch of knobs as a parsed request body gives it (absent and `undefined` both mean "keep"). */
export type FaultKnobPatch<S> = { [K in keyof S]?: S[K] | undefined };

/** Current knobs plus the seeded dice. */
export class FaultKnobs<S extends CommonFaultSettings> {
  settings: S;
  readonly #seed: number;
  readonly #defaults: () => S;
  #dice: Prng;

  constructor(seed: number, defaults: () => S) {
    this.#seed = seed;
    this.#defaults = defaults;
    this.settings = defaults();
    this.#dice = createPrng(seed, 'faults');
  }

  /**
   * Merges a patch. Object-valued knobs are maps by route key (rates, counts), merged key by key,
   * where a 0 removes the key; every other knob is replaced.
   */
  apply(patch: FaultKnobPatch<S>): S {
    const next: S = { ...this.settings };
    for (const [key, value] of Object.entries(patch) as [keyof S & string, unknown][]) {
      if (value === undefined) continue;
      const current = next[key];
      const merged = isRateMap(value) && isRateMap(current) ? mergeRates(current, value) : value;
      Object.assign(next, { [key]: merged });
    }
    this.settings = next;
    return next;
  }

  /** Back to no faults, and the dice back to the start of their sequence. */
  reset(): void {
    this.settings = this.#defaults();
    this.#dice = createPrng(this.#seed, 'faults');
  }

  /** True with probability `p`; a `p` of 0 consumes no number. */
  roll(p: number): boolean {
    return this.#dice.chance(p);
  }

  /** A 5xx status for an injected error. */
  errorStatus(): number {
    return this.#dice.pick([500, 502, 503]);
  }

  shuffle<T>(items: readonly T[]): T[] {
    return this.#dice.shuffle(items);
  }

  /** True when a `failNext` count is left for `routeKey` (or "*"), using one up. */
  takeFailNext(routeKey: string): boolean {
    const counts = this.settings.failNext;
    const key = (counts[routeKey] ?? 0) > 0 ? routeKey : (counts['*'] ?? 0) > 0 ? '*' : undefined;
    if (key === undefined) return false;
    this.settings.failNext = mergeRates(counts, { [key]: (counts[key] ?? 1) - 1 });
    return true;
  }

  /** The rate configured for a route key, falling back to "*". */
  static rateFor(rates: Readonly<Record<string, number>>, routeKey: string): number {
    return rates[routeKey] ?? rates['*'] ?? 0;
  }
}

function isRateMap(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeRates(
  current: Record<string, number>,
  patch: Record<string, number>,
): Record<string, number> {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === 0) delete next[key];
    else next[key] = value;
  }
  return next;
}
