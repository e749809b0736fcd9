/**
 * The Tenant Turner client's own request budget. The service documents no rate limits and
 * sends no rate-limit headers (tenant-turner-api.md §1), so ttsync holds itself to a rate it
 * chooses (default 5 requests per second per account) and, when the service answers 429 anyway,
 * pauses the whole account for the `Retry-After` or backoff the transport computes.
 *
 * Model: a sliding log. A request may go when fewer than `max` requests were sent in the last
 * `windowMs`, so no interval of that length ever holds more than `max` sends, while a burst up
 * to `max` still goes at once. Waiters are served first come, first served.
 */
import type { Clock } from '../shared/clock.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';

/** Options of `TtThrottle`. */
export interface TtThrottleOptions {
  /** Sustained requests per second; default 5. `Infinity` or 0 turns throttling off. */
  requestsPerSecond?: number;
  clock?: Clock;
}

/** Default requests per second per account. */
export const DEFAULT_REQUESTS_PER_SECOND = 5;

/** A per-account send budget; every request awaits `acquire()` first. */
export class TtThrottle {
  /** Sends allowed per window. */
  readonly max: number;
  /** Window length in ms. */
  readonly windowMs: number;
  readonly #enabled: boolean;
  readonly #clock: Clock;
  readonly #sends: number[] = [];
  readonly #stop = new AbortController();
  #pausedUntil = 0;
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;

  constructor(options: TtThrottleOptions = {}) {
    const rate = options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
    if (!(rate >= 0)) {
      throw new AppError(
        'config_invalid',
        `requestsPerSecond must be a positive number (got ${rate}): use 0 or Infinity to turn throttling off.`,
      );
    }
    this.#enabled = rate > 0 && Number.isFinite(rate);
    // A fractional rate (2.5/s) becomes whole sends over a longer window (2 per 800 ms).
    this.max = this.#enabled ? Math.max(1, Math.floor(rate)) : Infinity;
    this.windowMs = this.#enabled ? (1000 * this.max) / rate : 0;
    this.#clock = options.clock ?? systemClock;
  }

  /** Waiters not yet released. */
  get queued(): number {
    return this.#queued;
  }

  /** Epoch ms until which nothing is sent (after a 429), or 0. */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * Resolves when a request may be sent, in arrival order. Rejects when `signal` aborts or the
   * throttle is stopped.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.#stop.signal.aborted) return Promise.reject(stopped());
    this.#queued++;
    const turn = this.#tail.then(() => this.#waitForSlot(signal));
    const settled = turn.finally(() => this.#queued--);
    this.#tail = settled.catch(() => undefined);
    return settled;
  }

  /** Holds every send for `ms` from now (a 429's `Retry-After` or backoff). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + Math.max(0, ms));
  }

  /** Rejects current and future waiters. */
  stop(): void {
    this.#stop.abort(stopped());
  }

  async #waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    // Combined only when there is a wait: a composite signal per send would stay registered
    // with both sources until collected.
    let both: AbortSignal | undefined;
    for (;;) {
      signal?.throwIfAborted();
      this.#stop.signal.throwIfAborted();
      const now = this.#clock.now();
      while (this.#sends.length > 0 && (this.#sends[0] ?? 0) <= now - this.windowMs) {
        this.#sends.shift();
      }
      const paused = this.#pausedUntil - now;
      const oldest = this.#sends[0];
      const full =
        this.#enabled && this.#sends.length >= this.max && oldest !== undefined
          ? oldest + this.windowMs - now
          : 0;
      const wait = Math.max(paused, full);
      if (wait <= 0) {
        if (this.#enabled) this.#sends.push(now);
        return;
      }
      both ??= signal ? AbortSignal.any([signal, this.#stop.signal]) : this.#stop.signal;
      await this.#clock.sleep(wait, both);
    }
  }
}

function stopped(): AppError {
  return new AppError('unexpected', 'The Tenant Turner client was stopped.');
}
