/**
 * Every GHL operation the client offers, against the sandbox over real HTTP, under both auth
 * modes (Private Integration token and OAuth).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GhlClient } from '../src/ghl/client.ts';
import type { GhlLocationClient } from '../src/ghl/client.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { collect, oauthAuth, operator, pitClient, sandbox } from './support/ghl-harness.ts';

/** The operations of the brief (17) plus what the sync needs. The test fails if one is skipped. */
const OPERATIONS = [
  // the brief's 17
  'getContact',
  'listContacts',
  'listContactsByBusiness',
  'createContact',
  'updateContact',
  'deleteContact',
  'listTasks',
  'getTask',
  'createTask',
  'updateTask',
  'completeTask',
  'deleteTask',
  'listNotes',
  'getNote',
  'listContactAppointments',
  'addTags',
  'searchContacts',
  // what the sync needs besides
  'createNote',
  'updateNote',
  'deleteNote',
  'removeTags',
  'upsertContact',
  'findDuplicateContact',
  'searchContactPages',
  'listContactPages',
  'searchLocationTasks',
  'listCalendarEvents',
  'iterateCalendarEvents',
  'listCalendars',
  'getAppointment',
  'listCustomFields',
  'listUsers',
  'getUser',
] as const;

async function exerciseEverything(ghl: GhlLocationClient, box: GhlSandbox): Promise<Set<string>> {
  const done = new Set<string>();
  const mark = (name: (typeof OPERATIONS)[number]): void => void done.add(name);
  const email = `op-${Math.random().toString(36).slice(2, 8)}@example.com`;

  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const created = await ghl.createContact({
    firstName: 'Ada',
    lastName: 'Lovelace',
    email,
    phone,
    tags: ['prospect'],
  });
  mark('createContact');
  assert.equal(created.email, email);
  assert.match(created.id, /^[A-Za-z0-9]{20}$/);

  const fetched = await ghl.getContact(created.id);
  mark('getContact');
  assert.equal(fetched.firstName, 'Ada');

  const updated = await ghl.updateContact(created.id, { lastName: 'Byron' });
  mark('updateContact');
  assert.equal(updated.lastName, 'Byron');

  assert.deepEqual((await ghl.addTags(created.id, ['applicant', 'viewing'])).sort(), [
    'applicant',
    'prospect',
    'viewing',
  ]);
  mark('addTags');
  assert.deepEqual((await ghl.removeTags(created.id, ['prospect'])).sort(), [
    'applicant',
    'viewing',
  ]);
  mark('removeTags');

  const upserted = await ghl.upsertContact({ email, firstName: 'Augusta' });
  mark('upsertContact');
  assert.equal(upserted.created, false);
  assert.equal(upserted.contact.id, created.id);

  const duplicate = await ghl.findDuplicateContact({ email });
  mark('findDuplicateContact');
  assert.equal(duplicate?.id, created.id);
  assert.equal(await ghl.findDuplicateContact({ email: 'nobody-here@example.com' }), undefined);

  const searched = await collect(
    ghl.searchContacts({
      filters: [{ field: 'email', operator: 'eq', value: email }],
      pageLimit: 10,
    }),
  );
  mark('searchContacts');
  assert.deepEqual(
    searched.map((c) => c.id),
    [created.id],
  );
  const pages = await collect(ghl.searchContactPages({ pageLimit: 10 }));
  mark('searchContactPages');
  assert.ok(pages.length >= 2 && pages.every((p) => p.cursor !== undefined));

  const listed = await collect(ghl.listContacts({ limit: 7 }));
  mark('listContacts');
  assert.ok(listed.some((c) => c.id === created.id));
  assert.equal(new Set(listed.map((c) => c.id)).size, listed.length, 'no contact listed twice');
  const listPages = await collect(ghl.listContactPages({ limit: 50 }));
  mark('listContactPages');
  assert.equal(listPages.flatMap((p) => p.contacts).length, listed.length);

  const state = await operator<{ contacts: { id: string; businessId?: string }[] }>(
    box,
    'GET',
    '/__sandbox/state',
  );
  const member = state.contacts.find((c) => c.businessId);
  assert.ok(member?.businessId, 'the seed gives some contacts a business');
  const byBusiness = await collect(ghl.listContactsByBusiness(member.businessId, { limit: 2 }));
  mark('listContactsByBusiness');
  assert.ok(
    byBusiness.some((c) => c.id === member.id),
    'contact found by its business',
  );
  assert.ok(byBusiness.every((c) => c.businessId === member.businessId));

  const users = await ghl.listUsers();
  mark('listUsers');
  const user = users[0];
  assert.ok(user);
  assert.equal((await ghl.getUser(user.id)).id, user.id);
  mark('getUser');

  const task = await ghl.createTask(created.id, {
    title: 'Call back',
    dueDate: '2026-12-01T15:00:00.000Z',
    completed: false,
    assignedTo: user.id,
  });
  mark('createTask');
  assert.equal(task.title, 'Call back');
  assert.equal((await ghl.getTask(created.id, task.id)).id, task.id);
  mark('getTask');
  assert.equal(
    (
      await ghl.updateTask(created.id, task.id, {
        title: 'Call back today',
        dueDate: '2026-12-02T15:00:00.000Z',
      })
    ).title,
    'Call back today',
  );
  mark('updateTask');
  assert.equal((await ghl.completeTask(created.id, task.id)).completed, true);
  mark('completeTask');
  assert.deepEqual(
    (await ghl.listTasks(created.id)).map((t) => t.id),
    [task.id],
  );
  mark('listTasks');
  const found = await collect(ghl.searchLocationTasks({ contactId: [created.id] }));
  mark('searchLocationTasks');
  assert.deepEqual(
    found.map((t) => t.id),
    [task.id],
  );
  assert.equal(await ghl.deleteTask(created.id, task.id), true);
  mark('deleteTask');
  assert.deepEqual(await ghl.listTasks(created.id), []);

  const note = await ghl.createNote(created.id, { body: 'Prefers evening viewings' });
  mark('createNote');
  assert.equal((await ghl.getNote(created.id, note.id)).body, 'Prefers evening viewings');
  mark('getNote');
  assert.equal(
    (await ghl.updateNote(created.id, note.id, { body: 'Prefers weekend viewings' })).body,
    'Prefers weekend viewings',
  );
  mark('updateNote');
  assert.deepEqual(
    (await ghl.listNotes(created.id)).map((n) => n.id),
    [note.id],
  );
  mark('listNotes');
  assert.equal(await ghl.deleteNote(created.id, note.id), true);
  mark('deleteNote');

  const start = Date.parse('2026-12-03T17:00:00Z');
  const appointment = await operator<{
    appointment?: { id: string; calendarId: string };
    id?: string;
    calendarId?: string;
  }>(box, 'POST', `/__sandbox/contacts/${created.id}/appointments`, {
    startTime: new Date(start).toISOString(),
    title: 'Viewing',
  });
  const appointmentId = appointment.appointment?.id ?? appointment.id;
  const calendarId = appointment.appointment?.calendarId ?? appointment.calendarId;
  assert.ok(appointmentId && calendarId, `operator appointment: ${JSON.stringify(appointment)}`);
  const events = await ghl.listContactAppointments(created.id);
  mark('listContactAppointments');
  assert.deepEqual(
    events.map((e) => e.id),
    [appointmentId],
  );
  assert.match(String(events[0]?.startTime), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'zone-less time');
  const windowEvents = await ghl.listCalendarEvents({
    calendarId,
    start: start - 3600_000,
    end: start + 3600_000,
  });
  mark('listCalendarEvents');
  assert.ok(windowEvents.some((e) => e.id === appointmentId));
  const longRange = await collect(
    ghl.iterateCalendarEvents({
      calendarId,
      start: start - 30 * 86_400_000,
      end: start + 30 * 86_400_000,
    }),
  );
  mark('iterateCalendarEvents');
  assert.equal(longRange.filter((e) => e.id === appointmentId).length, 1);
  const calendars = await ghl.listCalendars();
  mark('listCalendars');
  assert.ok(
    calendars.some((c) => c.id === calendarId),
    "the appointment's calendar is listed",
  );
  const event = await ghl.getAppointment(appointmentId);
  mark('getAppointment');
  assert.equal(event.id, appointmentId);
  assert.equal(event.contactId, created.id);
  assert.equal(event.calendarId, calendarId);

  const fields = await ghl.listCustomFields();
  mark('listCustomFields');
  assert.ok(fields.length > 0 && fields.every((f) => typeof f.id === 'string'));

  assert.equal(await ghl.deleteContact(created.id), true);
  mark('deleteContact');
  await assert.rejects(ghl.getContact(created.id), { code: 'not_found' });
  return done;
}

describe('GHL client operations against the sandbox', () => {
  let box: GhlSandbox;
  before(async () => {
    box = await sandbox({ contacts: 30 });
  });
  after(async () => box.close());

  test('Private Integration token: every operation', async () => {
    const client = pitClient(box);
    const done = await exerciseEverything(client.location(box.locationId), box);
    assert.deepEqual(
      [...OPERATIONS].filter((op) => !done.has(op)),
      [],
    );
    client.stop();
  });

  test('OAuth: every operation', async () => {
    const { auth } = await oauthAuth(box);
    const client = new GhlClient({ auth, baseUrl: box.url });
    const done = await exerciseEverything(client.location(box.locationId), box);
    assert.deepEqual(
      [...OPERATIONS].filter((op) => !done.has(op)),
      [],
    );
    client.stop();
  });

  test('the client offers no operation this test does not know', () => {
    const client = pitClient(box);
    const offered = Object.keys(client.location(box.locationId)).filter((k) => k !== 'locationId');
    assert.deepEqual(
      offered.filter((name) => !(OPERATIONS as readonly string[]).includes(name)).sort(),
      [],
    );
    client.stop();
  });
});
