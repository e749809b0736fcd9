/**
 * Inbox retention (both databases): dispatched events older than the retention are deleted,
 * in batches, by the dispatcher while it is idle; events that failed or were deferred, events
 * not dispatched yet and recent ones stay. With no retention nothing is deleted.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ManualClock, systemClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import type { Store } from '../src/store/database.ts';
import { pruneInbox, recordInboundEvent, setInboxStatus } from '../src/store/inbox.ts';
import type { InboxStatus } from '../src/store/inbox.ts';
import { InboxDispatcher } from '../src/sync/dispatcher.ts';
import { QueueHarness } from './support/queue-harness.ts';
import { describeEachDialect } from './support/stores.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29);

/** Stores `count` events received at `receivedAt` and moves them to `status`. */
async function events(
  store: Store,
  tag: string,
  count: number,
  receivedAt: number,
  status: InboxStatus,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    await recordInboundEvent(store.db, {
      provider: 'ghl',
      eventId: `${tag}-${i}`,
      eventType: 'ContactUpdate',
      locationId: 'loc',
      payload: '{}',
      receivedAt,
    });
  }
  const rows = await store.db
    .selectFrom('inbox')
    .select('id')
    .where('event_id', 'like', `${tag}-%`)
    .execute();
  await setInboxStatus(
    store.db,
    rows.map((row) => row.id),
    status,
  );
}

/** What is left, as `tag:status` → count. */
async function left(store: Store): Promise<Record<string, number>> {
  const rows = await store.db.selectFrom('inbox').select(['event_id', 'status']).execute();
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const key = `${row.event_id.replace(/-\d+$/, '')}:${row.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describeEachDialect('inbox retention', (stores) => {
  const harness = new QueueHarness();
  after(() => harness.stopAll());

  test('only dispatched events older than the cutoff are deleted, oldest first', async () => {
    const store = await stores.open('inbox-prune');
    await events(store, 'old-enqueued', 5, NOW - 40 * DAY, 'enqueued');
    await events(store, 'old-failed', 2, NOW - 40 * DAY, 'failed');
    await events(store, 'old-deferred', 2, NOW - 40 * DAY, 'deferred');
    await events(store, 'old-received', 2, NOW - 40 * DAY, 'received');
    await events(store, 'new-enqueued', 3, NOW - DAY, 'enqueued');

    assert.equal(await pruneInbox(store.db, NOW - 30 * DAY, 3), 3, 'a batch at most');
    assert.equal(await pruneInbox(store.db, NOW - 30 * DAY, 3), 2);
    assert.equal(await pruneInbox(store.db, NOW - 30 * DAY, 3), 0);
    assert.deepEqual(await left(store), {
      'old-failed:failed': 2,
      'old-deferred:deferred': 2,
      'old-received:received': 2,
      'new-enqueued:enqueued': 3,
    });
  });

  test('the dispatcher prunes past the retention in batches, and not without one', async () => {
    const store = await stores.open('inbox-prune-dispatcher');
    await events(store, 'old', 1_203, NOW - 31 * DAY, 'enqueued');
    await events(store, 'recent', 4, NOW - 29 * DAY, 'enqueued');
    const queue = harness.open(store);
    const clock = new ManualClock(NOW);
    const keeping = new InboxDispatcher({ db: store.db, queue, clock, logger: silentLogger });
    assert.deepEqual(await keeping.prune(), { deleted: 0, done: true }, 'no retention');

    const pruning = new InboxDispatcher({
      db: store.db,
      queue,
      clock,
      logger: silentLogger,
      retentionMs: 30 * DAY,
      roundIntervalMs: 0,
    });
    let settled = false;
    const pruned = pruning.prune().finally(() => (settled = true));
    // Three batches of at most 500, with a pause on the manual clock between them.
    while (!settled) {
      await clock.advance(0);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(clock.sleeps.length, 2, 'a pause between batches');
    assert.deepEqual(await pruned, { deleted: 1_203, done: true });
    assert.deepEqual(await left(store), { 'recent:enqueued': 4 });
  });

  test('webhooks arriving cut a pruning pass short; the next one goes on', async () => {
    const store = await stores.open('inbox-prune-wake');
    await events(store, 'old', 600, NOW - 31 * DAY, 'enqueued');
    const pruning = new InboxDispatcher({
      db: store.db,
      queue: harness.open(store),
      clock: new ManualClock(NOW),
      logger: silentLogger,
      retentionMs: 30 * DAY,
    });
    pruning.wake();
    assert.deepEqual(await pruning.prune(), { deleted: 500, done: false });
    assert.deepEqual(await pruning.prune(), { deleted: 100, done: true });
    assert.deepEqual(await left(store), {});
  });

  test('a running dispatcher prunes while idle', async () => {
    const store = await stores.open('inbox-prune-running');
    const now = Date.now();
    await events(store, 'expired', 3, now - 2 * DAY, 'enqueued');
    await events(store, 'kept', 2, now, 'enqueued');
    const dispatcher = new InboxDispatcher({
      db: store.db,
      queue: harness.open(store),
      clock: systemClock,
      logger: silentLogger,
      retentionMs: DAY,
      idleMs: 20,
    });
    dispatcher.start();
    try {
      const deadline = Date.now() + 10_000;
      while (JSON.stringify(await left(store)) !== JSON.stringify({ 'kept:enqueued': 2 })) {
        assert.ok(Date.now() < deadline, `not pruned: ${JSON.stringify(await left(store))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await dispatcher.stop();
    }
  });
});
