/**
 * Numbered migrations, run at start and by `ttsync migrate`. Each run takes a lock first
 * (PostgreSQL: an advisory lock per schema; SQLite: the write lock, by writing first), so two
 * processes starting at once migrate once, and applies what is missing in one transaction (DDL
 * is transactional on both), so a failed step leaves the schema as it was.
 *
 * Our own small runner rather than Kysely's `Migrator`: that one checks for its tables through
 * introspection of every schema of the database, which fails when another schema is dropped
 * meanwhile (tests use a schema each), and it keeps two bookkeeping tables where one does.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { AppError } from '../shared/errors.ts';
import type { Dialect } from './dialect.ts';
import * as initial from './migrations/0001-initial.ts';
import * as jobsKeyState from './migrations/0002-jobs-key-state-index.ts';
import * as timelinePosts from './migrations/0003-timeline-posts.ts';
import * as timelineOutbox from './migrations/0004-timeline-outbox.ts';

type MigrationUp = (db: Kysely<unknown>) => Promise<void>;

/** Every migration, in order; the key is the file name without `.ts`. */
function migrations(dialect: Dialect): [string, MigrationUp][] {
  return [
    ['0001-initial', initial.up(dialect)],
    ['0002-jobs-key-state-index', jobsKeyState.up(dialect)],
    ['0003-timeline-posts', timelinePosts.up(dialect)],
    ['0004-timeline-outbox', timelineOutbox.up(dialect)],
  ];
}

/** What a migration run did. */
export interface MigrationReport {
  /** Names applied by this run, in order (empty when the schema was already current). */
  applied: string[];
  /** Every migration the code knows, in order. */
  known: string[];
}

/** Brings the schema to the latest migration; throws `store_migration_failed` naming the step. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: Dialect,
): Promise<MigrationReport> {
  const all = migrations(dialect);
  // Nothing to do (every start after the first): answered without a transaction, so openers
  // do not queue for the write lock (SQLite transactions begin IMMEDIATE).
  if (await allApplied(db, all)) return { applied: [], known: all.map(([name]) => name) };
  let current = '(setup)';
  try {
    const applied = await db.transaction().execute(async (trx) => {
      if (dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext('ttsync-migrate:' || current_schema()))`.execute(
          trx,
        );
      }
      await sql`create table if not exists ttsync_migrations (name text primary key, applied_at bigint not null)`.execute(
        trx,
      );
      const { rows } = await sql<{ name: string }>`select name from ttsync_migrations`.execute(trx);
      const done = new Set(rows.map((row) => row.name));
      const fresh: string[] = [];
      for (const [name, up] of all) {
        if (done.has(name)) continue;
        current = name;
        await up(trx);
        await sql`insert into ttsync_migrations (name, applied_at) values (${name}, ${Date.now()})`.execute(
          trx,
        );
        fresh.push(name);
      }
      return fresh;
    });
    return { applied, known: all.map(([name]) => name) };
  } catch (error) {
    throw new AppError(
      'store_migration_failed',
      `Database migration ${current} failed: ${
        error instanceof Error ? error.message : JSON.stringify(error)
      }. Nothing was applied; fix the cause and run \`ttsync migrate\` again.`,
      { cause: error },
    );
  }
}

/** Whether every migration is recorded as applied (false when the table is not there yet). */
async function allApplied(
  db: Kysely<unknown>,
  all: readonly (readonly [string, unknown])[],
): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from ttsync_migrations`.execute(db);
    const done = new Set(rows.map((row) => row.name));
    return all.every(([name]) => done.has(name));
  } catch {
    return false;
  }
}
