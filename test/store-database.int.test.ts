/**
 * Opening the store on both dialects: migrations apply once, a second opener (another process)
 * finds the schema current, and every table of ARCHITECTURE.md §4 exists and round-trips times.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { describeEachDialect } from './support/stores.ts';

const TABLES = [
  'connections',
  'locks',
  'links',
  'snapshots',
  'versions',
  'provenance',
  'inbox',
  'cursors',
  'timeline',
  'audit',
  'jobs',
];

describeEachDialect('store database', (stores) => {
  test('migrates a new database once; openers after it find nothing to do', async () => {
    const store = await stores.open('migrate-once');
    assert.ok(store.migrations.known.length >= 1);
    assert.deepEqual(store.migrations.applied, store.migrations.known, 'all applied, in order');
    const [again, third] = await Promise.all([stores.reopen(store), stores.reopen(store)]);
    assert.deepEqual(again.migrations.applied, []);
    assert.deepEqual(third.migrations.applied, []);
    assert.deepEqual(again.migrations.known, store.migrations.known);
  });

  test('has every table, and epoch-ms times come back as exact numbers', async () => {
    const store = await stores.open('tables');
    // Queried by name in the store's own schema (introspection would also list other schemas).
    for (const table of TABLES) {
      const { rows } = await sql<{
        n: number;
      }>`select count(*) as n from ${sql.table(table)}`.execute(store.db);
      assert.equal(Number(rows[0]?.n), 0, `table ${table} exists and is empty`);
    }
    const at = Date.UTC(2026, 10, 28, 12, 34, 56, 789);
    await store.db
      .insertInto('cursors')
      .values({ stream: 's', value: 'v', tie_break: '[]', page_token: null, updated_at: at })
      .execute();
    const row = await store.db.selectFrom('cursors').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.updated_at, at);
    assert.equal(typeof row.updated_at, 'number');
  });

  test('a unique key refuses the second insert and a transaction rolls back as a whole', async () => {
    const store = await stores.open('unique');
    const event = {
      provider: 'ghl' as const,
      event_id: 'evt-1',
      event_type: 'ContactCreate',
      location_id: 'loc',
      received_at: 1,
      payload: '{}',
      status: 'received',
      error: null,
    };
    await store.db.insertInto('inbox').values(event).execute();
    await assert.rejects(store.db.insertInto('inbox').values(event).execute());
    await assert.rejects(
      store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('inbox')
          .values({ ...event, event_id: 'evt-2' })
          .execute();
        await sql`select * from no_such_table`.execute(trx);
      }),
    );
    const ids = await store.db.selectFrom('inbox').select('event_id').execute();
    assert.deepEqual(
      ids.map((r) => r.event_id),
      ['evt-1'],
    );
  });
});
