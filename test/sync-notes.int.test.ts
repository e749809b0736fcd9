/**
 * GHL note → Tenant Turner note and the person's timeline, against both sandboxes over HTTP on
 * both databases: a note of an unlinked contact brings the contact first; create, edit and
 * delete reach Tenant Turner on the extended surface and are kept on ttsync's side on the real
 * one; each writes one timeline entry with GHL's time; a repeat writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Store } from '../src/store/database.ts';
import { ensurePendingLinks, findLinkByGhlId, listChildLinks } from '../src/store/links.ts';
import { syncContact } from '../src/sync/contact-sync.ts';
import { listTimeline, listVersions } from '../src/store/records.ts';
import { syncNote } from '../src/sync/note-sync.ts';
import { routeEvent } from '../src/sync/event-routes.ts';
import { operator } from './support/operator.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

interface TtNoteDto {
  NoteId: number;
  ApplicationId: number;
  Note: string;
  ExternalId: string | null;
}

interface GhlNoteDto {
  id: string;
  body: string;
  dateAdded: string;
}

function ttNotes(boxes: Sandboxes, ghlNoteId: string): TtNoteDto[] {
  return (boxes.ttBox.state()['notes'] as TtNoteDto[]).filter((n) => n.ExternalId === ghlNoteId);
}

async function rows(store: Store, table: 'versions' | 'audit' | 'timeline'): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function counts(store: Store): Promise<number[]> {
  return [await rows(store, 'versions'), await rows(store, 'audit'), await rows(store, 'timeline')];
}

test('note events route to one note-sync job per person, coalescing per note', () => {
  const spec = routeEvent({
    eventId: 'w1',
    eventType: 'NoteUpdate',
    locationId: 'loc',
    payload: JSON.stringify({ type: 'NoteUpdate', id: 'n1', contactId: 'c1', locationId: 'loc' }),
  } as Parameters<typeof routeEvent>[0]);
  assert.deepEqual(spec, {
    name: 'note-sync',
    payload: {
      locationId: 'loc',
      contactId: 'c1',
      noteId: 'n1',
      trigger: 'NoteUpdate',
      eventId: 'w1',
    },
    key: 'person:loc:c1',
    coalesceKey: 'note:n1',
  });
  // The delivery's timestamp travels along: the only GHL time of an edit or a delete.
  const at = '2026-12-01T08:00:00.000Z';
  const stamped = routeEvent({
    eventId: 'w3',
    eventType: 'NoteDelete',
    locationId: 'loc',
    payload: JSON.stringify({ type: 'NoteDelete', id: 'n1', contactId: 'c1', timestamp: at }),
  } as Parameters<typeof routeEvent>[0]);
  assert.equal((stamped as { payload?: { occurredRaw?: string } }).payload?.occurredRaw, at);
  const bad = routeEvent({
    eventId: 'w2',
    eventType: 'NoteCreate',
    locationId: 'loc',
    payload: JSON.stringify({ type: 'NoteCreate', id: 'n1' }),
  } as Parameters<typeof routeEvent>[0]);
  assert.ok(bad && 'invalid' in bad);
});

for (const surface of ['extended', 'real'] as const) {
  describeEachDialect(`note → Tenant Turner note (${surface} surface)`, (stores) => {
    let boxes: Sandboxes;
    before(async () => {
      boxes = await startSandboxes({ surface });
    });
    after(() => boxes.close());

    test('create, edit and delete reach Tenant Turner or the timeline once each', async () => {
      const store = await stores.open(`notes-${surface}`);
      const deps = syncDeps(store, boxes);
      const locationId = boxes.ghlBox.locationId;
      const contact = await boxes.ghl.location(locationId).createContact({
        firstName: 'Nora',
        lastName: `Notes ${surface}`,
        email: `nora.${surface}.${stores.dialect}@example.com`,
        phone: `+1415555${surface === 'real' ? '2' : '3'}${stores.dialect === 'sqlite' ? '001' : '002'}`,
      });
      const { note } = await operator<{ note: GhlNoteDto }>(
        boxes.ghlBox,
        'POST',
        `/__sandbox/contacts/${contact.id}/notes`,
        { body: 'Called about the 2BR on Elm; prefers mornings.' },
      );
      const job = { locationId, contactId: contact.id, noteId: note.id, trigger: 'NoteCreate' };

      // The contact was never synced: the note brings it across first.
      const created = await syncNote(deps, job);
      const person = await findLinkByGhlId(store.db, 'person', locationId, contact.id);
      assert.equal(person?.state, 'active', 'the contact was linked first');
      const [child] = await listChildLinks(store.db, person.id, 'note');
      assert.equal(child?.ghlId, note.id);
      assert.equal(child.state, 'active');
      if (surface === 'extended') {
        assert.equal(created.kind, 'created');
        const [tt] = ttNotes(boxes, note.id);
        assert.equal(tt?.Note, 'Called about the 2BR on Elm; prefers mornings.');
        assert.equal(String(tt.ApplicationId), person.ttId);
        assert.equal(String(tt.NoteId), child.ttId);
      } else {
        assert.deepEqual(created, {
          kind: 'not_applied',
          change: 'note_created',
          reason: 'not applied: Tenant Turner has no notes',
        });
        assert.equal(child.ttId, undefined);
      }
      let timeline = await listTimeline(store.db, child.id);
      assert.equal(timeline.length, 1);
      assert.equal(timeline[0]?.kind, 'note_created');
      assert.equal(timeline[0].source, 'ghl');
      assert.equal(timeline[0].occurredRaw, note.dateAdded);
      assert.equal(timeline[0].occurredAt, Date.parse(note.dateAdded));
      const [version] = await listVersions(store.db, child.id);
      assert.equal(version?.outcome, surface === 'extended' ? 'applied' : 'not_applied');

      // A repeat (a redelivered webhook) writes nothing.
      const before1 = await counts(store);
      assert.deepEqual(await syncNote(deps, { ...job, trigger: 'NoteUpdate' }), {
        kind: 'unchanged',
      });
      assert.deepEqual(await counts(store), before1);

      // An edit: GHL has no dateUpdated, the hash tells.
      await operator(boxes.ghlBox, 'PATCH', `/__sandbox/notes/${note.id}`, {
        body: 'Moved the showing to Friday.',
      });
      const edited = await syncNote(deps, { ...job, trigger: 'NoteUpdate' });
      assert.equal(edited.kind, surface === 'extended' ? 'updated' : 'not_applied');
      if (surface === 'extended') {
        assert.equal(ttNotes(boxes, note.id)[0]?.Note, 'Moved the showing to Friday.');
      }
      const before2 = await counts(store);
      assert.equal((await syncNote(deps, { ...job, trigger: 'NoteUpdate' })).kind, 'unchanged');
      assert.deepEqual(await counts(store), before2);

      // An edit back to the first text is a change too, with its own timeline entry.
      await operator(boxes.ghlBox, 'PATCH', `/__sandbox/notes/${note.id}`, {
        body: 'Called about the 2BR on Elm; prefers mornings.',
      });
      assert.equal(
        (await syncNote(deps, { ...job, trigger: 'NoteUpdate' })).kind,
        surface === 'extended' ? 'updated' : 'not_applied',
      );
      await operator(boxes.ghlBox, 'PATCH', `/__sandbox/notes/${note.id}`, {
        body: 'Moved the showing to Friday.',
      });
      await syncNote(deps, { ...job, trigger: 'NoteUpdate' });

      // A delete.
      await operator(boxes.ghlBox, 'DELETE', `/__sandbox/notes/${note.id}`);
      const deletedAt = new Date().toISOString();
      const removed = await syncNote(deps, {
        ...job,
        trigger: 'NoteDelete',
        occurredRaw: deletedAt,
      });
      assert.equal(removed.kind, surface === 'extended' ? 'deleted' : 'not_applied');
      assert.equal(ttNotes(boxes, note.id).length, 0);
      const gone = await findLinkByGhlId(store.db, 'note', locationId, note.id);
      assert.equal(gone?.state, 'unlinked');
      const before3 = await counts(store);
      assert.equal((await syncNote(deps, { ...job, trigger: 'NoteDelete' })).kind, 'unchanged');
      assert.equal((await syncNote(deps, { ...job, trigger: 'NoteUpdate' })).kind, 'unchanged');
      assert.deepEqual(await counts(store), before3);

      timeline = await listTimeline(store.db, child.id);
      assert.deepEqual(timeline.map((t) => t.kind).sort(), [
        'note_created',
        'note_deleted',
        'note_updated',
        'note_updated',
        'note_updated',
      ]);
      assert.ok(timeline.every((t) => t.source === 'ghl'));
      const deletion = timeline.find((t) => t.kind === 'note_deleted');
      assert.equal(deletion?.occurredRaw, deletedAt, "at the webhook's timestamp");
      assert.equal(deletion.occurredAt, Date.parse(deletedAt));
      if (surface === 'real') {
        assert.ok(timeline.every((t) => t.summary.includes('Tenant Turner has no notes')));
      }
    });
  });
}

describeEachDialect('note → Tenant Turner note, once (extended surface)', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' });
  });
  after(() => boxes.close());

  test('a dropped create response and a crash before the commit make no second note', async () => {
    const store = await stores.open('notes-once');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    const contact = await boxes.ghl.location(locationId).createContact({
      firstName: 'Olga',
      lastName: 'Once',
      email: `olga.once.${stores.dialect}@example.com`,
      phone: `+1415555${stores.dialect === 'sqlite' ? '5001' : '5002'}`,
    });
    const { note } = await operator<{ note: GhlNoteDto }>(
      boxes.ghlBox,
      'POST',
      `/__sandbox/contacts/${contact.id}/notes`,
      { body: 'First words' },
    );
    const job = { locationId, contactId: contact.id, noteId: note.id, trigger: 'NoteCreate' };
    const faults = (body: unknown) => operator(boxes.ttBox, 'POST', '/__sandbox/faults', body);
    await faults({ dropResponses: { 'POST /v1/applications/:applicationId/notes': 1 } });
    const dropped = () =>
      (boxes.ttBox.stats()['afterWrite'] as { dropped: number } | undefined)?.dropped ?? 0;
    const droppedBefore = dropped();
    await syncNote(deps, job).catch(() => undefined);
    assert.ok(dropped() > droppedBefore, 'the create response was dropped');
    await faults({ dropResponses: { 'POST /v1/applications/:applicationId/notes': 0 } });
    const retried = await syncNote(deps, job);
    assert.ok(['created', 'unchanged'].includes(retried.kind), retried.kind);
    assert.equal(ttNotes(boxes, note.id).length, 1);

    // Another process created the TT note, then crashed before its commit: a fresh store whose
    // note link is still pending finds that note by ExternalId and brings its text up to date.
    const crashed = await stores.open('notes-crashed');
    await operator(boxes.ghlBox, 'PATCH', `/__sandbox/notes/${note.id}`, { body: 'Second words' });
    const outcome = await syncNote(syncDeps(crashed, boxes), { ...job, trigger: 'NoteUpdate' });
    assert.equal(outcome.kind, 'created', 'new to this store, linked to the existing note');
    const notes = ttNotes(boxes, note.id);
    assert.equal(notes.length, 1);
    assert.equal(notes[0]?.Note, 'Second words');

    // A crash left the note link pending (no TT id); the delete finds the note by ExternalId.
    const pending = await stores.open('notes-pending');
    const pendingDeps = syncDeps(pending, boxes);
    await syncContact(pendingDeps, { locationId, contactId: contact.id, trigger: 'ContactCreate' });
    const person = await findLinkByGhlId(pending.db, 'person', locationId, contact.id);
    assert.ok(person);
    await ensurePendingLinks(
      pending.db,
      'note',
      [{ locationId, ghlId: note.id, parentId: person.id }],
      Date.now(),
    );
    await operator(boxes.ghlBox, 'DELETE', `/__sandbox/notes/${note.id}`);
    const removed = await syncNote(pendingDeps, { ...job, trigger: 'NoteDelete' });
    assert.equal(removed.kind, 'deleted');
    assert.equal(ttNotes(boxes, note.id).length, 0);
  });
});
