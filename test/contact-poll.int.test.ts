/**
 * The incremental contact poll against both sandboxes (in process), on both databases: a change
 * made in GHL without a webhook is picked up by the next poll; a poll with nothing new writes
 * nothing and calls Tenant Turner not at all; contacts sharing a `dateUpdated` (across a page
 * boundary, and one arriving later at the cursor's value) are each synced exactly once; a
 * poll whose search comes back empty deletes and unlinks nothing; and a first poll that finds
 * nothing saves its start, so a change made before the next poll's lookback is still found.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import type { JobQueue } from '../src/queue/index.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { getCursor } from '../src/store/cursors.ts';
import type { Store } from '../src/store/database.ts';
import { findLinkByGhlId } from '../src/store/links.ts';
import { pollContacts, pollStream } from '../src/sync/contact-poll.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

interface TtLeadDto {
  ExternalId: string;
  LastName: string;
}

function leadsOf(boxes: Sandboxes, contactId: string): TtLeadDto[] {
  return (boxes.ttBox.state()['leads'] as TtLeadDto[]).filter((l) => l.ExternalId === contactId);
}

async function newContact(boxes: Sandboxes, n: number) {
  return boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Poll',
    lastName: `Person ${n}`,
    email: `poll.${n}@example.com`,
    phone: `+1415556${String(1000 + n).slice(-4)}`,
  });
}

/** Rows in the tables a sync writes, and the poll cursor's last write. */
async function footprint(store: Store, stream: string): Promise<unknown[]> {
  const counts = [];
  for (const table of ['versions', 'audit', 'timeline', 'links', 'snapshots'] as const) {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts.push(Number(row.n));
  }
  return [...counts, (await getCursor(store.db, stream))?.updatedAt];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDialect('contact poll', (stores) => {
  let boxes: Sandboxes;
  beforeEach(async () => {
    boxes = await startSandboxes({}, 0);
  });
  afterEach(() => boxes.close());

  test('a contact created, then changed, in GHL without a webhook is picked up by the next poll', async () => {
    const store = await stores.open('poll-change');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    const first = await pollContacts(deps, { locationId });
    assert.equal(first.seen, 0);
    assert.equal(first.calls, 1);
    const start = await getCursor(store.db, pollStream(locationId));
    assert.deepEqual(start?.tieBreak, [], 'the first poll saves where it started');

    const contact = await newContact(boxes, 1);
    const created = await pollContacts(deps, { locationId });
    assert.equal(created.outcomes.created, 1);
    assert.equal(leadsOf(boxes, contact.id).length, 1);
    const link = await findLinkByGhlId(store.db, 'person', locationId, contact.id);
    assert.equal(link?.state, 'active');
    const cursor = await getCursor(store.db, pollStream(locationId));
    assert.deepEqual(cursor?.tieBreak, [contact.id]);

    await pause(5); // a later millisecond than the create
    await boxes.ghl.location(locationId).updateContact(contact.id, { lastName: 'Changed' });
    const changed = await pollContacts(deps, { locationId });
    assert.equal(changed.outcomes.updated, 1, JSON.stringify(changed));
    assert.equal(leadsOf(boxes, contact.id)[0]?.LastName, 'Changed');
    assert.ok(
      Number((await getCursor(store.db, pollStream(locationId)))?.value) > Number(cursor?.value),
    );
  });

  test('a second poll with nothing new makes no writes and no Tenant Turner calls', async () => {
    const store = await stores.open('poll-idle');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    await newContact(boxes, 2);
    await newContact(boxes, 3);
    const first = await pollContacts(deps, { locationId });
    assert.equal(first.outcomes.created, 2);
    const before = await footprint(store, pollStream(locationId));
    const ttBefore = JSON.stringify(boxes.ttBox.stats()['requests']);

    await pause(5);
    const again = await pollContacts(deps, { locationId });
    assert.equal(again.seen, 2, 'the lookback searches the same contacts again');
    const synced = Object.values(again.outcomes).reduce((a, b) => a + b, 0);
    assert.ok(again.alreadySeen >= 1);
    assert.equal(again.outcomes.created + again.outcomes.updated, 0, JSON.stringify(again));
    assert.equal(synced + again.alreadySeen, 2);
    assert.deepEqual(await footprint(store, pollStream(locationId)), before);
    assert.equal(JSON.stringify(boxes.ttBox.stats()['requests']), ttBefore);
  });

  test('contacts sharing a dateUpdated, across a page boundary and at the cursor, sync once each', async () => {
    const store = await stores.open('poll-ties');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      const a = await newContact(boxes, 4);
      const b = await newContact(boxes, 5);
      const paged = await pollContacts(deps, { locationId, pageLimit: 1 });
      assert.equal(paged.pages, 2);
      assert.equal(paged.outcomes.created, 2);
      const cursor = await getCursor(store.db, pollStream(locationId));
      assert.deepEqual(cursor?.tieBreak, [a.id, b.id].sort());

      // A third contact at the very same millisecond, after the cursor was saved.
      const c = await newContact(boxes, 6);
      const later = await pollContacts(deps, { locationId, pageLimit: 1 });
      assert.equal(later.outcomes.created, 1);
      assert.equal(later.alreadySeen, 2);
      assert.equal(later.pages, 3);
      for (const contact of [a, b, c]) assert.equal(leadsOf(boxes, contact.id).length, 1);
      const ties = await getCursor(store.db, pollStream(locationId));
      assert.deepEqual(ties?.tieBreak, [a.id, b.id, c.id].sort());
      assert.equal(ties?.value, cursor?.value);

      const idle = await pollContacts(deps, { locationId, pageLimit: 1 });
      assert.equal(idle.alreadySeen, 3);
      assert.equal(idle.outcomes.created, 0);
    } finally {
      mock.timers.reset();
    }
  });

  test('a contact updated between two pages of a poll shifts no other contact out of it', async () => {
    const store = await stores.open('poll-shift');
    const locationId = boxes.ghlBox.locationId;
    const contacts: { id: string }[] = [];
    for (const n of [9, 10, 11, 12]) {
      contacts.push(await newContact(boxes, n));
      await pause(3);
    }
    let updated = false;
    const touchFirst = async (): Promise<void> => {
      if (updated) return;
      updated = true;
      await boxes.ghl
        .location(locationId)
        .updateContact(contacts[0]?.id ?? '', { lastName: 'Moved' });
    };
    // After each page is consumed, the first contact changes once (moving to the end of the order).
    const ghl = new Proxy(boxes.ghl, {
      get(target, prop) {
        if (prop !== 'location') return Reflect.get(target, prop, target) as unknown;
        return (id: string, lane?: Parameters<typeof target.location>[1]) => {
          const client = target.location(id, lane);
          const search = client.searchContactPages.bind(client);
          client.searchContactPages = async function* (options) {
            for await (const page of search(options)) {
              yield page;
              await touchFirst();
            }
          };
          return client;
        };
      },
    });
    const deps = { ...syncDeps(store, boxes), ghl };
    const result = await pollContacts(deps, { locationId, pageLimit: 2 });
    assert.equal(result.outcomes.created, 4, JSON.stringify(result));
    assert.equal(result.outcomes.updated, 1, 'the moved contact is synced again at the end');
    for (const contact of contacts) {
      const link = await findLinkByGhlId(store.db, 'person', locationId, contact.id);
      assert.equal(link?.state, 'active', contact.id);
      assert.equal(leadsOf(boxes, contact.id).length, 1);
    }
  });

  test('a contact that fails goes to the job queue and the cursor moves past it', async () => {
    const store = await stores.open('poll-failed');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    const contact = await newContact(boxes, 8);
    const faults = (rate: number) =>
      fetch(`${boxes.ttBox.url}/__sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errorRates: { 'POST /v1/applications': rate } }),
      });
    const enqueued: { name: string; payload: unknown; key: string }[] = [];
    const queue = {
      enqueue: (name: string, payload: unknown, options: { key: string }) => {
        enqueued.push({ name, payload, key: options.key });
        return Promise.resolve({ id: String(enqueued.length) });
      },
    } as unknown as JobQueue;
    await faults(1);
    try {
      await assert.rejects(pollContacts(deps, { locationId }), 'without a queue the poll stops');
      assert.equal(await getCursor(store.db, pollStream(locationId)), undefined);
      const handed = await pollContacts(deps, { locationId, queue });
      assert.equal(handed.outcomes.failed, 1);
    } finally {
      await faults(0);
    }
    assert.deepEqual(
      enqueued.map((job) => [job.name, job.payload]),
      [['contact-sync', { locationId, contactId: contact.id, trigger: 'poll' }]],
    );
    assert.deepEqual((await getCursor(store.db, pollStream(locationId)))?.tieBreak, [contact.id]);
    const next = await pollContacts(deps, { locationId, queue });
    assert.equal(next.alreadySeen, 1);
    assert.equal(enqueued.length, 1);
  });

  test('an empty search deletes and unlinks nothing', async () => {
    const store = await stores.open('poll-empty');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    const contact = await newContact(boxes, 7);
    await pollContacts(deps, { locationId });
    await boxes.ghl.location(locationId).deleteContact(contact.id);
    const before = await footprint(store, pollStream(locationId));

    const empty = await pollContacts(deps, { locationId });
    assert.equal(empty.seen, 0);
    assert.equal(empty.pages, 0);
    const link = await findLinkByGhlId(store.db, 'person', locationId, contact.id);
    assert.equal(link?.state, 'active');
    assert.equal(leadsOf(boxes, contact.id).length, 1);
    assert.deepEqual(await footprint(store, pollStream(locationId)), before);
  });

  test('a first poll that finds nothing makes the next one read from its start, not from its own now', async () => {
    const store = await stores.open('poll-first-empty');
    const clock = new ManualClock(Date.now() - 1_000);
    const deps = { ...syncDeps(store, boxes), clock };
    const locationId = boxes.ghlBox.locationId;
    const empty = await pollContacts(deps, { locationId, lookbackMs: 0 });
    assert.equal(empty.seen, 0);
    assert.equal(empty.cursor, clock.now());
    const contact = await newContact(boxes, 13);
    await clock.advance(10 * 60_000); // the next poll comes long after the contact changed
    const next = await pollContacts(deps, { locationId, lookbackMs: 0 });
    assert.equal(next.outcomes.created, 1, JSON.stringify(next));
    assert.equal(leadsOf(boxes, contact.id).length, 1);
  });
});
