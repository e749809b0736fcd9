/**
 * `ttsync timeline <email|contactId>`: a store with a synced contact and a synced note; the
 * timeline function (both databases) and the command as a process (SQLite in TTSYNC_DATA_DIR)
 * find the person by contact id or email and list the entries oldest first, with GHL's
 * original timestamps.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../src/store/database.ts';
import type { Store } from '../src/store/database.ts';
import { syncContact } from '../src/sync/contact-sync.ts';
import { syncNote } from '../src/sync/note-sync.ts';
import { personTimeline } from '../src/sync/timeline-view.ts';
import { operator } from './support/operator.ts';
import { runTtsync } from './support/processes.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

let boxes: Sandboxes;
before(async () => {
  boxes = await startSandboxes({ surface: 'extended' });
});
after(() => boxes.close());

/** Syncs a new contact and one note of theirs into `store`; the contact id, email, note time. */
async function seed(store: Store, n: number) {
  const deps = syncDeps(store, boxes);
  const locationId = boxes.ghlBox.locationId;
  const email = `tim.line${n}@example.com`;
  const contact = await boxes.ghl.location(locationId).createContact({
    firstName: 'Tim',
    lastName: `Line ${n}`,
    email: email.toUpperCase(),
    phone: `+1415555${String(4000 + n)}`,
  });
  await syncContact(deps, { locationId, contactId: contact.id, trigger: 'ContactCreate' });
  const { note } = await operator<{ note: { id: string; dateAdded: string } }>(
    boxes.ghlBox,
    'POST',
    `/__sandbox/contacts/${contact.id}/notes`,
    { body: `Wants a viewing, note ${n}` },
  );
  await syncNote(deps, {
    locationId,
    contactId: contact.id,
    noteId: note.id,
    trigger: 'NoteCreate',
  });
  return { contactId: contact.id, email, dateAdded: note.dateAdded };
}

describeEachDialect('timeline view', (stores) => {
  test('finds the person by contact id or email and lists entries oldest first', async () => {
    const store = await stores.open('timeline-view');
    const n = stores.dialect === 'sqlite' ? 1 : 2;
    const { contactId, email, dateAdded } = await seed(store, n);
    const byId = await personTimeline(store.db, contactId);
    const byEmail = await personTimeline(store.db, email.toUpperCase());
    assert.ok(byId && byEmail);
    assert.deepEqual(byEmail, byId);
    assert.equal(byId.person.ghlId, contactId);
    const kinds = byId.rows.map((r) => r.kind);
    assert.deepEqual([...kinds].sort(), ['lead_created', 'note_created']);
    const note = byId.rows.find((r) => r.kind === 'note_created');
    assert.equal(note?.when, dateAdded, 'the original GHL timestamp, zone kept');
    assert.equal(note.original, true);
    assert.equal(note.record, 'note');
    assert.equal(note.source, 'ghl');
    const times = byId.rows.map((r) => r.occurredAt);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.equal(await personTimeline(store.db, 'nobody@example.com'), undefined);
    assert.equal(await personTimeline(store.db, 'no-such-contact'), undefined);
  });
});

test('ttsync timeline prints the person found by email or contact id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ttsync-timeline-'));
  try {
    const store = await openStore({ sqlitePath: join(dir, 'ttsync.db') });
    const { contactId, email, dateAdded } = await seed(store, 3);
    await store.close();
    const env = { TTSYNC_DATA_DIR: dir, LOG_LEVEL: 'warn' };

    for (const who of [email, contactId]) {
      const proc = runTtsync(['timeline', who], env);
      assert.equal(await proc.exited, 0, proc.output());
      const lines = proc.output().trim().split('\n');
      assert.match(lines[0] ?? '', new RegExp(`Timeline of GHL contact ${contactId} .*2 entries`));
      const noteLine = lines.findIndex((l) => l.includes('note_created'));
      const leadLine = lines.findIndex((l) => l.includes('lead_created'));
      assert.ok(noteLine > 0 && leadLine > 0, proc.output());
      assert.ok(lines[noteLine]?.startsWith(dateAdded), 'the original timestamp is printed');
      assert.match(lines[noteLine] ?? '', /Wants a viewing, note 3/);
    }

    const missing = runTtsync(['timeline', 'nobody@example.com'], env);
    assert.equal(await missing.exited, 1);
    assert.match(missing.output(), /No synced person matches "nobody@example.com"/);
    const usage = runTtsync(['timeline'], env);
    assert.equal(await usage.exited, 2);

    // Nowhere to read: said, and no empty database is left behind.
    const empty = join(dir, 'empty');
    for (const command of [['timeline', 'nobody@example.com'], ['jobs']]) {
      const none = runTtsync(command, { ...env, TTSYNC_DATA_DIR: empty });
      assert.equal(await none.exited, 1, none.output());
      assert.match(none.output(), /there is no ttsync database at .*empty\/ttsync\.db yet/);
      assert.equal(existsSync(join(empty, 'ttsync.db')), false);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
