/**
 * Notes end to end: `ttsync serve` and both sandboxes as processes over HTTP, on both Tenant
 * Turner surfaces. A note created, edited and deleted by the GHL user (the sandbox's operator
 * endpoints, which send NoteCreate, NoteUpdate and NoteDelete) follows on Tenant Turner where it
 * has notes (extended), is written nowhere there where it has none (real), and shows in
 * `ttsync timeline` in order, the creation at GHL's own `dateAdded`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  childTimelineReaches,
  contactWithLead,
  ghlOperator,
  startChildStack,
  timelineOf,
  ttRecordOf,
  ttState,
  webhookTimestamp,
} from './support/children-e2e.ts';
import type { ChildStack } from './support/children-e2e.ts';

interface TtNote {
  NoteId: number;
  ApplicationId: number;
  Note: string;
  ExternalId: string | null;
}

interface GhlNote {
  id: string;
  body: string;
  dateAdded: string;
}

const NO_NOTES = '(not applied: Tenant Turner has no notes)';

for (const surface of ['extended', 'real'] as const) {
  describe(`notes end to end (${surface} surface)`, () => {
    let stack: ChildStack;
    before(async () => {
      stack = await startChildStack(surface);
    });
    after(() => stack.close());

    test('a note created, edited and deleted in GHL: Tenant Turner and the timeline follow', async () => {
      const { contactId, email, leadId } = await contactWithLead(stack, 'Nora', 1);
      const noteOf = () => ttRecordOf<TtNote>(stack, 'notes', note.id);

      const { note } = await ghlOperator<{ note: GhlNote }>(
        stack,
        'POST',
        `/__sandbox/contacts/${contactId}/notes`,
        { body: 'Asked about parking' },
      );
      assert.deepEqual(await childTimelineReaches(stack, 'note', note.id, 1), ['note_created']);
      const ttNote = await noteOf();
      if (surface === 'extended') {
        assert.equal(ttNote?.Note, 'Asked about parking');
        assert.equal(ttNote.ApplicationId, leadId);
      } else {
        assert.equal(ttNote, undefined);
      }

      await ghlOperator(stack, 'PATCH', `/__sandbox/notes/${note.id}`, {
        body: 'Asked about parking and pets',
      });
      assert.deepEqual(await childTimelineReaches(stack, 'note', note.id, 2), [
        'note_created',
        'note_updated',
      ]);
      if (surface === 'extended') {
        const edited = await noteOf();
        assert.equal(edited?.Note, 'Asked about parking and pets');
        assert.equal(edited.NoteId, ttNote?.NoteId, 'the same Tenant Turner note, edited');
      }

      await ghlOperator(stack, 'DELETE', `/__sandbox/notes/${note.id}`);
      assert.deepEqual(await childTimelineReaches(stack, 'note', note.id, 3), [
        'note_created',
        'note_updated',
        'note_deleted',
      ]);
      assert.equal(await noteOf(), undefined, 'no Tenant Turner note left');
      if (surface === 'real') {
        const { notes } = await ttState<{ notes: TtNote[] }>(stack);
        assert.deepEqual(notes, [], 'nothing was written to Tenant Turner');
      }

      const { header, lines } = await timelineOf(stack, email);
      assert.match(
        header,
        new RegExp(
          `^Timeline of GHL contact ${contactId} \\(Tenant Turner lead ${leadId}, active\\)`,
        ),
      );
      assert.equal(lines[0]?.kind, 'lead_created', 'the person comes first');
      const notes = lines.filter((l) => l.kind.startsWith('note_'));
      assert.deepEqual(
        notes.map((l) => l.kind),
        ['note_created', 'note_updated', 'note_deleted'],
      );
      const [created, edited, removed] = notes;
      assert.equal(created?.when, note.dateAdded, "the creation at GHL's own dateAdded");
      // GHL gives an edit or a delete no time of its own but the delivery's timestamp.
      assert.equal(edited?.when, webhookTimestamp(stack, 'NoteUpdate', note.id));
      assert.equal(removed?.when, webhookTimestamp(stack, 'NoteDelete', note.id));
      assert.equal(created.source, 'ghl');
      assert.match(created.summary, /^Note added in GHL: Asked about parking/);
      assert.match(edited?.summary ?? '', /^Note edited in GHL: Asked about parking and pets/);
      assert.match(removed?.summary ?? '', /^Note deleted in GHL/);
      for (const line of notes) {
        assert.equal(line.summary.includes(NO_NOTES), surface === 'real', line.summary);
      }
      const times = lines.map((l) => Date.parse(l.when));
      assert.ok(
        times.every((t) => !Number.isNaN(t)),
        'every line starts with its time',
      );
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        'oldest first',
      );
    });
  });
}
