/**
 * Contact semantics of the GHL sandbox over real HTTP: create, whitelist 422s, duplicates, tags,
 * custom fields, upsert matching, tasks, notes, appointments, users and the 422-but-persists knob.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGhlSandbox } from '../sandbox/ghl/index.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { call, RW, withoutTrace } from './support/ghl-raw.ts';
import type { Reply } from './support/ghl-raw.ts';

void describe('contacts: validation and semantics', () => {
  let sandbox: GhlSandbox;
  let token: string;
  before(async () => {
    sandbox = await startGhlSandbox({ searchDelayMs: 0, contacts: 10 });
    token = sandbox.mintToken({ scopes: RW }).accessToken;
  });
  after(() => sandbox.close());

  const create = (body: Record<string, unknown>): Promise<Reply> =>
    call(sandbox, 'POST', '/contacts/', {
      token,
      body: { locationId: sandbox.locationId, ...body },
    });

  void test('create answers 201 with server-maintained fields', async () => {
    const reply = await create({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'Ada.L@Example.com',
      phone: '(512) 555-0142',
      dateOfBirth: '12/10/1815',
      tags: ['VIP', ' vip ', 'Lead'],
    });
    assert.equal(reply.status, 201);
    const contact = reply.body['contact'] as Record<string, unknown>;
    assert.match(String(contact['id']), /^[A-Za-z0-9]{20}$/);
    assert.equal(contact['type'], 'lead');
    assert.equal(contact['emailLowerCase'], 'ada.l@example.com');
    assert.equal(contact['fullNameLowerCase'], 'ada lovelace');
    assert.equal(contact['phone'], '+15125550142');
    assert.equal(contact['dateOfBirth'], '1815-12-10T00:00:00.000Z');
    assert.deepEqual(contact['tags'], ['vip', 'lead']);
    assert.equal(contact['dateAdded'], contact['dateUpdated']);
  });

  void test('dateOfBirth accepts the 8 documented formats', async () => {
    const formats = [
      '1990/09/25',
      '09/25/1990',
      '1990-09-25',
      '09-25-1990',
      '1990.09.25',
      '09.25.1990',
      '1990_09_25',
      '09_25_1990',
    ];
    for (const [i, dateOfBirth] of formats.entries()) {
      const reply = await create({ firstName: `Dob${i}`, dateOfBirth });
      assert.equal(reply.status, 201, dateOfBirth);
      assert.equal(
        (reply.body['contact'] as Record<string, unknown>)['dateOfBirth'],
        '1990-09-25T00:00:00.000Z',
      );
    }
    assert.equal((await create({ firstName: 'Bad', dateOfBirth: '25 Sept 1990' })).status, 422);
  });

  void test('unknown properties answer 422 with the whitelist message', async () => {
    const created = await create({ firstName: 'Grace', email: 'grace@example.com' });
    const id = (created.body['contact'] as Record<string, unknown>)['id'] as string;
    const gender = await call(sandbox, 'PUT', `/contacts/${id}`, {
      token,
      body: { gender: 'female' },
    });
    assert.equal(gender.status, 422);
    assert.deepEqual(withoutTrace(gender.body), {
      statusCode: 422,
      message: ['property gender should not exist'],
      error: 'Unprocessable Entity',
    });
    const put = await call(sandbox, 'PUT', `/contacts/${id}`, {
      token,
      body: { locationId: sandbox.locationId, companyName: 'ACME' },
    });
    assert.deepEqual(put.body['message'], [
      'property locationId should not exist',
      'property companyName should not exist',
    ]);
    const additional = await create({ firstName: 'A', additionalEmails: ['x@example.com'] });
    assert.deepEqual(additional.body['message'], ['property additionalEmails should not exist']);
    const missingLocation = await call(sandbox, 'POST', '/contacts/', {
      token,
      body: { firstName: 'NoLoc' },
    });
    assert.equal(missingLocation.status, 422);
    assert.ok(
      (missingLocation.body['message'] as string[]).includes('locationId should not be empty'),
    );
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ companyNameOnPut: true }),
    });
    const allowed = await call(sandbox, 'PUT', `/contacts/${id}`, {
      token,
      body: { companyName: 'ACME' },
    });
    assert.equal(allowed.status, 200);
    assert.equal((allowed.body['contact'] as Record<string, unknown>)['companyName'], 'ACME');
  });

  void test('a duplicate email or phone on create is 400 with meta', async () => {
    const first = await create({
      firstName: 'Dup',
      lastName: 'One',
      email: 'dup@example.com',
      phone: '+15125550777',
    });
    const firstId = (first.body['contact'] as Record<string, unknown>)['id'];
    const byEmail = await create({ firstName: 'Dup', email: 'DUP@example.com' });
    assert.equal(byEmail.status, 400);
    assert.deepEqual(withoutTrace(byEmail.body), {
      statusCode: 400,
      message: 'This location does not allow duplicated contacts.',
      error: 'Bad Request',
      meta: { contactId: firstId, contactName: 'Dup One', matchingField: 'email' },
    });
    const byPhone = await create({ firstName: 'Dup', phone: '512-555-0777' });
    assert.equal((byPhone.body['meta'] as Record<string, unknown>)['matchingField'], 'phone');
  });

  void test('PUT replaces tags; POST/DELETE tags add and remove', async () => {
    const created = await create({ firstName: 'Tag', tags: ['a', 'b'] });
    const id = (created.body['contact'] as Record<string, unknown>)['id'] as string;
    const put = await call(sandbox, 'PUT', `/contacts/${id}`, { token, body: { tags: ['c'] } });
    assert.equal(put.status, 200);
    assert.equal(put.body['succeded'], true);
    assert.deepEqual((put.body['contact'] as Record<string, unknown>)['tags'], ['c']);
    const added = await call(sandbox, 'POST', `/contacts/${id}/tags`, {
      token,
      body: { tags: ['d', 'c'] },
    });
    assert.equal(added.status, 201);
    assert.deepEqual(added.body['tags'], ['c', 'd']);
    const removed = await call(sandbox, 'DELETE', `/contacts/${id}/tags`, {
      token,
      body: { tags: ['c'] },
    });
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body['tags'], ['d']);
    const noBody = await call(sandbox, 'POST', `/contacts/${id}/tags`, { token, body: {} });
    assert.equal(noBody.status, 422);
  });

  void test('custom fields are written with fieldValue/field_value/key and read back as {id, value}', async () => {
    const fields = await call(
      sandbox,
      'GET',
      `/locations/${sandbox.locationId}/customFields?model=contact`,
      {
        token: sandbox.mintToken({ scopes: ['locations/customFields.readonly'] }).accessToken,
      },
    );
    const list = fields.body['customFields'] as Record<string, unknown>[];
    const rental = list.find((field) => field['name'] === 'Rental');
    const budget = list.find((field) => field['fieldKey'] === 'contact.monthly_budget');
    assert.ok(rental !== undefined && budget !== undefined);
    const created = await create({
      firstName: 'Custom',
      customFields: [
        { id: rental['id'], fieldValue: '12 Oak Ave' },
        { key: 'monthly_budget', field_value: '1500' },
      ],
    });
    const contact = created.body['contact'] as Record<string, unknown>;
    assert.deepEqual(contact['customFields'], [
      { id: rental['id'], value: '12 Oak Ave' },
      { id: budget['id'], value: '1500' },
    ]);
  });

  void test('upsert matches email then phone and silently drops a phone owned by someone else', async () => {
    const a = await create({ firstName: 'Email', email: 'owner-a@example.com' });
    const b = await create({ firstName: 'Phone', phone: '+15125550999' });
    const aId = (a.body['contact'] as Record<string, unknown>)['id'];
    const upsert = await call(sandbox, 'POST', '/contacts/upsert', {
      token,
      body: {
        locationId: sandbox.locationId,
        email: 'owner-a@example.com',
        phone: '+15125550999',
        lastName: 'Merged',
        gender: 'x',
      },
    });
    assert.equal(upsert.status, 200);
    assert.equal(upsert.body['new'], false);
    const contact = upsert.body['contact'] as Record<string, unknown>;
    assert.equal(contact['id'], aId);
    assert.equal(contact['lastName'], 'Merged');
    assert.equal(contact['phone'], undefined, 'the phone belongs to B and is dropped');
    assert.equal(typeof upsert.body['traceId'], 'string');
    const fresh = await call(sandbox, 'POST', '/contacts/upsert', {
      token,
      body: { locationId: sandbox.locationId, email: 'brand-new@example.com' },
    });
    assert.equal(fresh.body['new'], true);
    void b;
  });

  void test('tasks: 201 on create, required fields, /completed, delete', async () => {
    const created = await create({ firstName: 'Tasked' });
    const id = (created.body['contact'] as Record<string, unknown>)['id'] as string;
    const invalid = await call(sandbox, 'POST', `/contacts/${id}/tasks`, {
      token,
      body: { body: 'no title' },
    });
    assert.equal(invalid.status, 422);
    const messages = invalid.body['message'] as string[];
    for (const field of ['title', 'dueDate', 'completed'])
      assert.ok(
        messages.some((m) => m.startsWith(field)),
        field,
      );
    const task = await call(sandbox, 'POST', `/contacts/${id}/tasks`, {
      token,
      body: { title: 'Call', dueDate: '2030-01-02T10:00:00Z', completed: false },
    });
    assert.equal(task.status, 201);
    const taskBody = task.body['task'] as Record<string, unknown>;
    assert.equal(taskBody['dueDate'], '2030-01-02T10:00:00.000Z');
    const taskId = taskBody['id'] as string;
    assert.equal(
      (await call(sandbox, 'PUT', `/contacts/${id}/tasks/${taskId}/completed`, { token, body: {} }))
        .status,
      422,
    );
    const done = await call(sandbox, 'PUT', `/contacts/${id}/tasks/${taskId}/completed`, {
      token,
      body: { completed: true },
    });
    assert.equal((done.body['task'] as Record<string, unknown>)['completed'], true);
    const deleted = await call(sandbox, 'DELETE', `/contacts/${id}/tasks/${taskId}`, { token });
    assert.deepEqual(withoutTrace(deleted.body), { succeded: true });
    const list = await call(sandbox, 'GET', `/contacts/${id}/tasks`, { token });
    assert.deepEqual(list.body['tasks'], []);
  });

  void test('notes have no dateUpdated; body is required', async () => {
    const created = await create({ firstName: 'Noted' });
    const id = (created.body['contact'] as Record<string, unknown>)['id'] as string;
    assert.equal(
      (await call(sandbox, 'POST', `/contacts/${id}/notes`, { token, body: {} })).status,
      422,
    );
    const note = await call(sandbox, 'POST', `/contacts/${id}/notes`, {
      token,
      body: { body: 'hello' },
    });
    assert.equal(note.status, 201);
    const noteBody = note.body['note'] as Record<string, unknown>;
    assert.equal(noteBody['dateUpdated'], undefined);
    const updated = await call(sandbox, 'PUT', `/contacts/${id}/notes/${String(noteBody['id'])}`, {
      token,
      body: { body: 'changed' },
    });
    assert.equal((updated.body['note'] as Record<string, unknown>)['body'], 'changed');
  });

  void test('appointments: contact list is zone-less, calendar endpoints use Version 2021-04-15', async () => {
    const created = await create({ firstName: 'Booked' });
    const id = (created.body['contact'] as Record<string, unknown>)['id'] as string;
    const calendarToken = sandbox.mintToken({
      scopes: ['calendars/events.readonly', 'calendars/events.write'],
    }).accessToken;
    const state = (await (await fetch(`${sandbox.url}/__sandbox/state?entities=false`)).json()) as {
      calendars: { id: string; locationId: string }[];
    };
    const calendar = state.calendars.find((c) => c.locationId === sandbox.locationId);
    assert.ok(calendar !== undefined);
    const start = Date.UTC(2031, 0, 15, 16, 0, 0);
    const booked = await call(sandbox, 'POST', '/calendars/events/appointments', {
      token: calendarToken,
      body: {
        calendarId: calendar.id,
        locationId: sandbox.locationId,
        contactId: id,
        startTime: new Date(start).toISOString(),
      },
    });
    assert.equal(booked.status, 200);
    const eventId = booked.body['id'] as string;
    const events = await call(sandbox, 'GET', `/contacts/${id}/appointments`, { token });
    const event = (events.body['events'] as Record<string, unknown>[])[0];
    assert.match(String(event?.['startTime']), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const window = await call(
      sandbox,
      'GET',
      `/calendars/events?locationId=${sandbox.locationId}&calendarId=${calendar.id}&startTime=${start - 1000}&endTime=${start + 1000}`,
      { token: calendarToken },
    );
    assert.deepEqual(
      (window.body['events'] as Record<string, unknown>[]).map((e) => e['id']),
      [eventId],
    );
    const deleted = await call(sandbox, 'DELETE', `/calendars/events/${eventId}`, {
      token: calendarToken,
    });
    assert.equal(deleted.body['succeeded'], true);
  });

  void test('users and location task search', async () => {
    const usersToken = sandbox.mintToken({
      scopes: ['users.readonly', 'locations/tasks.readonly'],
    }).accessToken;
    const users = await call(sandbox, 'GET', `/users/?locationId=${sandbox.locationId}`, {
      token: usersToken,
    });
    const list = users.body['users'] as Record<string, unknown>[];
    assert.equal(list.length, 3);
    const one = await call(sandbox, 'GET', `/users/${String(list[0]?.['id'])}`, {
      token: usersToken,
    });
    assert.equal(one.body['email'], list[0]?.['email']);
    const tasks = await call(sandbox, 'POST', `/locations/${sandbox.locationId}/tasks/search`, {
      token: usersToken,
      body: { completed: false, limit: 5 },
    });
    assert.equal(tasks.status, 200);
    for (const task of tasks.body['tasks'] as Record<string, unknown>[])
      assert.equal(task['completed'], false);
  });

  void test('the 422-but-persists knob creates the contact anyway', async () => {
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ createReturns422ButPersists: true }),
    });
    const reply = await create({ firstName: 'Ghost', email: 'ghost@example.com' });
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ createReturns422ButPersists: false }),
    });
    assert.equal(reply.status, 422);
    const duplicate = await call(
      sandbox,
      'GET',
      `/contacts/search/duplicate?locationId=${sandbox.locationId}&email=ghost%40example.com`,
      { token },
    );
    assert.equal((duplicate.body['contact'] as Record<string, unknown>)['firstName'], 'Ghost');
  });
});
