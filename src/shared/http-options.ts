/**
 * The options every provider HTTP transport takes (GHL, Tenant Turner): where to send, how long
 * to wait, how to retry, and the seams tests inject.
 */
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';

export interface HttpTransportOptions {
  /** The API host; each transport has its provider's default. */
  baseUrl?: string;
  clock?: Clock;
  logger?: Logger;
  /** Per-attempt timeout in ms, default 30,000. */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures, default 5. */
  maxRetries?: number;
  /** First backoff ceiling in ms, default 500. */
  retryBaseMs?: number;
  /** Largest backoff ceiling in ms, default 30,000. */
  retryMaxMs?: number;
  /** Returns a number in [0, 1) for jitter; injectable for tests. */
  random?: () => number;
  fetch?: typeof fetch;
}
