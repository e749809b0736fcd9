/**
 * The per-location GHL request budget (ghl-api.md §4, ARCHITECTURE.md §1.5): every GHL call
 * awaits `acquire()` first and reports its response to `observe()`.
 *
 * Burst model: a sliding log. A request may go when fewer than `max` logged requests are younger
 * than `windowMs`. GHL documents "100 requests per 10 seconds" without saying whether the window
 * is fixed or rolling; a sliding log never puts more than `max` requests in *any* interval of
 * `windowMs`, so it stays under the limit under both readings, and still reaches full throughput
 * (`max` per window, back to back). A token bucket refilling at max/windowMs would either allow
 * 2 × max across a window boundary (full bucket plus refill) or, sized to avoid that, be slower.
 *
 * What the log counts from: GHL counts a request when it *arrives*, some time between our send
 * and its response, so a log of send times lets the next window's first request reach the
 * server before the previous window closed there whenever responses are slow. So an entry
 * counts from its response (`observe()` moves the oldest unanswered entry to the response time:
 * matching oldest-first rather than one-to-one is enough, because the number of responses seen
 * by any moment bounds the number of arrivals by then from below), and an entry with no
 * response yet keeps counting for `inFlightMs` (the HTTP timeout) after its send, since it may
 * still arrive until then. The cost is one response latency per window. `safetyMargin` holds
 * back tokens if GHL still disagrees, and a burst 429 that happens anyway blocks the location
 * for `X-RateLimit-Interval-Milliseconds`.
 *
 * Resynchronisation: the `X-RateLimit-*` headers of every response may only *lower* our view
 * (the server's remaining is authoritative when lower than ours), never raise it, so a late
 * response from an earlier window cannot refill the budget; capacity comes back only as our own
 * entries age out. Requests the server counted and we did not (another process, a restart) are
 * logged as answered at the time we learn of them.
 *
 * Daily budget: counted locally and lowered by `X-RateLimit-Daily-Remaining`. GHL does not
 * document when the day resets; we use `x-ratelimit-daily-reset` when sent (read as in the
 * official SDK: milliseconds until reset; epoch seconds or epoch milliseconds are also accepted)
 * and otherwise assume the next UTC midnight. When the daily budget is gone the location pauses
 * until then, and `acquire()` rejects at once with `rate_limited_daily` unless the caller asks
 * to wait (`waitForDaily`).
 */
import type { Clock } from '../shared/clock.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import { numericHeader, retryAfterMs } from './errors.ts';

/** Request lanes in priority order, highest first. */
export type Lane = 'webhook' | 'user' | 'reconcile' | 'backfill';

/** The lanes, highest priority first. */
export const LANES: readonly Lane[] = ['webhook', 'user', 'reconcile', 'backfill'];

export interface RateLimiterOptions {
  clock?: Clock;
  logger?: Logger;
  /** Requests per burst window before the first response says otherwise; default 100. */
  max?: number;
  /** Burst window length in ms; default 10,000. */
  windowMs?: number;
  /** Requests per day; default 200,000. */
  daily?: number;
  /** `false` makes `acquire()` resolve at once (benchmarks with limits off); default true. */
  enabled?: boolean;
  /** Tokens per burst window held back as a cushion against latency jitter; default 0. */
  safetyMargin?: number;
  /**
   * How long after its send a request with no observed response may still reach GHL, so keeps
   * its place in the burst window: the HTTP client's timeout; default 30,000.
   */
  inFlightMs?: number;
}

export interface AcquireOptions {
  /** Rejects the wait (and removes it from the queue) when aborted. */
  signal?: AbortSignal;
  /**
   * Wait through a daily pause instead of rejecting with `rate_limited_daily`; for work that
   * may run hours later, such as a backfill.
   */
  waitForDaily?: boolean;
}

/** A snapshot of one location's budget, for dashboards and tests. */
export interface LocationBudget {
  locationId: string;
  max: number;
  windowMs: number;
  /** Sends still allowed now in the current window (0 while paused). */
  remaining: number;
  dailyLimit: number;
  dailyRemaining: number;
  /** Epoch ms when a pause ends. */
  pausedUntil?: number;
  pausedReason?: 'daily' | 'burst';
  /** Waiters per lane. */
  queued: Record<Lane, number>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  waitForDaily: boolean;
  /** Detaches the abort listener. */
  release: () => void;
}

interface LoggedRequest {
  /** Send time, moved to the response time once a response is observed. */
  at: number;
  answered: boolean;
}

interface LocationState {
  id: string;
  max: number;
  windowMs: number;
  dailyLimit: number;
  /** The burst log, in send order; entries that left the window are pruned lazily. */
  sends: LoggedRequest[];
  dailyUsed: number;
  /** When the current daily window ends (epoch ms). */
  dailyResetAt: number;
  /** When the daily window was last reset locally; daily-exhaustion headers just after are stale. */
  lastDailyReset: number | undefined;
  dailyPaused: boolean;
  /** End of a burst block after a 429. */
  blockedUntil: number;
  queues: Record<Lane, Waiter[]>;
  /** When the pending wake-up fires, if one is pending. */
  timerAt: number | undefined;
  timerSeq: number;
}

const DAY_MS = 86_400_000;

/** Per-location GHL budget with priority lanes; see the module comment for the model. */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #max: number;
  readonly #windowMs: number;
  readonly #daily: number;
  readonly #enabled: boolean;
  readonly #safetyMargin: number;
  readonly #inFlightMs: number;
  readonly #locations = new Map<string, LocationState>();
  readonly #timers = new AbortController();
  #stopped = false;

  constructor(opts: RateLimiterOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.#logger = opts.logger ?? silentLogger;
    this.#max = positive(opts.max, 100);
    this.#windowMs = positive(opts.windowMs, 10_000);
    this.#daily = positive(opts.daily, 200_000);
    this.#enabled = opts.enabled ?? true;
    this.#safetyMargin = Math.max(0, opts.safetyMargin ?? 0);
    this.#inFlightMs = Math.max(0, opts.inFlightMs ?? 30_000);
  }

  /**
   * Resolves when one request for `locationId` may be sent, and counts it as sent. Waiters are
   * served by lane priority, then first come first served. Rejects with `rate_limited_daily`
   * while the location is paused for the day (unless `waitForDaily`), with the signal's reason
   * when aborted, and after `stop()`.
   */
  acquire(locationId: string, lane: Lane, options?: AbortSignal | AcquireOptions): Promise<void> {
    if (!this.#enabled) return Promise.resolve();
    const { signal, waitForDaily = false } =
      options instanceof AbortSignal ? { signal: options } : (options ?? {});
    if (this.#stopped) return Promise.reject(stoppedError());
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const state = this.#state(locationId);
    this.#rollDaily(state, this.#clock.now());
    if (state.dailyPaused && !waitForDaily) return Promise.reject(dailyError(state));

    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        state.queues[lane] = state.queues[lane].filter((w) => w !== waiter);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        resolve,
        reject,
        waitForDaily,
        release: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      state.queues[lane].push(waiter);
      this.#drain(state);
    });
  }

  /**
   * Resynchronises from the `X-RateLimit-*` headers of a response (call it for every response,
   * success or not). A 429 blocks the location for the burst interval, or pauses it for the day
   * when `X-RateLimit-Daily-Remaining` is 0.
   */
  observe(locationId: string, status: number, headers: Headers): void {
    const state = this.#state(locationId);
    const now = this.#clock.now();
    this.#rollDaily(state, now);

    const max = numericHeader(headers, 'x-ratelimit-max');
    if (max !== undefined && max > 0) state.max = max;
    const interval = numericHeader(headers, 'x-ratelimit-interval-milliseconds');
    if (interval !== undefined && interval > 0) state.windowMs = interval;
    const dailyLimit = numericHeader(headers, 'x-ratelimit-limit-daily');
    if (dailyLimit !== undefined && dailyLimit > 0) state.dailyLimit = dailyLimit;
    const resetAt = dailyResetFromHeaders(headers, now);
    if (resetAt !== undefined && resetAt > now) state.dailyResetAt = resetAt;

    this.#prune(state, now);
    const oldestUnanswered = state.sends.find((entry) => !entry.answered);
    if (oldestUnanswered) {
      oldestUnanswered.at = Math.max(oldestUnanswered.at, now);
      oldestUnanswered.answered = true;
    }
    const remaining = numericHeader(headers, 'x-ratelimit-remaining');
    if (remaining !== undefined) {
      const unseen = state.max - Math.max(0, remaining) - state.sends.length;
      for (let i = 0; i < unseen; i++) state.sends.push({ at: now, answered: true });
    }

    // Just after our daily reset, a "0 left today" is most likely a response from yesterday:
    // let it block like a burst 429 instead of pausing the new day.
    const freshDay =
      state.lastDailyReset !== undefined && now - state.lastDailyReset < state.windowMs;
    const dailyRemaining = numericHeader(headers, 'x-ratelimit-daily-remaining');
    if (dailyRemaining !== undefined && !freshDay) {
      state.dailyUsed = Math.max(state.dailyUsed, state.dailyLimit - dailyRemaining);
      if (dailyRemaining <= 0) this.#pauseForDay(state);
    }

    if (status === 429 && !state.dailyPaused) {
      const blockMs = retryAfterMs(headers) ?? state.windowMs;
      if (state.blockedUntil <= now) {
        this.#logger.warn(
          { locationId, blockMs },
          'GHL burst rate limit hit; location blocked for the interval',
        );
      }
      state.blockedUntil = Math.max(state.blockedUntil, now + blockMs);
    }
    this.#drain(state);
  }

  /**
   * Gives back the most recent grant of `locationId` whose request was never sent (for instance
   * because no access token could be had), so it neither holds a burst slot nor counts for the day.
   */
  release(locationId: string): void {
    const state = this.#locations.get(locationId);
    if (!state) return;
    for (let i = state.sends.length - 1; i >= 0; i--) {
      if (state.sends[i]?.answered === false) {
        state.sends.splice(i, 1);
        state.dailyUsed = Math.max(0, state.dailyUsed - 1);
        break;
      }
    }
    this.#drain(state);
  }

  /** A snapshot of the budget of `locationId`. */
  budget(locationId: string): LocationBudget {
    const state = this.#state(locationId);
    const now = this.#clock.now();
    this.#rollDaily(state, now);
    this.#prune(state, now);
    const pause: Pick<LocationBudget, 'pausedUntil' | 'pausedReason'> = state.dailyPaused
      ? { pausedUntil: state.dailyResetAt, pausedReason: 'daily' }
      : state.blockedUntil > now
        ? { pausedUntil: state.blockedUntil, pausedReason: 'burst' }
        : {};
    return {
      locationId,
      max: state.max,
      windowMs: state.windowMs,
      remaining: pause.pausedReason ? 0 : Math.max(0, this.#capacity(state) - state.sends.length),
      dailyLimit: state.dailyLimit,
      dailyRemaining: Math.max(0, state.dailyLimit - state.dailyUsed),
      ...pause,
      queued: Object.fromEntries(
        LANES.map((lane) => [lane, state.queues[lane].length]),
      ) as LocationBudget['queued'],
    };
  }

  /** Rejects every waiter, cancels pending wake-ups, and makes later `acquire()` calls reject. */
  stop(): void {
    this.#stopped = true;
    this.#timers.abort();
    for (const state of this.#locations.values()) {
      for (const lane of LANES) {
        for (const waiter of state.queues[lane].splice(0)) {
          waiter.release();
          waiter.reject(stoppedError());
        }
      }
    }
  }

  #state(locationId: string): LocationState {
    let state = this.#locations.get(locationId);
    if (!state) {
      state = {
        id: locationId,
        max: this.#max,
        windowMs: this.#windowMs,
        dailyLimit: this.#daily,
        sends: [],
        dailyUsed: 0,
        dailyResetAt: nextUtcMidnight(this.#clock.now()),
        lastDailyReset: undefined,
        dailyPaused: false,
        blockedUntil: 0,
        queues: { webhook: [], user: [], reconcile: [], backfill: [] },
        timerAt: undefined,
        timerSeq: 0,
      };
      this.#locations.set(locationId, state);
    }
    return state;
  }

  #capacity(state: LocationState): number {
    return Math.max(1, state.max - this.#safetyMargin);
  }

  /** When a logged request stops counting against the burst window. */
  #leavesWindowAt(state: LocationState, entry: LoggedRequest): number {
    return entry.at + (entry.answered ? 0 : this.#inFlightMs) + state.windowMs;
  }

  #prune(state: LocationState, now: number): void {
    if (state.sends.some((entry) => this.#leavesWindowAt(state, entry) <= now)) {
      state.sends = state.sends.filter((entry) => this.#leavesWindowAt(state, entry) > now);
    }
  }

  #rollDaily(state: LocationState, now: number): void {
    if (now < state.dailyResetAt) return;
    state.dailyUsed = 0;
    state.dailyPaused = false;
    state.lastDailyReset = now;
    state.dailyResetAt = nextUtcMidnight(now);
  }

  #pauseForDay(state: LocationState): void {
    if (state.dailyPaused) return;
    state.dailyPaused = true;
    this.#logger.warn(
      { locationId: state.id, pausedUntil: new Date(state.dailyResetAt).toISOString() },
      'GHL daily limit reached for location; paused until the daily reset',
    );
  }

  /** Grants what the budget allows now, in lane order, and schedules a wake-up for the rest. */
  #drain(state: LocationState): void {
    if (this.#stopped) return;
    const now = this.#clock.now();
    this.#rollDaily(state, now);
    for (;;) {
      if (state.dailyPaused) {
        this.#rejectDailyWaiters(state);
        if (hasWaiters(state)) this.#wakeAt(state, state.dailyResetAt);
        return;
      }
      const lane = LANES.find((l) => state.queues[l].length > 0);
      if (lane === undefined) return;
      if (state.blockedUntil > now) {
        this.#wakeAt(state, state.blockedUntil);
        return;
      }
      this.#prune(state, now);
      const capacity = this.#capacity(state);
      if (state.sends.length >= capacity) {
        // Enough entries must age out to leave room for one more (several if `max` just shrank).
        const times = state.sends
          .map((entry) => this.#leavesWindowAt(state, entry))
          .sort((a, b) => a - b);
        this.#wakeAt(state, times[times.length - capacity] ?? now);
        return;
      }
      if (state.dailyUsed >= state.dailyLimit) {
        this.#pauseForDay(state);
        continue;
      }
      const waiter = state.queues[lane].shift();
      if (!waiter) return;
      state.sends.push({ at: now, answered: false });
      state.dailyUsed++;
      waiter.release();
      waiter.resolve();
    }
  }

  #rejectDailyWaiters(state: LocationState): void {
    for (const lane of LANES) {
      const queue = state.queues[lane];
      const rejected = queue.filter((w) => !w.waitForDaily);
      if (rejected.length === 0) continue;
      state.queues[lane] = queue.filter((w) => w.waitForDaily);
      for (const waiter of rejected) {
        waiter.release();
        waiter.reject(dailyError(state));
      }
    }
  }

  /** One pending wake-up per location: an earlier need replaces a later one, stale ones are no-ops. */
  #wakeAt(state: LocationState, at: number): void {
    if (state.timerAt !== undefined && state.timerAt <= at) return;
    state.timerAt = at;
    const seq = ++state.timerSeq;
    this.#clock.sleep(Math.max(0, at - this.#clock.now()), this.#timers.signal).then(
      () => {
        if (state.timerSeq === seq) state.timerAt = undefined;
        this.#drain(state);
      },
      () => undefined, // aborted by stop()
    );
  }
}

function hasWaiters(state: LocationState): boolean {
  return LANES.some((lane) => state.queues[lane].length > 0);
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function nextUtcMidnight(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
}

/**
 * `x-ratelimit-daily-reset` as an epoch-ms instant. Undocumented: the official SDK reads it as
 * milliseconds until the reset; values that can only be epoch seconds or epoch milliseconds, or
 * an HTTP date, are read as such.
 */
function dailyResetFromHeaders(headers: Headers, now: number): number | undefined {
  const raw = headers.get('x-ratelimit-daily-reset');
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    const date = Date.parse(raw);
    return Number.isFinite(date) ? date : undefined;
  }
  if (value >= 1e12) return value;
  if (value >= 1e9) return value * 1000;
  return value > 0 ? now + value : undefined;
}

function dailyError(state: LocationState): AppError {
  const resumeAt = new Date(state.dailyResetAt).toISOString();
  return new AppError(
    'rate_limited_daily',
    `GHL daily request limit reached for location ${state.id}; requests resume at ${resumeAt}. ` +
      'Retry after that time, or lower the backfill and reconciliation load.',
    { details: { locationId: state.id, resumeAt } },
  );
}

function stoppedError(): AppError {
  return new AppError('unexpected', 'The GHL rate limiter was stopped; the request was not sent.');
}
