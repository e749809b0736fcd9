/**
 * Note webhooks through the inbox, the dispatcher and the job queue (both databases): a stored
 * NoteCreate becomes a `note-sync` job that links the contact first and creates the Tenant
 * Turner note; a redelivery changes nothing; a NoteDelete removes the note.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../src/shared/logger.ts';
import { systemClock } from '../src/shared/clock.ts';
import { recordInboundEvent } from '../src/store/inbox.ts';
import { findLinkByGhlId } from '../src/store/links.ts';
import { InboxDispatcher } from '../src/sync/dispatcher.ts';
import { registerSyncHandlers } from '../src/sync/jobs.ts';
import { personTimeline } from '../src/sync/timeline-view.ts';
import { operator } from './support/operator.ts';
import { QueueHarness } from './support/queue-harness.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

interface GhlNoteDto {
  id: string;
  body: string;
  contactId: string;
  dateAdded: string;
}

describeEachDialect('note webhooks through the queue', (stores) => {
  let boxes: Sandboxes;
  const harness = new QueueHarness();
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' });
  });
  after(async () => {
    await harness.stopAll();
    await boxes.close();
  });

  test('NoteCreate, its redelivery and NoteDelete run as note-sync jobs', async () => {
    const store = await stores.open('notes-queue');
    const queue = harness.open(store);
    registerSyncHandlers(queue, syncDeps(store, boxes));
    await queue.start();
    const dispatcher = new InboxDispatcher({
      db: store.db,
      queue,
      clock: systemClock,
      logger: silentLogger,
    });
    const locationId = boxes.ghlBox.locationId;
    const contact = await boxes.ghl.location(locationId).createContact({
      firstName: 'Quinn',
      lastName: 'Queue',
      email: `quinn.queue.${stores.dialect}@example.com`,
      phone: `+1415555${stores.dialect === 'sqlite' ? '6001' : '6002'}`,
    });
    const { note } = await operator<{ note: GhlNoteDto }>(
      boxes.ghlBox,
      'POST',
      `/__sandbox/contacts/${contact.id}/notes`,
      { body: 'Asked about pets' },
    );
    let webhooks = 0;
    const deliver = async (type: string): Promise<void> => {
      webhooks += 1;
      const body = { type, locationId, id: note.id, contactId: contact.id, body: note.body };
      await recordInboundEvent(store.db, {
        provider: 'ghl',
        eventId: `wh-${stores.dialect}-${webhooks}`,
        eventType: type,
        locationId,
        payload: JSON.stringify({ ...body, dateAdded: note.dateAdded }),
        receivedAt: Date.now(),
      });
      assert.equal(await dispatcher.dispatchOnce(), 1);
      await harness.outcomes.wait(
        (o) => o.name === 'note-sync' && o.outcome === 'completed',
        `note-sync job ${webhooks}`,
        webhooks,
      );
    };
    const ttNotes = () =>
      (boxes.ttBox.state()['notes'] as { ExternalId: string | null; Note: string }[]).filter(
        (n) => n.ExternalId === note.id,
      );

    await deliver('NoteCreate');
    const person = await findLinkByGhlId(store.db, 'person', locationId, contact.id);
    assert.equal(person?.state, 'active', 'the contact was linked by the note job');
    assert.deepEqual(
      ttNotes().map((n) => n.Note),
      ['Asked about pets'],
    );

    await deliver('NoteCreate');
    assert.equal(ttNotes().length, 1, 'a redelivery makes no second note');

    await operator(boxes.ghlBox, 'DELETE', `/__sandbox/notes/${note.id}`);
    await deliver('NoteDelete');
    assert.equal(ttNotes().length, 0);

    const timeline = await personTimeline(store.db, contact.id);
    assert.deepEqual(timeline?.rows.map((r) => r.kind).sort(), [
      'lead_created',
      'note_created',
      'note_deleted',
    ]);
  });
});
