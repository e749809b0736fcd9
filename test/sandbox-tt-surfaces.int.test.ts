/**
 * The two surfaces of the Tenant Turner sandbox: `real` answers 404 with an empty body on
 * `/v1/capabilities` and on every modeled path while the real ones work; `extended` adds the
 * modeled lead and showing updates, tasks, notes and the activity timeline, with ExternalId
 * making a repeated create return the existing record.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTtSandbox } from '../sandbox/tenant-turner/index.ts';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { call, daysAgo, expectStatus } from './support/tt-harness.ts';
import type { Json } from './support/tt-harness.ts';
import { loadTtSpecValidator } from './support/tt-spec-validator.ts';

/** A concrete path for a spec template: ids of records the seed has. */
function concrete(template: string): string {
  return template
    .replace('{applicationId}', '200001')
    .replace('{showingId}', '300001')
    .replace('{propertyId}', '10001')
    .replace(/\{\w+\}/, '400001');
}

let leadsMade = 0;

/** Creates a lead with unique contact details; returns its ApplicationId. */
async function newLead(sandbox: TtSandbox, tag: string): Promise<number> {
  leadsMade++;
  const created = await expectStatus(sandbox, 201, 'POST', '/v1/applications', {
    body: {
      FirstName: tag,
      LastName: 'Tester',
      Email: `${tag}@example.com`,
      Phone: `555${String(1_000_000 + leadsMade)}`,
    },
  });
  return created['ApplicationId'] as number;
}

void describe('real surface', () => {
  let sandbox: TtSandbox;
  before(async () => {
    sandbox = await startTtSandbox({ surface: 'real', rentals: 3, leads: 12, showings: 5 });
  });
  after(async () => {
    await sandbox.close();
  });

  void test('every modeled operation of the spec answers 404 with an empty body', async () => {
    const spec = await loadTtSpecValidator();
    const modeled = spec.operations.filter((op) => op.modeled);
    assert.ok(modeled.length >= 14, `the spec marks the extensions modeled (${modeled.length})`);
    for (const op of modeled) {
      const reply = await call(sandbox, op.method, concrete(op.path), {
        ...(op.method === 'GET' || op.method === 'DELETE'
          ? {}
          : { body: { Title: 'x', Note: 'x' } }),
      });
      assert.equal(reply.status, 404, `${op.method} ${op.path}`);
      assert.equal(reply.text, '', `${op.method} ${op.path} has an empty body`);
    }
    assert.equal(sandbox.surface, 'real');
  });

  void test('the real operations work, and PageSize is ignored', async () => {
    assert.equal((await call(sandbox, 'GET', '/v1/properties')).status, 200);
    assert.equal((await call(sandbox, 'GET', '/v1/applications/200001')).status, 200);
    const page = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications?SinceDateUpdated=${daysAgo(60)}&PageSize=50`,
    );
    assert.equal((page['Data'] as Json[]).length, 10);
    assert.equal(typeof page['NextPage'], 'string');
  });

  void test('a retried showing create duplicates (no idempotency on the real surface)', async () => {
    const property = (sandbox.state()['properties'] as Json[]).find((p) => p['IsActive'] === true);
    assert.ok(property !== undefined);
    const applicationId = await newLead(sandbox, 'realdup');
    const body = {
      ApplicationId: applicationId,
      PropertyId: property['PropertyId'],
      RequestedTimes: ['2030-03-03T10:00:00Z'],
      ExternalId: 'ghl-appt-1',
    };
    const first = await expectStatus(sandbox, 201, 'POST', '/v1/showings', { body });
    const second = await expectStatus(sandbox, 201, 'POST', '/v1/showings', { body });
    assert.notEqual(first['ShowingId'], second['ShowingId']);
  });
});

void describe('extended surface', () => {
  let sandbox: TtSandbox;
  before(async () => {
    sandbox = await startTtSandbox({ rentals: 3, leads: 12, showings: 5 });
  });
  after(async () => {
    await sandbox.close();
  });

  void test('capabilities lists the five extensions', async () => {
    assert.equal(sandbox.surface, 'extended');
    assert.deepEqual(await expectStatus(sandbox, 200, 'GET', '/v1/capabilities'), {
      Extensions: ['lead-update', 'showing-update', 'tasks', 'notes', 'activities'],
    });
  });

  void test('lead-update changes only what is sent; a taken email is a 409', async () => {
    const id = await newLead(sandbox, 'update');
    const other = await newLead(sandbox, 'taken');
    const put = await call(sandbox, 'PUT', `/v1/applications/${id}`, {
      body: { lastName: 'Renamed', source: 'GHL' },
    });
    assert.equal(put.status, 204);
    const lead = await expectStatus(sandbox, 200, 'GET', `/v1/applications/${id}`);
    assert.equal(lead['LastName'], 'Renamed');
    assert.equal(lead['Source'], 'GHL');
    assert.equal(lead['FirstName'], 'update');
    const clash = await call(sandbox, 'PUT', `/v1/applications/${id}`, {
      body: { Email: 'TAKEN@example.com' },
    });
    assert.equal(clash.status, 409);
    assert.equal((clash.body as Json)['ApplicationId'], other);
    // A changed email frees the old one and takes the new one.
    await expectStatus(sandbox, 204, 'PUT', `/v1/applications/${id}`, {
      body: { Email: 'moved@example.com' },
    });
    const reuse = { FirstName: 'R', LastName: 'U', Phone: '5559990001' };
    await expectStatus(sandbox, 201, 'POST', '/v1/applications', {
      body: { ...reuse, Email: 'update@example.com' },
    });
    const taken = await call(sandbox, 'POST', '/v1/applications', {
      body: { ...reuse, Phone: '5559990002', Email: 'Moved@example.com' },
    });
    assert.equal((taken.body as Json)['ApplicationId'], id);
  });

  void test('tasks: create, read, list, update, delete; ExternalId makes a repeated create return the first', async () => {
    const lead = await newLead(sandbox, 'tasks');
    const body = {
      Title: 'Call back',
      Priority: 'high',
      DueDate: '2030-01-15',
      ExternalId: 'ghl-task-1',
    };
    const created = await expectStatus(sandbox, 201, 'POST', `/v1/applications/${lead}/tasks`, {
      body,
    });
    assert.equal(created['TaskStatus'], 'New');
    assert.equal(created['Priority'], 'High');
    const again = await expectStatus(sandbox, 200, 'POST', `/v1/applications/${lead}/tasks`, {
      body: { ...body, Title: 'Changed' },
    });
    assert.deepEqual(again, created, 'the existing task, unchanged');
    const otherLead = await newLead(sandbox, 'tasks2');
    const elsewhere = await expectStatus(
      sandbox,
      201,
      'POST',
      `/v1/applications/${otherLead}/tasks`,
      { body },
    );
    assert.notEqual(elsewhere['TaskId'], created['TaskId'], 'ExternalId is scoped to the lead');
    const taskId = created['TaskId'] as number;
    assert.equal(
      (await call(sandbox, 'PUT', `/v1/tasks/${taskId}`, { body: { taskStatus: 'Completed' } }))
        .status,
      204,
    );
    const read = await expectStatus(sandbox, 200, 'GET', `/v1/tasks/${taskId}`);
    assert.equal(read['TaskStatus'], 'Completed');
    assert.equal(read['Title'], 'Call back');
    const list = await expectStatus(sandbox, 200, 'GET', `/v1/applications/${lead}/tasks`);
    assert.equal(list['TotalCount'], 1);
    const tooLong = await call(sandbox, 'POST', `/v1/applications/${lead}/tasks`, {
      body: { Title: 'x'.repeat(128) },
    });
    assert.equal(tooLong.status, 422);
    const badStatus = await call(sandbox, 'PUT', `/v1/tasks/${taskId}`, {
      body: { TaskStatus: 'Done' },
    });
    assert.equal(badStatus.status, 422);
    assert.equal((await call(sandbox, 'DELETE', `/v1/tasks/${taskId}`)).status, 204);
    assert.equal((await call(sandbox, 'GET', `/v1/tasks/${taskId}`)).status, 404);
  });

  void test('notes: create with ExternalId twice gives one note; update; delete', async () => {
    const lead = await newLead(sandbox, 'notes');
    const body = { Note: 'Asked about pets.', Author: 'ttsync', ExternalId: 'ghl-note-9' };
    const created = await expectStatus(sandbox, 201, 'POST', `/v1/applications/${lead}/notes`, {
      body,
    });
    const again = await expectStatus(sandbox, 200, 'POST', `/v1/applications/${lead}/notes`, {
      body,
    });
    assert.equal(again['NoteId'], created['NoteId']);
    const list = await expectStatus(sandbox, 200, 'GET', `/v1/applications/${lead}/notes`);
    assert.equal(list['TotalCount'], 1);
    const noteId = created['NoteId'] as number;
    assert.equal(
      (await call(sandbox, 'PUT', `/v1/notes/${noteId}`, { body: { note: 'Has a cat.' } })).status,
      204,
    );
    assert.equal(
      (await expectStatus(sandbox, 200, 'GET', `/v1/notes/${noteId}`))['Note'],
      'Has a cat.',
    );
    assert.equal((await call(sandbox, 'DELETE', `/v1/notes/${noteId}`)).status, 204);
    assert.equal(
      (await expectStatus(sandbox, 200, 'GET', `/v1/applications/${lead}/notes`))['TotalCount'],
      0,
    );
  });

  void test('activities merge own events, tasks, notes and posted entries, newest first; a posted ExternalId is not duplicated', async () => {
    const lead = await newLead(sandbox, 'timeline');
    await expectStatus(sandbox, 201, 'POST', `/v1/applications/${lead}/tasks`, {
      body: { Title: 'Send link' },
    });
    await expectStatus(sandbox, 201, 'POST', `/v1/applications/${lead}/notes`, {
      body: { Note: 'Prefers texts.' },
    });
    const post = {
      Type: 'SMS',
      OccurredAt: '2020-01-01T12:00:00Z',
      Summary: 'Texted the lead',
      Source: 'GHL',
      ExternalId: 'ghl-msg-1',
    };
    const posted = await expectStatus(sandbox, 201, 'POST', `/v1/applications/${lead}/activities`, {
      body: post,
    });
    assert.deepEqual(Object.keys(posted), ['ActivityId']);
    const repeat = await expectStatus(sandbox, 200, 'POST', `/v1/applications/${lead}/activities`, {
      body: post,
    });
    assert.equal(repeat['ActivityId'], posted['ActivityId']);
    const timeline = await expectStatus(sandbox, 200, 'GET', `/v1/applications/${lead}/activities`);
    const rows = timeline['Data'] as Json[];
    assert.deepEqual(
      rows.map((r) => r['Type']),
      ['Note Added', 'Task Created', 'Lead Created', 'SMS'],
    );
    assert.equal(rows.at(-1)?.['Source'], 'GHL');
    assert.equal(rows[0]?.['Source'], 'TenantTurner');
    const pageOne = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications/${lead}/activities?PageSize=2`,
    );
    const pageTwo = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications/${lead}/activities?NextPage=${encodeURIComponent(String(pageOne['NextPage']))}`,
    );
    assert.deepEqual(
      [...(pageOne['Data'] as Json[]), ...(pageTwo['Data'] as Json[])].map((r) => r['ActivityId']),
      rows.map((r) => r['ActivityId']),
    );
    assert.equal(pageTwo['NextPage'], null);
  });
});
