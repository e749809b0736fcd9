/**
 * Named leases in the `locks` table, shared by every process on the database: a lock is a row
 * with an owner and an expiry, taken when absent or expired, renewed while held, deleted on
 * release. A process that dies holding one loses it when the lease runs out.
 */
import type { Kysely } from 'kysely';
import { systemClock } from '../shared/clock.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { Database } from './schema.ts';

export interface LockOptions {
  /** Lease length; renewed every third of it while `fn` runs. Default 30 s. */
  ttlMs?: number;
  /** How long to wait for another holder before failing with `lock_timeout`. Default 60 s. */
  waitMs?: number;
  /** Poll interval while waiting. Default 50 ms. */
  pollMs?: number;
  clock?: Clock;
}

/** Takes `name` for `owner` if it is free, expired, or already ours; true when taken. */
export async function tryAcquireLock(
  db: Kysely<Database>,
  name: string,
  owner: string,
  ttlMs: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .insertInto('locks')
    .values({ name, owner, expires_at: now + ttlMs })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ owner, expires_at: now + ttlMs })
        .where((eb) => eb.or([eb('locks.expires_at', '<=', now), eb('locks.owner', '=', owner)])),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Gives `name` up if `owner` holds it. */
export async function releaseLock(
  db: Kysely<Database>,
  name: string,
  owner: string,
): Promise<void> {
  await db.deleteFrom('locks').where('name', '=', name).where('owner', '=', owner).execute();
}

/**
 * Runs `fn` while holding `name` (waiting for it if needed), renewing the lease meanwhile, and
 * releases it afterwards whatever happens.
 */
export async function withLock<T>(
  db: Kysely<Database>,
  name: string,
  owner: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const clock = options.clock ?? systemClock;
  const ttlMs = options.ttlMs ?? 30_000;
  const deadline = clock.now() + (options.waitMs ?? 60_000);
  while (!(await tryAcquireLock(db, name, owner, ttlMs, clock.now()))) {
    if (clock.now() >= deadline) {
      throw new AppError(
        'lock_timeout',
        `Waited too long for the lock "${name}" held by another ttsync process. ` +
          'If no other process is running, it frees itself when its lease runs out; try again then.',
        { details: { name } },
      );
    }
    await clock.sleep(options.pollMs ?? 50);
  }
  const renewal = new AbortController();
  const renew = async (): Promise<void> => {
    while (!renewal.signal.aborted) {
      await clock.sleep(ttlMs / 3, renewal.signal).catch(() => undefined);
      if (renewal.signal.aborted) return;
      await tryAcquireLock(db, name, owner, ttlMs, clock.now()).catch(() => undefined);
    }
  };
  const renewing = renew();
  try {
    return await fn();
  } finally {
    renewal.abort();
    await renewing;
    await releaseLock(db, name, owner);
  }
}
