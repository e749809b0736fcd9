/**
 * Kysely's SQLite dialect talks to a better-sqlite3-shaped database; this adapts Node's built-in
 * `node:sqlite` (`DatabaseSync`) to the subset Kysely calls (kysely
 * `src/dialect/sqlite/sqlite-dialect-config.ts`: `prepare`, `close`, and a statement's `reader`,
 * `all`, `run`, `iterate`), so ttsync needs no native addon.
 */
import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** How a SQLite file is opened. */
export interface SqliteOpenOptions {
  /** File path, or `:memory:`. */
  path: string;
  /**
   * `FULL` (default) fsyncs the WAL at every commit, so a committed row survives power loss:
   * what "stored before the 200" means for webhooks. `NORMAL` is faster and survives a process
   * crash but not a power cut.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a writer waits for another process's lock before SQLITE_BUSY; default 5,000 ms. */
  busyTimeoutMs?: number;
}

/** Opens a SQLite file in WAL mode with foreign keys on, and wraps it for Kysely. */
export function openSqliteDatabase(options: SqliteOpenOptions): SqliteDatabase {
  const db = new DatabaseSync(options.path);
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
  if (options.path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.exec('PRAGMA foreign_keys = ON');
  return new NodeSqliteDatabase(db);
}

/** Prepared statements kept per database: Kysely prepares every query it runs. */
const STATEMENT_CACHE_SIZE = 256;

class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, NodeSqliteStatement>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  prepare(text: string): SqliteStatement {
    // Transactions take the write lock when they begin. With Kysely's plain `begin`, a
    // transaction that reads first and writes later fails with SQLITE_BUSY_SNAPSHOT (no wait,
    // no retry) when another connection (the inbox's writer thread, another ttsync process)
    // committed in between; `begin immediate` waits its turn under the busy timeout instead.
    const sql = text === 'begin' ? 'begin immediate' : text;
    // Compiling SQL costs more than running most of ttsync's statements, so compiled statements
    // are reused (Kysely runs one statement at a time per connection, so sharing is safe).
    let statement = this.#statements.get(sql);
    if (statement) {
      this.#statements.delete(sql);
    } else {
      statement = new NodeSqliteStatement(this.#db.prepare(sql));
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next();
        if (!oldest.done) this.#statements.delete(oldest.value);
      }
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  close(): void {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}

class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #statement: StatementSync;

  constructor(statement: StatementSync) {
    this.#statement = statement;
    // A statement that returns columns is a reader (SELECT, or a write with RETURNING).
    this.reader = statement.columns().length > 0;
  }

  all(parameters: readonly unknown[]): unknown[] {
    return this.#statement.all(...toInputs(parameters));
  }

  run(parameters: readonly unknown[]): {
    changes: number | bigint;
    lastInsertRowid: number | bigint;
  } {
    return this.#statement.run(...toInputs(parameters));
  }

  iterate(parameters: readonly unknown[]): IterableIterator<unknown> {
    return this.#statement.iterate(...toInputs(parameters));
  }
}

/** node:sqlite binds null, numbers, bigints, strings and bytes; booleans become 0/1. */
function toInputs(parameters: readonly unknown[]): SQLInputValue[] {
  return parameters.map((value) => {
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Date) return value.toISOString();
    return value as SQLInputValue;
  });
}
