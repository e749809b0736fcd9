/**
 * Retries with capped exponential backoff and full jitter
 * (delay = random() * min(maxMs, baseMs * 2^attempt), the "full jitter" of AWS's backoff study).
 * A provider's own wait hint (`retryAfterMs`, e.g. Retry-After or X-RateLimit-Interval-Milliseconds)
 * wins over the computed delay.
 */
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';

export interface BackoffOptions {
  /** First delay ceiling in ms. */
  baseMs: number;
  /** Largest delay ceiling in ms. */
  maxMs: number;
}

export interface RetryOptions extends BackoffOptions {
  /** Total attempts including the first; at least 1. */
  attempts: number;
  clock?: Clock;
  /** Returns a number in [0, 1); injectable for tests. */
  random?: () => number;
  signal?: AbortSignal;
  /** Whether this error is worth another attempt. */
  isRetryable: (error: unknown) => boolean;
  /** A wait the error itself asks for, if any. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** Called before each wait, e.g. to log. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** The capped, fully jittered delay before retry number `attempt` (0-based). */
export function backoffDelay(
  attempt: number,
  { baseMs, maxMs }: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or runs out of attempts. */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const attempts = Math.max(1, options.attempts);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt + 1 >= attempts || !options.isRetryable(error) || options.signal?.aborted)
        throw error;
      const hinted = options.retryAfterMs?.(error);
      const delayMs = hinted !== undefined ? hinted : backoffDelay(attempt, options, random);
      options.onRetry?.({ attempt, delayMs, error });
      await clock.sleep(delayMs, options.signal);
    }
  }
}
