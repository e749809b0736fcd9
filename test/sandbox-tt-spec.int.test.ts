/**
 * The Tenant Turner sandbox answers what spec/tenant-turner/openapi.json declares: every operation
 * is driven over HTTP and every response (errors included) is checked against the operation and
 * status; the request bodies sent are checked too, and so are the webhooks received. The
 * validator is shown to reject what it must, and the last test fails when an operation and status
 * of COVERAGE was not exercised.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTtSandbox } from '../sandbox/tenant-turner/index.ts';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import {
  call,
  daysAgo,
  expectStatus,
  operate,
  recorded,
  waitUntil,
  WebhookReceiver,
} from './support/tt-harness.ts';
import type { Json } from './support/tt-harness.ts';
import { loadTtSpecValidator } from './support/tt-spec-validator.ts';
import type { TtSpecValidator } from './support/tt-spec-validator.ts';

/** `<operationId> <status>` pairs this suite must exercise. */
const COVERAGE = [
  'listProperties 200',
  'createProperty 201',
  'syncProperties 200',
  'getProperty 200',
  'updateProperty 204',
  'activateProperty 204',
  'deactivateProperty 204',
  'listApplications 200',
  'createApplication 201',
  'getApplication 200',
  'updateApplication 204',
  'listShowings 200',
  'createShowing 201',
  'getShowing 200',
  'updateShowing 204',
  'getCapabilities 200',
  'listTasks 200',
  'createTask 201',
  'createTask 200',
  'getTask 200',
  'updateTask 204',
  'deleteTask 204',
  'listNotes 200',
  'createNote 201',
  'createNote 200',
  'getNote 200',
  'updateNote 204',
  'deleteNote 204',
  'listActivities 200',
  'createActivity 201',
  'createActivity 200',
  // Errors.
  'listProperties 401',
  'createProperty 400',
  'createProperty 422',
  'getProperty 404',
  'getApplication 400',
  'listApplications 422',
  'listApplications 400',
  'createApplication 409',
  'createApplication 422',
  'updateApplication 409',
  'createShowing 422',
  'updateShowing 422',
  'getTask 404',
  'createNote 422',
  'getShowing 503',
] as const;

let sandbox: TtSandbox;
let spec: TtSpecValidator;
let receiver: WebhookReceiver;
const requests: { method: string; path: string; body: unknown }[] = [];

/** A call whose body must also be valid for the operation (a request the spec allows). */
async function send(status: number, method: string, path: string, body: unknown): Promise<Json> {
  requests.push({ method, path, body });
  return expectStatus(sandbox, status, method, path, { body });
}

before(async () => {
  spec = await loadTtSpecValidator();
  receiver = await new WebhookReceiver().start();
  sandbox = await startTtSandbox({
    rentals: 2,
    leads: 12,
    showings: 4,
    webhookUrls: [receiver.url],
  });
  recorded.length = 0;
});
after(async () => {
  await sandbox.close();
  await receiver.stop();
});

void describe('the validator can fail', () => {
  void test('it rejects wrong types, missing fields, undeclared statuses and stray bodies', async () => {
    const property = await expectStatus(sandbox, 200, 'GET', '/v1/properties/10001');
    const ok = spec.validateResponse({
      method: 'GET',
      path: '/v1/properties/10001',
      status: 200,
      body: property,
    });
    assert.ok(ok.ok, ok.errors.join('\n'));
    const numeric = spec.validateResponse({
      method: 'GET',
      path: '/v1/properties/10001',
      status: 200,
      body: { ...property, Bedrooms: 3 },
    });
    assert.equal(numeric.ok, false, 'Bedrooms must read back as a string');
    const { Showings: _, ...lead } = await expectStatus(
      sandbox,
      200,
      'GET',
      '/v1/applications/200001',
    );
    assert.equal(
      spec.validateResponse({
        method: 'GET',
        path: '/v1/applications/200001',
        status: 200,
        body: lead,
      }).ok,
      false,
    );
    assert.equal(
      spec.validateResponse({
        method: 'GET',
        path: '/v1/applications/200001',
        status: 200,
        body: { ...lead, Showings: [], Extra: 1 },
      }).ok,
      false,
    );
    assert.equal(
      spec.validateResponse({ method: 'GET', path: '/v1/properties', status: 418, body: {} }).ok,
      false,
    );
    assert.equal(
      spec.validateResponse({
        method: 'PUT',
        path: '/v1/properties/1/activate',
        status: 204,
        body: {},
      }).ok,
      false,
    );
    assert.equal(
      spec.validateResponse({
        method: 'GET',
        path: '/v1/properties/1',
        status: 404,
        body: undefined,
      }).ok,
      false,
    );
    assert.equal(
      spec.validateRequest({ method: 'POST', path: '/v1/applications', body: { FirstName: 'x' } })
        .ok,
      false,
    );
    assert.equal(
      spec.validateWebhook({
        EventId: 'x',
        EventType: 'Lead Exploded',
        OccurredAt: 'now',
        Data: {},
      }).ok,
      false,
    );
  });
});

void describe('every operation', () => {
  void test('rentals', async () => {
    await call(sandbox, 'GET', '/v1/properties', { authorization: null });
    await expectStatus(sandbox, 200, 'GET', '/v1/properties');
    await expectStatus(sandbox, 200, 'GET', '/v1/properties/sync');
    const write = {
      Address: '77 Spec St',
      Address2: 'Unit 2',
      City: 'Tampa',
      State: 'FL',
      ZipCode: '33602',
      PropertyType: 'Condo',
      SquareFootage: 900,
      Bedrooms: 2,
      Bathrooms: 1.5,
      RentAmount: 1700,
      DepositAmount: 1700,
      ApplicationFee: 45,
      Photos: [{ Url: 'https://example.com/1.jpg', Order: 1 }],
      Owners: [{ Email: 'owner@example.com' }],
      PropertyFeatures: { Parking: 'Garage' },
      PropertyAmenities: ['Pool'],
      ExternalId: 'pm-77',
      ExternalSource: 'Buildium',
    };
    const { PropertyId: id } = await send(201, 'POST', '/v1/properties', write);
    await expectStatus(sandbox, 200, 'GET', `/v1/properties/${String(id)}`);
    await send(204, 'PUT', `/v1/properties/${String(id)}`, { ...write, RentAmount: 1750 });
    await expectStatus(sandbox, 204, 'PUT', `/v1/properties/${String(id)}/activate`);
    await expectStatus(sandbox, 204, 'PUT', `/v1/properties/${String(id)}/deactivate`);
    await expectStatus(sandbox, 204, 'PUT', `/v1/properties/${String(id)}/activate`);
    await expectStatus(sandbox, 400, 'POST', '/v1/properties', {
      body: { ...write, Bedrooms: 'two' },
    });
    await expectStatus(sandbox, 422, 'POST', '/v1/properties', { body: { Address: 'no city' } });
    await expectStatus(sandbox, 404, 'GET', '/v1/properties/1');
  });

  void test('leads, showings and the modeled extensions', async () => {
    const rental = ((sandbox.state()['properties'] as Json[]).find((p) => p['IsActive'] === true) ??
      {})['PropertyId'];
    const leadBody = {
      FirstName: 'Spec',
      LastName: 'Lead',
      Email: 'spec.lead@example.com',
      Phone: '8135550123',
      PropertyId: rental,
      Source: 'GHL',
      ExternalId: 'ghl-c-1',
      ExternalSource: 'HighLevel',
    };
    const { ApplicationId: id } = await send(201, 'POST', '/v1/applications', leadBody);
    const other = await send(201, 'POST', '/v1/applications', {
      ...leadBody,
      Email: 'other@example.com',
      Phone: '8135550999',
    });
    await expectStatus(sandbox, 409, 'POST', '/v1/applications', { body: leadBody });
    await expectStatus(sandbox, 422, 'POST', '/v1/applications', { body: { FirstName: 'x' } });
    await expectStatus(sandbox, 400, 'GET', '/v1/applications/abc');
    await expectStatus(sandbox, 200, 'GET', `/v1/applications/${String(id)}`);
    await send(204, 'PUT', `/v1/applications/${String(id)}`, { Source: 'Website' });
    await expectStatus(sandbox, 409, 'PUT', `/v1/applications/${String(id)}`, {
      body: { Email: 'other@example.com' },
    });
    assert.ok(other['ApplicationId']);
    const first = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications?SinceDateUpdated=${daysAgo(60)}&PageSize=5`,
    );
    await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications?NextPage=${encodeURIComponent(String(first['NextPage']))}`,
    );
    await expectStatus(sandbox, 422, 'GET', '/v1/applications');
    await expectStatus(sandbox, 400, 'GET', '/v1/applications?NextPage=garbage');

    const { ShowingId: showing } = await send(201, 'POST', '/v1/showings', {
      ApplicationId: id,
      PropertyId: rental,
      RequestedTimes: ['2030-10-01T10:00:00Z'],
      Notes: 'Via spec',
      ExternalId: 'ghl-a-1',
    });
    await expectStatus(sandbox, 422, 'POST', '/v1/showings', {
      body: { ApplicationId: id, PropertyId: 1, RequestedTimes: ['2030-10-01T10:00:00Z'] },
    });
    await expectStatus(sandbox, 200, 'GET', `/v1/showings/${String(showing)}`);
    await expectStatus(sandbox, 200, 'GET', `/v1/showings?SinceDateUpdated=${daysAgo(1)}`);
    await send(204, 'PUT', `/v1/showings/${String(showing)}`, {
      ScheduledTime: '2030-10-01T10:00:00Z',
    });
    await send(204, 'PUT', `/v1/showings/${String(showing)}`, {
      Status: 'Cancelled',
      CancellationSource: 'Lead',
    });
    await expectStatus(sandbox, 422, 'PUT', `/v1/showings/${String(showing)}`, {
      body: { Status: 'Confirmed' },
    });
    await operate(sandbox, '/faults', { failNext: { 'GET /v1/showings/:showingId': 1 } });
    await expectStatus(sandbox, 503, 'GET', `/v1/showings/${String(showing)}`);

    await expectStatus(sandbox, 200, 'GET', '/v1/capabilities');
    const tasks = `/v1/applications/${String(id)}/tasks`;
    const task = {
      Title: 'Follow up',
      Description: 'Call after the viewing',
      TaskStatus: 'InProgress',
      Priority: 'Low',
      DueDate: '2030-10-02',
      AssignedToUserEmail: 'agent@example.com',
      ExternalId: 'ghl-t-1',
    };
    const { TaskId: taskId } = await send(201, 'POST', tasks, task);
    await send(200, 'POST', tasks, task);
    await expectStatus(sandbox, 200, 'GET', tasks);
    await expectStatus(sandbox, 200, 'GET', `/v1/tasks/${String(taskId)}`);
    await send(204, 'PUT', `/v1/tasks/${String(taskId)}`, { TaskStatus: 'Completed' });
    await expectStatus(sandbox, 204, 'DELETE', `/v1/tasks/${String(taskId)}`);
    await expectStatus(sandbox, 404, 'GET', `/v1/tasks/${String(taskId)}`);
    const notes = `/v1/applications/${String(id)}/notes`;
    const note = { Note: 'Spec note', Author: 'ttsync', ExternalId: 'ghl-n-1' };
    const { NoteId: noteId } = await send(201, 'POST', notes, note);
    await send(200, 'POST', notes, note);
    await expectStatus(sandbox, 422, 'POST', notes, { body: { Author: 'no note' } });
    await expectStatus(sandbox, 200, 'GET', notes);
    await expectStatus(sandbox, 200, 'GET', `/v1/notes/${String(noteId)}`);
    await send(204, 'PUT', `/v1/notes/${String(noteId)}`, { Note: 'Edited' });
    await expectStatus(sandbox, 204, 'DELETE', `/v1/notes/${String(noteId)}`);
    const activities = `/v1/applications/${String(id)}/activities`;
    const entry = {
      Type: 'Email',
      OccurredAt: '2026-01-02T03:04:05Z',
      Summary: 'Sent the brochure',
      Source: 'HighLevel',
      ExternalId: 'ghl-m-1',
    };
    await send(201, 'POST', activities, entry);
    await send(200, 'POST', activities, entry);
    await expectStatus(sandbox, 200, 'GET', `${activities}?PageSize=2`);
  });

  void test('every response, request body and webhook matches the spec', async () => {
    const failures: string[] = [];
    for (const reply of recorded.filter((r) => r.path.startsWith('/v1/'))) {
      const result = spec.validateResponse(reply);
      if (!result.ok)
        failures.push(`${reply.method} ${reply.path} ${reply.status}: ${result.errors.join('; ')}`);
    }
    for (const request of requests) {
      const result = spec.validateRequest(request);
      if (!result.ok)
        failures.push(`request ${request.method} ${request.path}: ${result.errors.join('; ')}`);
    }
    const emitted = (sandbox.stats()['webhooks'] as Json)['emitted'] as number;
    assert.ok(emitted >= 5, `events were emitted (${emitted})`);
    await waitUntil('every webhook', () => receiver.deliveries.length === emitted);
    for (const delivery of receiver.deliveries) {
      const result = spec.validateWebhook(delivery.body);
      if (!result.ok)
        failures.push(`webhook ${String(delivery.body['EventType'])}: ${result.errors.join('; ')}`);
    }
    assert.deepEqual(failures, []);
  });

  void test('COVERAGE was exercised, and it names every operation of the spec', () => {
    const seen = new Set(
      recorded.flatMap((r) => {
        const op = spec.find(r.method, r.path);
        return op === undefined ? [] : [`${op.operationId} ${r.status}`];
      }),
    );
    assert.deepEqual(
      COVERAGE.filter((pair) => !seen.has(pair)),
      [],
    );
    const covered = new Set(COVERAGE.map((pair) => pair.split(' ')[0]));
    assert.deepEqual(
      spec.operations.map((op) => op.operationId).filter((id) => !covered.has(id)),
      [],
    );
  });
});
