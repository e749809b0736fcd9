/**
 * Reconciliation of tasks, notes and appointments against both sandboxes in-process, on both
 * databases. The GHL sandbox seeds 0-3 tasks, 0-2 notes and 0-1 appointments per contact; a
 * contacts-only backfill leaves them all missing. One heal brings them across and a second scan
 * finds nothing; then a task deleted, a note edited and an appointment cancelled in GHL (no
 * webhooks) are reported field by field and healed through the per-child sync, and so are a
 * task and a note changed in Tenant Turner (written back) or deleted there (made again); an
 * outage that makes every child look gone trips the guard and changes nothing; and on real Tenant
 * Turner (no tasks, notes or showing update) drift is judged against what ttsync recorded.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HttpError } from '../src/shared/errors.ts';
import { findLinkByGhlId, listLinks } from '../src/store/links.ts';
import { listTimeline } from '../src/store/records.ts';
import type { LinkKind } from '../src/store/links.ts';
import { backfillContacts } from '../src/sync/backfill.ts';
import type { ContactSyncDeps } from '../src/sync/contact-sync.ts';
import { scanDrift } from '../src/sync/reconcile.ts';
import type { DriftReport } from '../src/sync/reconcile.ts';
import { healDrift } from '../src/sync/reconcile-heal.ts';
import { defaultChildReaders } from '../src/sync/reconcile-readers.ts';
import { formatDriftReport } from '../src/cli/reconcile.ts';
import { READ_WRITE } from './support/ghl-harness.ts';
import { call } from './support/ghl-raw.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

/** The drift of each child kind, as `[missing, extra, different]`. */
function childCounts(report: DriftReport): Record<string, number[]> {
  const counts = report.children?.counts;
  assert.ok(counts, 'children were scanned');
  return Object.fromEntries(
    Object.entries(counts).map(([kind, c]) => [kind, [c.missing, c.extra, c.different]]),
  );
}

const NONE = { task: [0, 0, 0], note: [0, 0, 0], appointment: [0, 0, 0] };

async function active(deps: ContactSyncDeps, kind: LinkKind): Promise<number> {
  return (await listLinks(deps.db, kind, { state: 'active' })).length;
}

const token = (boxes: Sandboxes): string =>
  boxes.ghlBox.mintToken({ scopes: READ_WRITE, kind: 'pit' }).accessToken;

/** Books an appointment two days ahead for `contactId` through the GHL API (no webhook). */
async function bookAppointment(boxes: Sandboxes, contactId: string, status: string) {
  const ghl = boxes.ghl.location(boxes.ghlBox.locationId);
  const [calendar] = await ghl.listCalendars({});
  assert.ok(calendar);
  const reply = await call(boxes.ghlBox, 'POST', '/calendars/events/appointments', {
    token: token(boxes),
    body: {
      calendarId: calendar.id,
      locationId: boxes.ghlBox.locationId,
      contactId,
      startTime: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      appointmentStatus: status,
    },
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return String(reply.body['id']);
}

interface TtPropertyDto {
  PropertyId: number;
  IsActive: boolean;
}

/** A mapping whose default rental takes every appointment the address matcher cannot place. */
function mappingWithDefaultRental(boxes: Sandboxes): unknown {
  const properties = boxes.ttBox.state()['properties'] as TtPropertyDto[];
  const rental = properties.find((p) => p.IsActive);
  assert.ok(rental, 'the TT sandbox has an active rental');
  return { rental: [{ default: rental.PropertyId }] };
}

describeEachDialect('reconcile tasks, notes and appointments (extended)', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' }, 12);
  });
  after(() => boxes.close());

  test('missing children are healed once; deleted, edited and cancelled ones are found and healed', async () => {
    const store = await stores.open('reconcile-children');
    const deps = syncDeps(store, boxes, mappingWithDefaultRental(boxes));
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    // The seeded appointments lie in the past; book two in the reconcile window.
    const people = await listLinks(deps.db, 'person', { state: 'active' });
    const booked = [];
    for (const person of people.slice(0, 2)) {
      booked.push(await bookAppointment(boxes, person.ghlId ?? '', 'confirmed'));
    }
    const first = await scanDrift(deps, { locationId });
    const children = first.children;
    assert.ok(children);
    assert.ok(children.counts.task.missing > 5, `tasks missing: ${children.counts.task.missing}`);
    assert.ok(children.counts.note.missing > 5, `notes missing: ${children.counts.note.missing}`);
    assert.equal(children.counts.appointment.missing, booked.length);
    assert.ok(first.ghlCalls > 0);
    const healed = await healDrift(deps, first);
    assert.deepEqual(healed.failures, []);
    assert.equal(healed.childOutcomes.task['created'], children.counts.task.missing);
    assert.equal(healed.childOutcomes.note['created'], children.counts.note.missing);
    assert.equal(healed.childOutcomes.appointment['created'], children.counts.appointment.missing);
    assert.deepEqual(childCounts(await scanDrift(deps, { locationId })), NONE);
    // A showing the heal books sits on the timeline at GHL's booking time, not at the heal.
    for (const id of booked) {
      const link = await findLinkByGhlId(deps.db, 'appointment', locationId, id);
      assert.ok(link, `appointment ${id} is linked`);
      const { dateAdded } = await boxes.ghl.location(locationId).getAppointment(id);
      const [entry] = await listTimeline(deps.db, link.id);
      assert.equal(entry?.kind, 'showing_created');
      assert.equal(entry.occurredRaw, dateAdded);
      assert.equal(entry.occurredAt, Date.parse(dateAdded));
    }

    // Changes in GHL that no webhook announced.
    const ghl = boxes.ghl.location(locationId);
    const tasks = await listLinks(deps.db, 'task', { state: 'active' });
    const contactOf = (parentId: string | undefined): string =>
      people.find((p) => p.id === parentId)?.ghlId ?? '';
    const task = tasks[0];
    assert.ok(task?.ghlId);
    await ghl.deleteTask(contactOf(task.parentId), task.ghlId);
    const [note] = await listLinks(deps.db, 'note', { state: 'active' });
    assert.ok(note?.ghlId);
    await ghl.updateNote(contactOf(note.parentId), note.ghlId, { body: 'Edited in GHL' });
    const cancelled = booked[0];
    const reply = await call(boxes.ghlBox, 'PUT', `/calendars/events/appointments/${cancelled}`, {
      token: token(boxes),
      body: { appointmentStatus: 'cancelled' },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));

    const drift = await scanDrift(deps, { locationId });
    assert.deepEqual(childCounts(drift), {
      task: [0, 1, 0],
      note: [0, 0, 1],
      appointment: [0, 0, 1],
    });
    const items = drift.children?.items ?? [];
    const edited = items.find((i) => i.child === 'note');
    assert.ok(edited?.kind === 'different');
    assert.deepEqual(
      edited.fields.map((f) => [f.field, f.expected]),
      [['body', 'Edited in GHL']],
    );
    const changed = items.find((i) => i.child === 'appointment');
    assert.ok(changed?.kind === 'different');
    assert.equal(changed.ghlId, cancelled);
    assert.ok(changed.fields.some((f) => f.field === 'goal' && f.expected === 'Cancelled'));
    const printed = formatDriftReport(drift, 5).join('\n');
    assert.match(printed, /tasks: \d+ in GHL, \d+ linked; drift: 0 missing, 1 extra, 0 different/);
    assert.match(printed, /body "[^"]*" → "Edited in GHL"/);
    assert.match(printed, /GHL calls: \d+/);

    const ttTaskId = task.ttId;
    const fixed = await healDrift(deps, drift, { maxUnlinkShare: 0.5 });
    assert.deepEqual(fixed.failures, []);
    assert.deepEqual(fixed.childOutcomes, {
      task: { deleted: 1 },
      note: { updated: 1 },
      appointment: { updated: 1 },
    });
    await assert.rejects(
      boxes.tt.tasks.get(Number(ttTaskId)),
      (error) => error instanceof HttpError && error.code === 'not_found',
      'the Tenant Turner task was deleted',
    );
    assert.deepEqual(childCounts(await scanDrift(deps, { locationId })), NONE);

    // Changed in Tenant Turner: reported field by field, and ttsync's version written back.
    const [keptTask] = await listLinks(deps.db, 'task', { state: 'active' });
    const [keptNote] = await listLinks(deps.db, 'note', { state: 'active' });
    assert.ok(keptTask?.ttId && keptNote?.ttId);
    const original = await boxes.tt.tasks.get(Number(keptTask.ttId));
    await boxes.tt.tasks.update(Number(keptTask.ttId), { title: 'Renamed in Tenant Turner' });
    const originalNote = await boxes.tt.notes.get(Number(keptNote.ttId));
    await boxes.tt.notes.update(Number(keptNote.ttId), { note: 'Rewritten in Tenant Turner' });
    const ttDrift = await scanDrift(deps, { locationId });
    assert.deepEqual(childCounts(ttDrift), {
      task: [0, 0, 1],
      note: [0, 0, 1],
      appointment: [0, 0, 0],
    });
    assert.ok((ttDrift.children?.ttCalls ?? 0) > 0);
    const renamed = ttDrift.children?.items.find((i) => i.child === 'task');
    assert.ok(renamed?.kind === 'different');
    assert.deepEqual(renamed.fields, [
      { field: 'title', expected: original.title, actual: 'Renamed in Tenant Turner' },
    ]);
    const back = await healDrift(deps, ttDrift);
    assert.deepEqual(back.childOutcomes, {
      task: { updated: 1 },
      note: { updated: 1 },
      appointment: {},
    });
    assert.equal((await boxes.tt.tasks.get(Number(keptTask.ttId))).title, original.title);
    assert.equal((await boxes.tt.notes.get(Number(keptNote.ttId))).note, originalNote.note);
    assert.deepEqual(childCounts(await scanDrift(deps, { locationId })), NONE);

    // Deleted in Tenant Turner: confirmed by a GET, reported, and made again by the heal.
    await boxes.tt.tasks.delete(Number(keptTask.ttId));
    await boxes.tt.notes.delete(Number(keptNote.ttId));
    const goneDrift = await scanDrift(deps, { locationId });
    assert.deepEqual(childCounts(goneDrift), {
      task: [0, 0, 1],
      note: [0, 0, 1],
      appointment: [0, 0, 0],
    });
    const goneNote = goneDrift.children?.items.find((i) => i.child === 'note');
    assert.ok(goneNote?.kind === 'different');
    assert.deepEqual(goneNote.fields, [
      { field: 'note', expected: 'present', actual: 'deleted in Tenant Turner' },
    ]);
    assert.match(
      formatDriftReport(goneDrift, 5).join('\n'),
      /note "deleted in Tenant Turner" → "present"/,
    );
    // Each would be made again: they count in the mass-delete guard (an outage answering 404 in
    // Tenant Turner would look the same), which a small account trips at once.
    const kinds = async (linkId: string): Promise<Record<string, number>> => {
      const counts: Record<string, number> = {};
      for (const entry of await listTimeline(deps.db, linkId)) {
        const key = `${entry.source}:${entry.kind}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    };
    const noteEntries = await kinds(keptNote.id);
    const taskEntries = await kinds(keptTask.id);
    const refused = await healDrift(deps, goneDrift);
    assert.equal(refused.guard.tripped, true);
    assert.match(refused.guard.reason ?? '', /made again in Tenant Turner/);
    const remade = await healDrift(deps, goneDrift, { maxUnlinkShare: 1 });
    assert.deepEqual(remade.failures, []);
    assert.deepEqual(remade.childOutcomes, {
      task: { created: 1 },
      note: { created: 1 },
      appointment: {},
    });
    const relinkedTask = await findLinkByGhlId(deps.db, 'task', locationId, keptTask.ghlId ?? '');
    const relinkedNote = await findLinkByGhlId(deps.db, 'note', locationId, keptNote.ghlId ?? '');
    assert.ok(relinkedTask?.ttId && relinkedTask.ttId !== keptTask.ttId, 'a new TT task');
    assert.ok(relinkedNote?.ttId && relinkedNote.ttId !== keptNote.ttId, 'a new TT note');
    assert.equal((await boxes.tt.tasks.get(Number(relinkedTask.ttId))).title, original.title);
    assert.equal((await boxes.tt.notes.get(Number(relinkedNote.ttId))).note, originalNote.note);
    // Nothing changed in GHL: one entry of ttsync's says what the heal did, and no GHL-side one
    // (which would be posted to Tenant Turner's activities as a GHL event).
    assert.deepEqual(await kinds(keptNote.id), {
      ...noteEntries,
      'ttsync:note_restored': (noteEntries['ttsync:note_restored'] ?? 0) + 1,
    });
    assert.deepEqual(await kinds(keptTask.id), {
      ...taskEntries,
      'ttsync:task_restored': (taskEntries['ttsync:task_restored'] ?? 0) + 1,
    });
    const [restoredNote] = (await listTimeline(deps.db, keptNote.id)).filter(
      (entry) => entry.kind === 'note_restored' && entry.summary.includes(relinkedNote.ttId ?? '?'),
    );
    assert.match(
      restoredNote?.summary ?? '',
      /^Note ".*" written back to Tenant Turner \(note \d+\): it had been changed or deleted there$/,
    );
    assert.deepEqual(childCounts(await scanDrift(deps, { locationId })), NONE);
  });

  test('an outage that answers 404 for every child trips the guard and changes nothing', async () => {
    const store = await stores.open('reconcile-children-outage');
    const deps = syncDeps(store, boxes, mappingWithDefaultRental(boxes));
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    await healDrift(deps, await scanDrift(deps, { locationId }), { maxUnlinkShare: 1 });
    const before = {
      task: await active(deps, 'task'),
      note: await active(deps, 'note'),
      appointment: await active(deps, 'appointment'),
    };
    assert.ok(before.task > 5);
    // GHL lists nothing and answers 404 to every GET of a child.
    const real = defaultChildReaders(deps, locationId);
    const gone = new HttpError('not_found', 'Not found', {
      status: 404,
      method: 'GET',
      url: '/contacts/x/tasks/y',
      retryable: false,
      traceId: undefined,
      retryAfterMs: undefined,
    });
    const outage = {
      ...real,
      // eslint-disable-next-line require-yield
      async *tasks() {
        return;
      },
      notes: () => Promise.resolve([]),
      // eslint-disable-next-line require-yield
      async *appointments() {
        return;
      },
      exists: () => Promise.reject(gone),
    };
    const drift = await scanDrift(deps, { locationId, readers: outage });
    assert.equal(drift.children?.counts.task.extra, before.task);
    assert.equal(drift.children?.counts.note.extra, before.note);
    const result = await healDrift(deps, drift);
    assert.equal(result.healed, false);
    assert.equal(result.guard.tripped, true);
    assert.match(result.guard.reason ?? '', /linked tasks/);
    assert.match(result.guard.reason ?? '', /refusing to heal, nothing was changed/);
    assert.match(result.guard.reason ?? '', /--max-unlink-share/);
    assert.deepEqual(
      {
        task: await active(deps, 'task'),
        note: await active(deps, 'note'),
        appointment: await active(deps, 'appointment'),
      },
      before,
    );
  });

  test('an empty or short listing never deletes: children GHL still has are unconfirmed', async () => {
    const store = await stores.open('reconcile-children-short');
    const deps = syncDeps(store, boxes, mappingWithDefaultRental(boxes));
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    await healDrift(deps, await scanDrift(deps, { locationId }), { maxUnlinkShare: 1 });
    const real = defaultChildReaders(deps, locationId);
    let served = 0;
    const short = {
      ...real,
      async *tasks(signal?: AbortSignal) {
        for await (const task of real.tasks(signal)) {
          if (served++ >= 3) return; // a short page, then nothing
          yield task;
        }
      },
      notes: () => Promise.resolve([]),
    };
    const drift = await scanDrift(deps, { locationId, readers: short });
    const counts = childCounts(drift);
    assert.deepEqual([counts['task']?.[1], counts['note']?.[1]], [0, 0], 'nothing extra');
    assert.ok((drift.children?.unconfirmed.task ?? 0) > 0);
    assert.equal(drift.children?.unconfirmed.note, await active(deps, 'note'));
    const result = await healDrift(deps, drift);
    assert.equal(result.healed, true);
    assert.deepEqual(result.childOutcomes, { task: {}, note: {}, appointment: {} });
  });
});

describeEachDialect('reconcile children on real Tenant Turner', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'real' }, 10);
  });
  after(() => boxes.close());

  test("tasks and notes are kept in ttsync's records; drift is judged against them", async () => {
    const store = await stores.open('reconcile-children-real');
    const deps = syncDeps(store, boxes, mappingWithDefaultRental(boxes));
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    const first = await scanDrift(deps, { locationId });
    const missing = first.children?.counts.task.missing ?? 0;
    assert.ok(missing > 0);
    const healed = await healDrift(deps, first);
    assert.deepEqual(healed.failures, []);
    assert.equal(healed.childOutcomes.task['not_applied'], missing);
    assert.deepEqual(childCounts(await scanDrift(deps, { locationId })), NONE);
  });
});
