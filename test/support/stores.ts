/**
 * Runs a suite on both databases (STYLE.md "Tests"): SQLite in a temporary file, and PostgreSQL
 * in a schema of its own named from the test (dropped afterwards). Without a reachable
 * PostgreSQL the PostgreSQL half is skipped with a printed reason, except under `CI=true`,
 * where it fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/database.ts';
import type { Store, StoreOptions } from '../../src/store/database.ts';
import type { Dialect } from '../../src/store/dialect.ts';

/** The PostgreSQL server tests use: `TEST_DATABASE_URL`, else the local one. */
export const TEST_PG_URL =
  process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgReachable: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers, else why not. */
export function postgresProblem(): Promise<string | undefined> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      return `PostgreSQL at ${TEST_PG_URL} is not reachable (${(error as Error).message})`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgReachable;
}

/** Why PostgreSQL suites cannot run here (undefined when they can), checked once at load. */
const PG_PROBLEM = await postgresProblem();

/** A store factory for one dialect; every store it opens is closed and removed by `cleanup`. */
export interface StoreFactory {
  dialect: Dialect;
  /** Opens a fresh, migrated, empty store; `name` makes the PostgreSQL schema recognisable. */
  open(name: string, options?: Partial<StoreOptions>): Promise<Store>;
  /** Opens another store on the same data as `store` (another "process"). */
  reopen(store: Store, options?: Partial<StoreOptions>): Promise<Store>;
  cleanup(): Promise<void>;
}

function schemaName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 40);
  return `t_${slug}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
}

function sqliteFactory(): StoreFactory {
  const dir = mkdtempSync(join(tmpdir(), 'ttsync-test-'));
  const opened: Store[] = [];
  const paths = new Map<Store, string>();
  let n = 0;
  return {
    dialect: 'sqlite',
    async open(name, options = {}) {
      const path = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}-${n++}.db`);
      const store = await openStore({ sqlitePath: path, ...options });
      opened.push(store);
      paths.set(store, path);
      return store;
    },
    async reopen(store, options = {}) {
      const other = await openStore({ sqlitePath: paths.get(store), ...options });
      opened.push(other);
      paths.set(other, paths.get(store) ?? '');
      return other;
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresFactory(): StoreFactory {
  const opened: Store[] = [];
  const schemas = new Map<Store, string>();
  return {
    dialect: 'postgres',
    async open(name, options = {}) {
      const schema = schemaName(name);
      const store = await openStore({ databaseUrl: TEST_PG_URL, pgSchema: schema, ...options });
      opened.push(store);
      schemas.set(store, schema);
      return store;
    },
    async reopen(store, options = {}) {
      const schema = schemas.get(store);
      const other = await openStore({ databaseUrl: TEST_PG_URL, pgSchema: schema, ...options });
      opened.push(other);
      if (schema) schemas.set(other, schema);
      return other;
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        for (const schema of new Set(schemas.values())) {
          await client.query(`drop schema if exists "${schema}" cascade`);
        }
      } finally {
        await client.end();
      }
      schemas.clear();
    },
  };
}

/**
 * Declares `suite` once per dialect, as `describe('<title> [sqlite]')` and `[postgres]`; the
 * factory passed in opens stores of that dialect and cleans up after the suite.
 */
export function describeEachDialect(title: string, suite: (stores: StoreFactory) => void): void {
  void describe(`${title} [sqlite]`, () => {
    const stores = sqliteFactory();
    suite(stores);
    after(() => stores.cleanup());
  });
  void describe(`${title} [postgres]`, () => {
    const problem = PG_PROBLEM;
    if (problem !== undefined) {
      if (process.env['CI'] === 'true') {
        throw new Error(`${problem}; CI=true requires PostgreSQL for the store and queue suites.`);
      }
      // eslint-disable-next-line no-console -- the printed reason the issue asks for
      console.log(`# skipping ${title} [postgres]: ${problem}`);
      return;
    }
    const stores = postgresFactory();
    suite(stores);
    after(() => stores.cleanup());
  });
}
