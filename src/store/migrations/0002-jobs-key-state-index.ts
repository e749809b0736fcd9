/**
 * The SQLite queue's claim looks up, for each candidate job, whether its key has a job that is
 * active, retrying or dead (`src/queue/sqlite-queue.ts`). An index on (key, state) makes that one
 * probe per state instead of a walk over every job of the key, so a person with a long backlog
 * does not slow every claim. Created on PostgreSQL too (where `jobs` stays empty) so both
 * schemas stay alike.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export function up(_dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.createIndex('jobs_key_state').on('jobs').columns(['key', 'state']).execute();
  };
}
