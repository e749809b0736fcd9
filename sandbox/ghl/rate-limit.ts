/**
 * GHL's limits per app per location (ghl-api.md §4): a burst window (100 per 10 s) and a daily
 * quota (200,000), reported on every response in five `X-RateLimit-*` headers. Fixed windows;
 * every request counts, including errors and the 429s themselves.
 */

export interface RateLimitSettings {
  max: number;
  windowMs: number;
  daily: number;
  enabled: boolean;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = {
  max: 100,
  windowMs: 10_000,
  daily: 200_000,
  enabled: true,
};

/** The state after counting one request. */
export interface RateLimitSnapshot {
  settings: RateLimitSettings;
  remaining: number;
  dailyRemaining: number;
  /** Which limit this request went past, if any (always null when disabled). */
  limited: 'burst' | 'daily' | null;
}

interface Bucket {
  windowStart: number;
  count: number;
  day: number;
  dayCount: number;
}

const DAY_MS = 86_400_000;

export class RateLimiter {
  #settings: RateLimitSettings;
  readonly #buckets = new Map<string, Bucket>();

  constructor(settings: RateLimitSettings) {
    this.#settings = { ...settings };
  }

  get settings(): RateLimitSettings {
    return { ...this.#settings };
  }

  /** Changes limits at run time; counters are kept. */
  configure(patch: Partial<RateLimitSettings>): RateLimitSettings {
    this.#settings = { ...this.#settings, ...patch };
    return this.settings;
  }

  /** Forgets every counter. */
  reset(): void {
    this.#buckets.clear();
  }

  /** Counts one request against `key` (app + location) at `now`. */
  hit(key: string, now: number): RateLimitSnapshot {
    const settings = this.#settings;
    const day = Math.floor(now / DAY_MS);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { windowStart: now, count: 0, day, dayCount: 0 };
      this.#buckets.set(key, bucket);
    }
    if (now - bucket.windowStart >= settings.windowMs) {
      bucket.windowStart = now;
      bucket.count = 0;
    }
    if (bucket.day !== day) {
      bucket.day = day;
      bucket.dayCount = 0;
    }
    bucket.count++;
    bucket.dayCount++;
    let limited: RateLimitSnapshot['limited'] = null;
    if (settings.enabled) {
      if (bucket.dayCount > settings.daily) limited = 'daily';
      else if (bucket.count > settings.max) limited = 'burst';
    }
    return {
      settings,
      remaining: Math.max(0, settings.max - bucket.count),
      dailyRemaining: Math.max(0, settings.daily - bucket.dayCount),
      limited,
    };
  }
}

/** The five headers GHL sends on every response. */
export function rateLimitHeaders(snapshot: RateLimitSnapshot): Record<string, string> {
  return {
    'x-ratelimit-limit-daily': String(snapshot.settings.daily),
    'x-ratelimit-daily-remaining': String(snapshot.dailyRemaining),
    'x-ratelimit-interval-milliseconds': String(snapshot.settings.windowMs),
    'x-ratelimit-max': String(snapshot.settings.max),
    'x-ratelimit-remaining': String(snapshot.remaining),
  };
}
