/**
 * GHL-side timeline entries → Tenant Turner activities, and the merged timeline, against both
 * sandboxes over HTTP on both databases and both surfaces: on the extended surface a synced note
 * becomes one activity (a post repeated after a lost record finds the first one, no second
 * activity); on the real surface nothing is sent and the entry says so. `ttsync timeline` (a
 * process) prints both sides merged in time order with Tenant Turner's own timestamps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { openStore } from '../src/store/database.ts';
import type { Store } from '../src/store/database.ts';
import { syncContact } from '../src/sync/contact-sync.ts';
import type { ContactSyncDeps } from '../src/sync/contact-sync.ts';
import { syncNote } from '../src/sync/note-sync.ts';
import { personTimeline } from '../src/sync/timeline-view.ts';
import { activityExternalId, postTimelineActivities } from '../src/sync/tt-activities.ts';
import { pollTenantTurner } from '../src/sync/tt-poll.ts';
import { findLinkByGhlId } from '../src/store/links.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { repairActivityOutbox } from '../src/store/timeline-posts.ts';
import { operator } from './support/operator.ts';
import { runTtsync } from './support/processes.ts';
import { describeEachDialect } from './support/stores.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';

interface TtActivityDto {
  ActivityId: number;
  ApplicationId: number;
  ExternalId: string | null;
  Source: string;
}

/** A contact synced to a lead, with one synced note; the contact id and lead id. */
async function personWithNote(boxes: Sandboxes, deps: ContactSyncDeps, tag: string) {
  const locationId = boxes.ghlBox.locationId;
  const n = Math.floor(Math.random() * 9_000_000) + 1_000_000;
  const contact = await boxes.ghl.location(locationId).createContact({
    firstName: 'Ava',
    lastName: `Activity ${tag}`,
    email: `ava.${tag}.${n}@example.com`,
    phone: `+1415${n}`,
  });
  await syncContact(deps, { locationId, contactId: contact.id, trigger: 'ContactCreate' });
  const { note } = await operator<{ note: { id: string } }>(
    boxes.ghlBox,
    'POST',
    `/__sandbox/contacts/${contact.id}/notes`,
    { body: `Asked for a viewing (${tag})` },
  );
  await syncNote(deps, {
    locationId,
    contactId: contact.id,
    noteId: note.id,
    trigger: 'NoteCreate',
  });
  const person = await findLinkByGhlId(deps.db, 'person', locationId, contact.id);
  return { contactId: contact.id, applicationId: Number(person?.ttId) };
}

/** A round that found nothing to post. */
const NOTHING = { posted: 0, alreadyPosted: 0, notApplied: 0, failed: 0 };

function activitiesOf(boxes: Sandboxes, applicationId: number): TtActivityDto[] {
  const all = (boxes.ttBox.state()['activities'] ?? []) as TtActivityDto[];
  return all.filter((a) => a.ApplicationId === applicationId && a.Source === 'GHL');
}

async function outboxSize(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('timeline_outbox')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function noteEntryId(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('timeline')
    .select('id')
    .where('kind', '=', 'note_created')
    .executeTakeFirstOrThrow();
  return row.id;
}

describeEachDialect('timeline → Tenant Turner activities (extended surface)', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' });
  });
  after(() => boxes.close());

  test('each GHL-side entry is posted once, also when a post is repeated', async () => {
    const store = await stores.open('tt-activities');
    const deps = syncDeps(store, boxes);
    const { contactId, applicationId } = await personWithNote(boxes, deps, stores.dialect);

    const first = await postTimelineActivities(deps);
    assert.deepEqual(first, { posted: 1, alreadyPosted: 0, notApplied: 0, failed: 0 });
    const posted = activitiesOf(boxes, applicationId);
    assert.deepEqual(
      posted.map((a) => a.ExternalId),
      [activityExternalId(await noteEntryId(store))],
    );
    assert.deepEqual(await postTimelineActivities(deps), NOTHING);

    assert.equal(await outboxSize(store), 0, 'the outbox holds only entries still to post');

    // The activity went out but its record was lost (a crash before the record, which comes
    // before the entry leaves the outbox): the next round posts again.
    await store.db.deleteFrom('timeline_posts').execute();
    await store.db
      .insertInto('timeline_outbox')
      .values({ timeline_id: await noteEntryId(store) })
      .execute();
    const retried = await postTimelineActivities(deps);
    assert.equal(retried.alreadyPosted, 1);
    assert.equal(retried.posted, 0);
    assert.equal(activitiesOf(boxes, applicationId).length, 1, 'no second activity');

    // A crash between the record and the outbox delete: the entry is posted again, Tenant Turner
    // answers with the same activity, the first record stays and the outbox row goes.
    await store.db
      .insertInto('timeline_outbox')
      .values({ timeline_id: await noteEntryId(store) })
      .execute();
    assert.equal((await postTimelineActivities(deps)).alreadyPosted, 1);
    assert.equal(activitiesOf(boxes, applicationId).length, 1, 'still one activity');
    assert.equal(await outboxSize(store), 0);

    const view = await personTimeline(store.db, contactId);
    const note = view?.rows.find((r) => r.kind === 'note_created');
    assert.equal(note?.post?.state, 'posted');
    assert.equal(note.post.activityId, String(posted[0]?.ActivityId));
  });

  test('an entry waits in the outbox while its person has no lead, then is posted', async () => {
    const store = await stores.open('tt-activities-wait');
    const deps = syncDeps(store, boxes);
    const { contactId, applicationId } = await personWithNote(
      boxes,
      deps,
      `wait-${stores.dialect}`,
    );
    const person = await findLinkByGhlId(deps.db, 'person', boxes.ghlBox.locationId, contactId);
    // As if the lead were not linked yet (a person whose lead create is still to be retried).
    await store.db
      .updateTable('links')
      .set({ tt_id: null })
      .where('id', '=', person?.id ?? '')
      .execute();

    assert.deepEqual(await postTimelineActivities(deps), NOTHING);
    assert.equal(await outboxSize(store), 1, 'still waiting');

    await store.db
      .updateTable('links')
      .set({ tt_id: String(applicationId) })
      .where('id', '=', person?.id ?? '')
      .execute();
    assert.equal((await postTimelineActivities(deps)).posted, 1);
    assert.equal(activitiesOf(boxes, applicationId).length, 1);
    assert.equal(await outboxSize(store), 0);
  });

  test('the migration that adds the outbox fills it with the entries not posted yet', async () => {
    const store = await stores.open('tt-activities-migrate');
    const deps = syncDeps(store, boxes);
    const posted = await personWithNote(boxes, deps, `migrate-a-${stores.dialect}`);
    assert.equal((await postTimelineActivities(deps)).posted, 1);
    const waiting = await personWithNote(boxes, deps, `migrate-b-${stores.dialect}`);

    // Back to the schema before the outbox, then migrate again.
    await sql`drop table timeline_outbox`.execute(store.db);
    await sql`delete from ttsync_migrations where name = '0004-timeline-outbox'`.execute(store.db);
    const report = await migrateToLatest(store.db as unknown as Kysely<unknown>, store.dialect);
    assert.deepEqual(report.applied, ['0004-timeline-outbox']);
    assert.equal(await outboxSize(store), 1, 'only the entry without a post row');
    assert.equal(await repairActivityOutbox(store.db), 0, 'nothing left out');
    await store.db.deleteFrom('timeline_outbox').execute();
    assert.equal(await repairActivityOutbox(store.db), 1, 'the entry an older ttsync left out');

    assert.equal((await postTimelineActivities(deps)).posted, 1);
    assert.equal(activitiesOf(boxes, waiting.applicationId).length, 1);
    assert.equal(activitiesOf(boxes, posted.applicationId).length, 1, 'not posted twice');
  });
});

describeEachDialect('timeline → Tenant Turner activities (real surface)', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'real' });
  });
  after(() => boxes.close());

  test('nothing is posted, and each entry records why', async () => {
    const store = await stores.open('tt-activities-real');
    const deps = syncDeps(store, boxes);
    const { contactId } = await personWithNote(boxes, deps, `real-${stores.dialect}`);
    const result = await postTimelineActivities(deps);
    assert.deepEqual(result, { posted: 0, alreadyPosted: 0, notApplied: 1, failed: 0 });
    const view = await personTimeline(store.db, contactId);
    const note = view?.rows.find((r) => r.kind === 'note_created');
    assert.equal(note?.post?.state, 'not_applied');
    assert.match(note.post.detail ?? '', /Tenant Turner has no activity timeline/);
    assert.equal((await postTimelineActivities(deps)).notApplied, 0, 'recorded once');
  });
});

test('ttsync timeline prints both sides merged, with each side’s own timestamps', async () => {
  const boxes = await startSandboxes({ surface: 'extended' });
  const dir = mkdtempSync(join(tmpdir(), 'ttsync-timeline-merged-'));
  try {
    const store = await openStore({ sqlitePath: join(dir, 'ttsync.db') });
    const deps = syncDeps(store, boxes);
    const { contactId, applicationId } = await personWithNote(boxes, deps, 'cli');
    // Seconds later in Tenant Turner's time, so its whole-second stamp sorts after GHL's.
    boxes.ttBox.advanceClock(5_000);
    await operator(boxes.ttBox, 'POST', `/__sandbox/applications/${applicationId}/qualify`);
    await pollTenantTurner(deps);
    await postTimelineActivities(deps);
    await store.close();

    const proc = runTtsync(['timeline', contactId], { TTSYNC_DATA_DIR: dir, LOG_LEVEL: 'warn' });
    assert.equal(await proc.exited, 0, proc.output());
    const lines = proc.output().trim().split('\n').slice(1);
    const kinds = lines.map((l) => /\b(lead_created|note_created|tt_lead)\b/.exec(l)?.[1]);
    assert.deepEqual(kinds, ['lead_created', 'note_created', 'tt_lead'], proc.output());
    const leads = boxes.ttBox.state()['leads'] as { ApplicationId: number; DateUpdated: string }[];
    const stamp = leads.find((l) => l.ApplicationId === applicationId)?.DateUpdated ?? '?';
    const ttLine = lines.find((l) => l.includes('tt_lead')) ?? '';
    assert.ok(ttLine.startsWith(stamp), `Tenant Turner's own stamp ${stamp}: ${ttLine}`);
    assert.match(ttLine, /Lead seen in Tenant Turner: Qualified, Active/);
    assert.match(lines.find((l) => l.includes('note_created')) ?? '', /\[TT activity \d+\]$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await boxes.close();
  }
});

test('ttsync migrate puts back in the outbox the entries an older ttsync wrote without it', async () => {
  const boxes = await startSandboxes({ surface: 'extended' });
  const dir = mkdtempSync(join(tmpdir(), 'ttsync-outbox-repair-'));
  try {
    let store = await openStore({ sqlitePath: join(dir, 'ttsync.db') });
    let deps = syncDeps(store, boxes);
    const { applicationId } = await personWithNote(boxes, deps, 'repair');
    // An older process wrote the entry: no outbox row.
    await store.db.deleteFrom('timeline_outbox').execute();
    assert.equal((await postTimelineActivities(deps)).posted, 0, 'not found without the outbox');
    await store.close();

    const env = { TTSYNC_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    const first = runTtsync(['migrate'], env);
    assert.equal(await first.exited, 0, first.output());
    assert.match(first.output(), /Put 1 GHL-side timeline entry written by an older ttsync/);
    const again = runTtsync(['migrate'], env);
    assert.equal(await again.exited, 0, again.output());
    assert.doesNotMatch(again.output(), /Put \d+/, 'nothing left to put back');

    store = await openStore({ sqlitePath: join(dir, 'ttsync.db') });
    deps = syncDeps(store, boxes);
    assert.equal((await postTimelineActivities(deps)).posted, 1);
    assert.equal(activitiesOf(boxes, applicationId).length, 1);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await boxes.close();
  }
});
