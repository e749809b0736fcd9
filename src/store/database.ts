/**
 * Opens ttsync's database: SQLite through `node:sqlite` by default (one process, WAL), or
 * PostgreSQL when a URL is given (many processes). Both behind one `Kysely<Database>`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { AppError } from '../shared/errors.ts';
import type { Dialect } from './dialect.ts';
import { migrateToLatest } from './migrate.ts';
import type { MigrationReport } from './migrate.ts';
import type { Database } from './schema.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
import type { SqliteOpenOptions } from './sqlite-database.ts';

export interface StoreOptions {
  /** `postgres://…` selects PostgreSQL; otherwise SQLite at `sqlitePath`. */
  databaseUrl?: string | undefined;
  /** SQLite file (default `./data/ttsync.db`), or `:memory:`. */
  sqlitePath?: string | undefined;
  /** PostgreSQL schema to use (created if missing); default `public`. Tests use one per test. */
  pgSchema?: string | undefined;
  /** PostgreSQL pool size; default 10. */
  pgPoolSize?: number | undefined;
  /** SQLite durability; default FULL (fsync at every commit). */
  sqliteSynchronous?: 'FULL' | 'NORMAL' | undefined;
  /** How long a SQLite writer waits for another process's lock; default 5,000 ms. */
  sqliteBusyTimeoutMs?: number | undefined;
  /** Run migrations on open; default true. */
  migrate?: boolean | undefined;
}

/** An open database. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where the data lives, without credentials (for logs and the console). */
  readonly location: string;
  /** What the migration on open did (empty when `migrate: false`). */
  readonly migrations: MigrationReport;
  /**
   * How the SQLite file was opened, for a second connection to it (the inbox's writer thread);
   * undefined on PostgreSQL and for `:memory:`, which no second connection can share.
   */
  readonly sqliteFile?: SqliteOpenOptions | undefined;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens the database and, unless told not to, brings its schema up to date. */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const url = options.databaseUrl;
  const dialect: Dialect = url && /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
  let db: Kysely<Database>;
  let location: string;
  let sqliteFile: SqliteOpenOptions | undefined;
  if (dialect === 'postgres' && url) {
    const schema = options.pgSchema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) {
      throw new AppError('config_invalid', `PostgreSQL schema "${schema}" is not a plain name.`);
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.pgPoolSize ?? 10,
      options: `-c search_path=${schema}`,
      // Epoch-ms columns are int8; read them as numbers (exact below 2^53, i.e. until year 287,396).
      types: { getTypeParser: readInt8AsNumber },
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    location = `${redactUrl(url)} (schema ${schema})`;
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    } catch (error) {
      await db.destroy();
      throw new AppError(
        'store_unavailable',
        `Cannot reach PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}. Check DATABASE_URL and that the server is running.`,
        { cause: error },
      );
    }
  } else {
    const path = options.sqlitePath ?? './data/ttsync.db';
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const opened: SqliteOpenOptions = {
      path,
      ...(options.sqliteSynchronous ? { synchronous: options.sqliteSynchronous } : {}),
      ...(options.sqliteBusyTimeoutMs !== undefined
        ? { busyTimeoutMs: options.sqliteBusyTimeoutMs }
        : {}),
    };
    const database = openSqliteDatabase(opened);
    if (path !== ':memory:') sqliteFile = opened;
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    location = path;
  }
  let migrations: MigrationReport = { applied: [], known: [] };
  if (options.migrate !== false) {
    try {
      migrations = await migrateToLatest(db as Kysely<unknown>, dialect);
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  return { db, dialect, location, migrations, sqliteFile, close: () => db.destroy() };
}

/** int8 (OID 20) columns hold epoch ms: read them as numbers, exact below 2^53. */
const INT8_OID = 20;
const readInt8AsNumber = ((oid: number, format?: 'text' | 'binary'): unknown =>
  oid === INT8_OID
    ? (value: string): number => Number(value)
    : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser;

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}
