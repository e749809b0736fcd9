/**
 * The options both adapters take, with defaults filled in and numbers checked, and the checks an
 * enqueue passes before anything is written, so both adapters accept and refuse the same jobs.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { systemClock } from '../shared/clock.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { silentLogger } from '../shared/logger.ts';
import type { Logger } from '../shared/logger.ts';
import type { BackoffOptions } from '../shared/retry.ts';
import { DEFAULT_BACKOFF } from './failure-policy.ts';
import type { EnqueueOptions, JobQueueOptions } from './job-queue.ts';

/** The settings both adapters derive from `JobQueueOptions`, defaults filled in. */
export interface QueueSettings {
  logger: Logger;
  clock: Clock;
  concurrency: number;
  pollIntervalMs: number;
  lockTimeoutMs: number;
  maxAttempts: number;
  backoff: BackoffOptions;
  random: () => number;
  workerId: string;
}

/** Fills in defaults and checks the numbers, naming the bad option. */
export function queueSettings(options: JobQueueOptions): QueueSettings {
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    const chosen = value ?? fallback;
    if (!Number.isFinite(chosen) || chosen <= 0) {
      throw new AppError(
        'config_invalid',
        `Job queue option ${name} must be a positive number (got ${String(value)}).`,
      );
    }
    return chosen;
  };
  return {
    logger: (options.logger ?? silentLogger).child({ component: 'queue' }),
    clock: options.clock ?? systemClock,
    concurrency: Math.floor(positive('concurrency', options.concurrency, 4)),
    pollIntervalMs: positive('pollIntervalMs', options.pollIntervalMs, 500),
    lockTimeoutMs: positive('lockTimeoutMs', options.lockTimeoutMs, 30_000),
    maxAttempts: Math.floor(positive('maxAttempts', options.maxAttempts, 12)),
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    random: options.random ?? Math.random,
    workerId: options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  };
}

/** Checks an enqueue's name, key, attempts and time, serialises its payload, and says how long it waits. */
export function checkEnqueue(
  name: string,
  payload: unknown,
  options: EnqueueOptions,
  defaultMaxAttempts: number,
  now: number,
): { payload: string; maxAttempts: number; delayMs: number } {
  if (typeof name !== 'string' || name.length === 0) {
    throw new AppError('job_invalid', 'A job needs a non-empty name: pass the handler name.');
  }
  if (typeof options.key !== 'string' || options.key.length === 0) {
    throw new AppError(
      'job_invalid',
      `Job "${name}" needs a non-empty ordering key: pass the person (link) it is about.`,
    );
  }
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new AppError(
      'job_invalid',
      `Job "${name}": maxAttempts must be a whole number ≥ 1 (got ${String(maxAttempts)}).`,
    );
  }
  let text: string;
  try {
    text = JSON.stringify(payload ?? null);
  } catch (error) {
    throw new AppError(
      'job_invalid',
      `Job "${name}": the payload is not JSON-serialisable (${(error as Error).message}); pass plain data.`,
      { cause: error },
    );
  }
  const wait = options.runAt !== undefined ? options.runAt - now : (options.delayMs ?? 0);
  if (!Number.isFinite(wait)) {
    throw new AppError(
      'job_invalid',
      `Job "${name}": runAt and delayMs must be finite numbers of milliseconds.`,
    );
  }
  return { payload: text, maxAttempts, delayMs: Math.max(0, Math.ceil(wait)) };
}

/** The error every call on a stopped queue rejects with. */
export function stoppedError(): AppError {
  return new AppError(
    'queue_stopped',
    'This job queue was stopped; create a new one (createJobQueue) to use the queue again.',
  );
}
