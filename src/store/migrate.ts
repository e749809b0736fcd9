/**
 * Numbered migrations, run at start and by `ttsync migrate` (Kysely's `Migrator`, which takes a
 * lock so that two processes starting at once do not both migrate).
 */
import { Migrator } from 'kysely/migration';
import type { Kysely } from 'kysely';
import type { Migration, MigrationResult } from 'kysely/migration';
import { AppError } from '../shared/errors.ts';
import type { Dialect } from './dialect.ts';
import * as initial from './migrations/0001-initial.ts';
import * as jobsKeyState from './migrations/0002-jobs-key-state-index.ts';

/** Every migration, in order; the key is the file name without `.ts`. */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': { up: initial.up(dialect) },
    '0002-jobs-key-state-index': { up: jobsKeyState.up(dialect) },
  };
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
  /** PostgreSQL schema holding the tables; Kysely's bookkeeping tables go there too. */
  pgSchema?: string,
): Promise<MigrationReport> {
  const all = migrations(dialect);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(all) },
    ...(dialect === 'postgres' && pgSchema ? { migrationTableSchema: pgSchema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r: MigrationResult) => r.status === 'Error');
    throw new AppError(
      'store_migration_failed',
      `Database migration ${failed?.migrationName ?? '(setup)'} failed: ${
        error instanceof Error ? error.message : JSON.stringify(error)
      }. Nothing after it was applied; fix the cause and run \`ttsync migrate\` again.`,
      { cause: error },
    );
  }
  return {
    applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName),
    known: Object.keys(all),
  };
}
