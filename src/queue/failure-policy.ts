/**
 * What happens to a job whose handler threw (ARCHITECTURE.md §5 "Failures are sorted"): an error
 * that says it is not retryable (`HttpError.retryable === false`: scope, location, validation)
 * goes straight to the dead-letter list; anything else is retried after a capped exponential
 * backoff with full jitter, or after the wait the error asks for (`retryAfterMs`: Retry-After,
 * `X-RateLimit-Interval-Milliseconds`), until the job has used its attempts. Both adapters
 * decide through this one function, so they fail jobs the same way.
 */
import { coerceError } from '../shared/errors.ts';
import { backoffDelay } from '../shared/retry.ts';
import type { BackoffOptions } from '../shared/retry.ts';

/** The decision for one failed run. */
export type FailureDecision =
  | { kind: 'retry'; delayMs: number; error: Error }
  | { kind: 'dead'; reason: 'not_retryable' | 'attempts_exhausted'; error: Error };

/** Default retry delays: 1 s doubling to a 10-minute ceiling (12 runs wait at most about 27 minutes). */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 600_000 };

/** Decides what to do after run number `attempt` (1-based) of `maxAttempts` threw `thrown`. */
export function decideFailure(
  thrown: unknown,
  attempt: number,
  maxAttempts: number,
  backoff: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): FailureDecision {
  const error = coerceError(thrown);
  if (readField(error, 'retryable') === false) {
    return { kind: 'dead', reason: 'not_retryable', error };
  }
  if (attempt >= maxAttempts) return { kind: 'dead', reason: 'attempts_exhausted', error };
  const hinted = readField(error, 'retryAfterMs');
  const delayMs =
    typeof hinted === 'number' && Number.isFinite(hinted) && hinted >= 0
      ? Math.ceil(hinted)
      : backoffDelay(attempt - 1, backoff, random);
  return { kind: 'retry', delayMs, error };
}

/** The text stored as a job's last error: the message, prefixed by the error's code when it has one. */
export function describeError(error: Error): string {
  const code = readField(error, 'code');
  const status = readField(error, 'status');
  const prefix = [
    typeof code === 'string' ? code : undefined,
    typeof status === 'number' ? `HTTP ${status}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const text = prefix ? `${prefix}: ${error.message}` : error.message || error.name;
  return text.length > 4_000 ? `${text.slice(0, 4_000)}…` : text;
}

function readField(error: Error, field: string): unknown {
  return (error as unknown as Record<string, unknown>)[field];
}
