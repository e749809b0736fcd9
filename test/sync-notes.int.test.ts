/**
 * GHL note → Tenant Turner note and the person's timeline, against both sandboxes over HTTP on
 * both databases: a note of an unlinked contact brings the contact first; create, edit and
 * delete reach Tenant Turner on the extended surface and are kept on ttsync's side on the real
 * one; each writes one timeline entry with GHL's time; a repeat writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Store } from '../src/store/database.ts';
import { findLinkByGhlId, listChildLinks } from '../src/store/links.ts';
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

      // A delete.
      await operator(boxes.ghlBox, 'DELETE', `/__sandbox/notes/${note.id}`);
      const removed = await syncNote(deps, { ...job, trigger: 'NoteDelete' });
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
      ]);
      assert.ok(timeline.every((t) => t.source === 'ghl'));
      if (surface === 'real') {
        assert.ok(timeline.every((t) => t.summary.includes('Tenant Turner has no notes')));
      }
    });
  });
}
