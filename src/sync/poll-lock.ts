/**
 * One poll of a stream at a time across every process on the database: a cycle (scheduled in
 * `ttsync serve`, or `ttsync poll …`) holds the stream's lease in the `locks` table and a second
 * one skips its turn rather than waiting. Several `serve` processes on one PostgreSQL so poll
 * each stream once, not once each. The lease is real time (store/locks.ts), whatever clock the
 * schedule runs on.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../shared/errors.ts';
import { withLock } from '../store/locks.ts';
import type { Database } from '../store/schema.ts';

/** Lease length; renewed every third of it while a cycle runs. */
const LEASE_MS = 60_000;

/** The lock of `stream` (`contacts`, `tasks`, `appointments`) of `locationId`. */
export function pollLockName(stream: string, locationId: string): string {
  return `poll:${stream}:${locationId}`;
}

/** Runs `cycle` holding `name`; throws `lock_timeout` at once when another process holds it. */
export async function underPollLock<T>(
  db: Kysely<Database>,
  name: string,
  cycle: () => Promise<T>,
): Promise<T> {
  let started = false;
  const run = (): Promise<T> => {
    started = true;
    return cycle();
  };
  try {
    return await withLock(db, name, randomUUID(), run, { waitMs: 0, ttlMs: LEASE_MS });
  } catch (error) {
    if (started || !(error instanceof AppError && error.code === 'lock_timeout')) throw error;
    throw new AppError(
      'lock_timeout',
      `Another ttsync process is running this poll now (lock "${name}"); its result is as good ` +
        'as this one. Try again after it ends (a crashed holder frees the lock within a minute).',
      { cause: error, details: { name, pollBusy: true } },
    );
  }
}

/** True when `error` says another process holds a poll's lock. */
export function isPollBusy(error: unknown): boolean {
  return error instanceof AppError && error.details?.['pollBusy'] === true;
}
