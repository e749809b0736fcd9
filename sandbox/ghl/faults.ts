/**
 * Fault knobs set through `POST /__sandbox/faults`, and the seeded dice that decide when they
 * fire, so a run with the same seed and the same requests fails the same way.
 */
import { z } from 'zod';
import { createPrng } from './prng.ts';
import type { Prng } from './prng.ts';

const rate = z.number().min(0).max(1);

/** The body of `POST /__sandbox/faults`; every field optional, merged into the current settings. */
export const faultPatchSchema = z
  .object({
    latencyMs: z.number().int().min(0),
    /** routeKey (e.g. "GET /contacts/:id", or "*") → probability of a 500/502/503. */
    errorRates: z.record(z.string(), rate),
    /** routeKey → probability of hanging until the client gives up. */
    timeouts: z.record(z.string(), rate),
    /** routeKey → how many of its next requests fail with a 503 (deterministic, for tests). */
    failNext: z.record(z.string(), z.number().int().min(0)),
    webhookDropRate: rate,
    webhookDuplicateRate: rate,
    webhookReorder: z.boolean(),
    taskCreateWithoutContactRate: rate,
    createReturns422ButPersists: z.boolean(),
    refreshError: z.enum(['location-not-active']).nullable(),
    companyNameOnPut: z.boolean(),
    retryAfterSeconds: z.number().int().min(0).nullable(),
    /** Sandbox extension: change the search delay at run time. */
    searchDelayMs: z.number().int().min(0),
    /** ISS #289: `phone` `eq` filters find nothing. */
    searchPhoneEqMiss: z.boolean(),
    /** n8n's workaround hints GHL rejects a task `dueDate` with milliseconds on update. */
    rejectDueDateMillis: z.boolean(),
  })
  .partial()
  .strict();

export type FaultPatch = z.infer<typeof faultPatchSchema>;

export interface FaultSettings {
  latencyMs: number;
  errorRates: Record<string, number>;
  timeouts: Record<string, number>;
  failNext: Record<string, number>;
  webhookDropRate: number;
  webhookDuplicateRate: number;
  webhookReorder: boolean;
  taskCreateWithoutContactRate: number;
  createReturns422ButPersists: boolean;
  refreshError: 'location-not-active' | null;
  companyNameOnPut: boolean;
  retryAfterSeconds: number | null;
  searchPhoneEqMiss: boolean;
  rejectDueDateMillis: boolean;
}

export function defaultFaults(): FaultSettings {
  return {
    latencyMs: 0,
    errorRates: {},
    timeouts: {},
    failNext: {},
    webhookDropRate: 0,
    webhookDuplicateRate: 0,
    webhookReorder: false,
    taskCreateWithoutContactRate: 0,
    createReturns422ButPersists: false,
    refreshError: null,
    companyNameOnPut: false,
    retryAfterSeconds: null,
    searchPhoneEqMiss: false,
    rejectDueDateMillis: false,
  };
}

/** Current knobs plus the seeded dice. */
export class Faults {
  settings: FaultSettings = defaultFaults();
  readonly #seed: number;
  #dice: Prng;

  constructor(seed: number) {
    this.#seed = seed;
    this.#dice = createPrng(seed, 'faults');
  }

  /** Merges a patch (maps are merged key by key; a rate of 0 removes the key). */
  apply(patch: Omit<FaultPatch, 'searchDelayMs'>): FaultSettings {
    const { errorRates, timeouts, failNext, ...rest } = patch;
    const next: FaultSettings = { ...this.settings };
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined) Object.assign(next, { [key]: value });
    }
    next.errorRates = mergeRates(this.settings.errorRates, errorRates);
    next.timeouts = mergeRates(this.settings.timeouts, timeouts);
    next.failNext = mergeRates(this.settings.failNext, failNext);
    this.settings = next;
    return next;
  }

  /** Back to no faults, and the dice back to the start of their sequence. */
  reset(): void {
    this.settings = defaultFaults();
    this.#dice = createPrng(this.#seed, 'faults');
  }

  /** True when a `failNext` count is left for `routeKey` (or "*"), using one up. */
  takeFailNext(routeKey: string): boolean {
    const counts = this.settings.failNext;
    const key = (counts[routeKey] ?? 0) > 0 ? routeKey : (counts['*'] ?? 0) > 0 ? '*' : undefined;
    if (key === undefined) return false;
    this.settings.failNext = mergeRates(counts, { [key]: (counts[key] ?? 1) - 1 });
    return true;
  }

  /** True with probability `p`. */
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

  /** The rate configured for a route key, falling back to "*". */
  static rateFor(rates: Readonly<Record<string, number>>, routeKey: string): number {
    return rates[routeKey] ?? rates['*'] ?? 0;
  }
}

function mergeRates(
  current: Record<string, number>,
  patch: Record<string, number> | undefined,
): Record<string, number> {
  if (patch === undefined) return current;
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === 0) delete next[key];
    else next[key] = value;
  }
  return next;
}
