/**
 * The inbox's group-commit writer on both dialects; on a SQLite file it commits from a thread
 * of its own (src/store/inbox-thread.ts) while the main connection goes on, so the two
 * connections must take turns without losing or doubling a row.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InboxWriter, recordInboundEvent } from '../src/store/inbox.ts';
import type { InboundEvent } from '../src/store/inbox.ts';
import { describeEachDialect } from './support/stores.ts';

function event(id: string): InboundEvent {
  return {
    provider: 'ghl',
    eventId: id,
    eventType: 'ContactCreate',
    locationId: 'loc',
    payload: JSON.stringify({ webhookId: id }),
    receivedAt: 1,
  };
}

describeEachDialect('InboxWriter', (stores) => {
  test('concurrent deliveries: each stored once, copies answered as duplicates', async () => {
    const store = await stores.open('inbox-writer');
    const inbox = new InboxWriter(store.db, { sqliteFile: store.sqliteFile, maxBatch: 64 });
    try {
      assert.equal(store.sqliteFile !== undefined, store.dialect === 'sqlite', 'a file on SQLite');
      // 300 events, each delivered twice in the same burst, plus one already stored.
      assert.equal(await inbox.record(event('evt-0')), 'stored');
      const ids = Array.from({ length: 300 }, (_, i) => `evt-${i}`);
      const outcomes = await Promise.all(
        [...ids, ...ids].map(async (id) => [id, await inbox.record(event(id))] as const),
      );
      const storedIds = outcomes.filter(([, o]) => o === 'stored').map(([id]) => id);
      assert.equal(storedIds.length, 299, 'every event but the one stored before, once');
      assert.equal(new Set(storedIds).size, 299);
      assert.ok(!storedIds.includes('evt-0'));
      const rows = await store.db.selectFrom('inbox').select('event_id').execute();
      assert.deepEqual(rows.map((r) => r.event_id).sort(), [...ids].sort());
    } finally {
      await inbox.close();
    }
  });

  // Without IMMEDIATE transactions this test does not pass (the main connection's write finds
  // a newer snapshot); the timeout turns such a regression into a failure rather than a hang.
  test(
    'takes turns with a transaction open on the main connection; close waits for writes',
    { timeout: 30_000 },
    async () => {
      const store = await stores.open('inbox-writer-turns');
      const inbox = new InboxWriter(store.db, { sqliteFile: store.sqliteFile });
      let recorded: Promise<'stored' | 'duplicate'>[] = [];
      // The writer thread is started (and its module loaded) by the first write.
      assert.equal(await inbox.record(event('first')), 'stored');
      // A main-connection transaction that reads, lets webhooks be recorded meanwhile, then
      // writes: on SQLite it began IMMEDIATE, so the writer thread waits instead of making this
      // transaction fail with SQLITE_BUSY_SNAPSHOT.
      await store.db.transaction().execute(async (trx) => {
        await trx.selectFrom('inbox').select('id').execute();
        recorded = Array.from({ length: 20 }, (_, i) => inbox.record(event(`during-${i}`)));
        await new Promise((resolve) => setTimeout(resolve, 300));
        await recordInboundEvent(trx, event('from-main'));
      });
      const later = inbox.record(event('just-before-close'));
      await inbox.close();
      assert.deepEqual(await Promise.all(recorded), Array(20).fill('stored'));
      assert.equal(await later, 'stored');
      const count = await store.db
        .selectFrom('inbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 23);
    },
  );
});
