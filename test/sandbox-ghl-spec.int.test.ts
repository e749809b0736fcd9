/**
 * The GHL sandbox answers what the vendored GHL spec declares: every operation the sandbox
 * implements is driven over real HTTP with plain fetch, and every response body (errors included)
 * is checked by the spec validator. The last test fails when an operation of COVERAGE was not
 * exercised, so an operation cannot silently drop out of this suite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGhlSandbox, type GhlSandbox } from '../sandbox/ghl/index.ts';
import {
  loadGhlSpecValidator,
  type GhlSpecValidator,
  type ResponseOverlay,
} from './support/ghl-spec-validator.ts';

/** `<operationId> <status>` pairs this suite must exercise. */
const COVERAGE = [
  'get-contact 200',
  'create-contact 201',
  'update-contact 200',
  'delete-contact 200',
  'upsert-contact 200',
  'search-contacts-advanced 200',
  'get-duplicate-contact 200',
  'get-contacts 200',
  'get-contacts-by-businessId 200',
  'get-all-tasks 200',
  'get-task 200',
  'create-task 201',
  'update-task 200',
  'update-task-completed 200',
  'delete-task 200',
  'get-all-notes 200',
  'get-note 200',
  'create-note 201',
  'update-note 200',
  'delete-note 200',
  'get-appointments-for-contact 200',
  'add-tags 201',
  'remove-tags 200',
  'get-calendars 200',
  'get-calendar-events 200',
  'get-appointment 200',
  'create-appointment 200',
  'edit-appointment 200',
  'delete-event 201',
  'task-search 200',
  'get-custom-fields 200',
  'get-user-by-location 200',
  'get-user 200',
  'get-access-token 200',
  'get-access-token 400',
  'get-location-access-token 200',
  'get-installed-location 200',
  // Errors: invalid token, missing scope, foreign location, unknown id, whitelist, duplicate, burst.
  'get-contact 401',
  'create-contact 401',
  'get-contacts 403',
  'get-contact 404',
  'update-contact 422',
  'search-contacts-advanced 422',
  'create-contact 400',
  'get-contact 429',
  'get-contact 400',
  'get-task 404',
  'get-note 404',
  'create-task 422',
  'create-note 422',
  'create-contact 422',
  'get-appointment 404',
] as const;

const CONTACTS = '2021-07-28';
const CALENDARS = '2021-04-15';
const ALL_SCOPES = [
  'contacts.readonly',
  'contacts.write',
  'calendars.readonly',
  'calendars/events.readonly',
  'calendars/events.write',
  'locations/customFields.readonly',
  'locations/tasks.readonly',
  'users.readonly',
];

/** The sandbox's `{ contact: Contact | null }`; the spec declares no 200 body (ghl-api.md §10). */
const DUPLICATE_SHAPE: ResponseOverlay = {
  id: 'duplicate-lookup',
  mode: 'fill',
  source: 'ghl-api.md §10 (shape unverified upstream; the sandbox assumes { contact })',
  schema: {
    type: 'object',
    required: ['contact'],
    properties: {
      contact: {
        anyOf: [
          { type: 'null' },
          { $ref: 'apps/contacts.json#/components/schemas/GetContectByIdSchema' },
        ],
      },
    },
  },
};

interface Request {
  method: string;
  path: string;
  /** Default the full-scope token; `null` sends no Authorization header. */
  token?: string | null;
  /** Default `2021-07-28`; `null` sends none. */
  version?: string | null;
  json?: unknown;
  form?: Record<string, string>;
  overlay?: ResponseOverlay;
  /** The request deliberately breaks the spec (to provoke a 4xx). */
  invalidRequest?: boolean;
  sandbox?: GhlSandbox;
}

let sandbox: GhlSandbox;
let spec: GhlSpecValidator;
let token: string;
const exercised = new Set<string>();

/** Sends one request, checks status and spec conformance, and returns the parsed body. */
async function call(request: Request, expectedStatus: number): Promise<unknown> {
  const target = request.sandbox ?? sandbox;
  const headers: Record<string, string> = { Accept: 'application/json' };
  const bearer = request.token === undefined ? token : request.token;
  if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
  const version = request.version === undefined ? CONTACTS : request.version;
  if (version !== null) headers.Version = version;
  let body: string | undefined;
  if (request.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  } else if (request.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  const sent = request.form ?? request.json;
  if (sent !== undefined && request.invalidRequest !== true) {
    const contentType =
      request.form === undefined ? 'application/json' : 'application/x-www-form-urlencoded';
    const checked = spec.validateRequestBody({
      method: request.method,
      path: request.path,
      body: sent,
      contentType,
    });
    assert.ok(checked.ok, `test bug: request body breaks the spec: ${checked.errors.join('; ')}`);
  }

  const response = await fetch(`${target.url}${request.path}`, {
    method: request.method,
    headers,
    redirect: 'manual',
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  const label = `${request.method} ${request.path} → ${response.status}`;
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  assert.equal(response.status, expectedStatus, `${label}: ${text.slice(0, 300)}`);
  const result = spec.validateResponse({
    method: request.method,
    path: request.path,
    status: response.status,
    body: parsed,
    ...(request.overlay ? { overlay: request.overlay } : {}),
  });
  if (result.operationId !== undefined) exercised.add(`${result.operationId} ${response.status}`);
  assert.ok(
    result.ok,
    `${label} (${result.operationId ?? '?'}) breaks the spec:\n  ${result.errors.join('\n  ')}`,
  );
  return parsed;
}

/** Reads a nested field, failing the test when the path is absent. */
function at(value: unknown, ...keys: (string | number)[]): unknown {
  return keys.reduce<unknown>((node, key) => {
    assert.ok(
      typeof node === 'object' && node !== null,
      `no ${keys.join('.')} in ${JSON.stringify(value)}`,
    );
    return (node as Record<string | number, unknown>)[key];
  }, value);
}

function text(value: unknown, ...keys: (string | number)[]): string {
  const found = at(value, ...keys);
  assert.equal(typeof found, 'string', `${keys.join('.')} is a string`);
  return found as string;
}

function list(value: unknown, ...keys: (string | number)[]): unknown[] {
  const found = at(value, ...keys);
  assert.ok(Array.isArray(found), `${keys.join('.')} is an array`);
  return found;
}

describe('GHL sandbox responses conform to spec/ghl', () => {
  let contactId: string;
  let seededIds: string[];
  const email = 'spec.check@example.com';

  before(async () => {
    [sandbox, spec] = await Promise.all([
      // The burst limit is exercised on a sandbox of its own (last test).
      startGhlSandbox({
        port: 0,
        seed: 1,
        contacts: 30,
        searchDelayMs: 0,
        rateLimit: { enabled: false },
      }),
      loadGhlSpecValidator(),
    ]);
    token = sandbox.mintToken({ scopes: ALL_SCOPES }).accessToken;
  });

  after(async () => {
    await sandbox.close();
  });

  test('deprecated GET /contacts/ pages', async () => {
    const first = await call(
      { method: 'GET', path: `/contacts/?locationId=${sandbox.locationId}&limit=10` },
      200,
    );
    seededIds = list(first, 'contacts').map((c) => text(c, 'id'));
    assert.equal(seededIds.length, 10);
    const startAfter = String(at(first, 'meta', 'startAfter'));
    const startAfterId = text(first, 'meta', 'startAfterId');
    await call(
      {
        method: 'GET',
        path: `/contacts/?locationId=${sandbox.locationId}&limit=10&startAfter=${startAfter}&startAfterId=${startAfterId}`,
      },
      200,
    );
  });

  test('deprecated GET /contacts/ last and empty pages', async () => {
    const base = `/contacts/?locationId=${sandbox.locationId}`;
    const last = await call({ method: 'GET', path: `${base}&limit=100` }, 200);
    assert.equal(list(last, 'contacts').length, 30);
    await call(
      { method: 'GET', path: `${base}&query=${encodeURIComponent('no such contact')}` },
      200,
    );
  });

  test('GET /contacts/{contactId}', async () => {
    await call({ method: 'GET', path: `/contacts/${seededIds[0]}` }, 200);
  });

  test('every seeded contact with its tasks, notes and appointments', async () => {
    const all = await call(
      {
        method: 'POST',
        path: '/contacts/search',
        json: { locationId: sandbox.locationId, pageLimit: 100 },
      },
      200,
    );
    const ids = list(all, 'contacts').map((c) => text(c, 'id'));
    assert.equal(ids.length, 30);
    for (const id of ids) {
      await call({ method: 'GET', path: `/contacts/${id}` }, 200);
      await call({ method: 'GET', path: `/contacts/${id}/tasks` }, 200);
      await call({ method: 'GET', path: `/contacts/${id}/notes` }, 200);
      await call({ method: 'GET', path: `/contacts/${id}/appointments` }, 200);
    }
  });

  test('POST /contacts/ creates (201), a duplicate is a 400 with meta', async () => {
    const fields = await call(
      { method: 'GET', path: `/locations/${sandbox.locationId}/customFields?model=contact` },
      200,
    );
    const customFields = list(fields, 'customFields').map((field) => ({
      id: text(field, 'id'),
      fieldValue: at(field, 'dataType') === 'MONETORY' ? 1500 : 'spec value',
    }));
    const json = {
      customFields,
      locationId: sandbox.locationId,
      firstName: 'Spec',
      lastName: 'Check',
      email,
      phone: '+15555550123',
      tags: ['spec'],
      source: 'public api',
      dndSettings: { Email: { status: 'inactive' } },
    };
    const created = await call({ method: 'POST', path: '/contacts/', json }, 201);
    contactId = text(created, 'contact', 'id');
    const duplicate = await call({ method: 'POST', path: '/contacts/', json }, 400);
    assert.equal(at(duplicate, 'meta', 'contactId'), contactId);
  });

  test('PUT /contacts/{contactId}, and 422 for a property UpdateContactDto lacks', async () => {
    await call(
      {
        method: 'PUT',
        path: `/contacts/${contactId}`,
        json: { lastName: 'Checked', tags: ['spec', 'b'] },
      },
      200,
    );
    await call(
      {
        method: 'PUT',
        path: `/contacts/${contactId}`,
        json: { gender: 'female' },
        invalidRequest: true,
      },
      422,
    );
  });

  test('POST /contacts/upsert', async () => {
    const upserted = await call(
      {
        method: 'POST',
        path: '/contacts/upsert',
        json: { locationId: sandbox.locationId, email, city: 'Austin' },
      },
      200,
    );
    assert.equal(at(upserted, 'new'), false);
  });

  test('POST /contacts/search, and 422 without pageLimit', async () => {
    const found = await call(
      {
        method: 'POST',
        path: '/contacts/search',
        json: { locationId: sandbox.locationId, pageLimit: 5, page: 1 },
      },
      200,
    );
    assert.equal(list(found, 'contacts').length, 5);
    const searchAfter = at(found, 'contacts', 4, 'searchAfter');
    await call(
      {
        method: 'POST',
        path: '/contacts/search',
        json: { locationId: sandbox.locationId, pageLimit: 5, searchAfter },
      },
      200,
    );
    await call(
      { method: 'POST', path: '/contacts/search', json: { locationId: sandbox.locationId } },
      422,
    );
  });

  test('GET /contacts/search/duplicate', async () => {
    const path = `/contacts/search/duplicate?locationId=${sandbox.locationId}&email=${encodeURIComponent(email)}`;
    const found = await call({ method: 'GET', path, overlay: DUPLICATE_SHAPE }, 200);
    assert.equal(at(found, 'contact', 'id'), contactId);
    const none = `/contacts/search/duplicate?locationId=${sandbox.locationId}&email=nobody%40example.com`;
    assert.equal(
      at(await call({ method: 'GET', path: none, overlay: DUPLICATE_SHAPE }, 200), 'contact'),
      null,
    );
  });

  test('GET /contacts/business/{businessId}', async () => {
    await call(
      {
        method: 'GET',
        path: `/contacts/business/641c094001436dbc2081e642?locationId=${sandbox.locationId}`,
      },
      200,
    );
  });

  test('tasks: list, create (201), get, update, complete, delete', async () => {
    const tasks = `/contacts/${contactId}/tasks`;
    await call({ method: 'GET', path: tasks }, 200);
    const json = {
      title: 'Call back',
      body: 'About the lease',
      dueDate: '2030-10-25T11:00:00Z',
      completed: false,
    };
    const taskId = text(await call({ method: 'POST', path: tasks, json }, 201), 'task', 'id');
    await call({ method: 'GET', path: `${tasks}/${taskId}` }, 200);
    await call(
      { method: 'PUT', path: `${tasks}/${taskId}`, json: { title: 'Call back today' } },
      200,
    );
    await call(
      { method: 'PUT', path: `${tasks}/${taskId}/completed`, json: { completed: true } },
      200,
    );
    assert.ok(list(await call({ method: 'GET', path: tasks }, 200), 'tasks').length >= 1);
    await call({ method: 'DELETE', path: `${tasks}/${taskId}` }, 200);
  });

  test('notes: list, create (201), get, update, delete', async () => {
    const notes = `/contacts/${contactId}/notes`;
    const noteId = text(
      await call({ method: 'POST', path: notes, json: { body: 'Wants a 2-bed' } }, 201),
      'note',
      'id',
    );
    await call({ method: 'GET', path: notes }, 200);
    await call({ method: 'GET', path: `${notes}/${noteId}` }, 200);
    await call({ method: 'PUT', path: `${notes}/${noteId}`, json: { body: 'Wants a 3-bed' } }, 200);
    await call({ method: 'DELETE', path: `${notes}/${noteId}` }, 200);
  });

  test('tags: add (201), remove with a JSON body', async () => {
    const tags = `/contacts/${contactId}/tags`;
    await call({ method: 'POST', path: tags, json: { tags: ['hot', 'tour'] } }, 201);
    await call({ method: 'DELETE', path: tags, json: { tags: ['hot'] } }, 200);
  });

  test('appointments of a contact, calendar events and appointment CRUD', async () => {
    let event: unknown;
    for (const id of seededIds) {
      [event] = list(
        await call({ method: 'GET', path: `/contacts/${id}/appointments` }, 200),
        'events',
      );
      if (event !== undefined) break;
    }
    assert.ok(event !== undefined, 'a seeded contact has an appointment');
    const calendarId = text(event, 'calendarId');
    const calendars = list(
      await call(
        { method: 'GET', path: `/calendars/?locationId=${sandbox.locationId}`, version: CALENDARS },
        200,
      ),
      'calendars',
    );
    assert.ok(
      calendars.some((calendar) => text(calendar, 'id') === calendarId),
      "the location's calendars include the appointment's",
    );
    const window = `startTime=0&endTime=${Date.UTC(2100, 0, 1)}`;
    await call(
      {
        method: 'GET',
        path: `/calendars/events?locationId=${sandbox.locationId}&calendarId=${calendarId}&${window}`,
        version: CALENDARS,
      },
      200,
    );
    await call(
      {
        method: 'GET',
        path: `/calendars/events/appointments/${text(event, 'id')}`,
        version: CALENDARS,
      },
      200,
    );

    const json = {
      calendarId,
      locationId: sandbox.locationId,
      contactId,
      startTime: '2030-05-01T15:00:00Z',
      endTime: '2030-05-01T15:30:00Z',
      title: 'Showing',
    };
    const created = await call(
      { method: 'POST', path: '/calendars/events/appointments', json, version: CALENDARS },
      200,
    );
    const eventId = text(created, 'id');
    await call(
      {
        method: 'PUT',
        path: `/calendars/events/appointments/${eventId}`,
        json: { title: 'Showing (moved)' },
        version: CALENDARS,
      },
      200,
    );
    await call({ method: 'DELETE', path: `/calendars/events/${eventId}`, version: CALENDARS }, 201);
  });

  test('POST /locations/{locationId}/tasks/search', async () => {
    const found = await call(
      { method: 'POST', path: `/locations/${sandbox.locationId}/tasks/search`, json: { limit: 5 } },
      200,
    );
    assert.ok(list(found, 'tasks').length > 0, 'seeded tasks are found');
  });

  test('GET /locations/{locationId}/customFields', async () => {
    await call(
      { method: 'GET', path: `/locations/${sandbox.locationId}/customFields?model=contact` },
      200,
    );
  });

  test('GET /users/ and /users/{userId}', async () => {
    const users = await call(
      { method: 'GET', path: `/users/?locationId=${sandbox.locationId}` },
      200,
    );
    await call({ method: 'GET', path: `/users/${text(users, 'users', 0, 'id')}` }, 200);
  });

  test('OAuth: code exchange, refresh, reused refresh token (400), location token, installs', async () => {
    const redirectUri = 'https://app.example.com/oauth/callback';
    const authorize = new URLSearchParams({
      response_type: 'code',
      client_id: sandbox.clientId,
      redirect_uri: redirectUri,
      scope: 'contacts.readonly contacts.write',
    });
    const redirect = await fetch(`${sandbox.url}/oauth/chooselocation?${authorize.toString()}`, {
      redirect: 'manual',
    });
    assert.equal(redirect.status, 302);
    const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const client = { client_id: sandbox.clientId, client_secret: sandbox.clientSecret };
    const form = {
      ...client,
      grant_type: 'authorization_code',
      code,
      user_type: 'Location',
      redirect_uri: redirectUri,
    };
    const issued = await call(
      { method: 'POST', path: '/oauth/token', token: null, version: null, form },
      200,
    );
    const refresh = {
      ...client,
      grant_type: 'refresh_token',
      refresh_token: text(issued, 'refresh_token'),
      user_type: 'Location',
    };
    await call(
      { method: 'POST', path: '/oauth/token', token: null, version: null, form: refresh },
      200,
    );
    await call(
      { method: 'POST', path: '/oauth/token', token: null, version: null, form: refresh },
      400,
    );

    const agency = sandbox.mintToken({
      scopes: ['oauth.write', 'oauth.readonly'],
      kind: 'agency',
    }).accessToken;
    const locationToken = await call(
      {
        method: 'POST',
        path: '/oauth/locationToken',
        token: agency,
        form: { companyId: sandbox.companyId, locationId: sandbox.locationId },
      },
      200,
    );
    const installs = await call(
      {
        method: 'GET',
        path: `/oauth/installedLocations?companyId=${sandbox.companyId}&appId=${text(locationToken, 'appId')}`,
        token: agency,
      },
      200,
    );
    assert.ok(list(installs, 'locations').length > 0);
  });

  test('errors: 401 invalid token, 401 missing scope, 403 foreign location, 404', async () => {
    const invalid = await call(
      { method: 'GET', path: `/contacts/${seededIds[0]}`, token: 'not-a-token' },
      401,
    );
    assert.match(text(invalid, 'message'), /Invalid token/);
    const readOnly = sandbox.mintToken({ scopes: ['contacts.readonly'] }).accessToken;
    const json = { locationId: sandbox.locationId, firstName: 'No', email: 'no.scope@example.com' };
    const scope = await call({ method: 'POST', path: '/contacts/', token: readOnly, json }, 401);
    assert.match(text(scope, 'message'), /not authorized for this scope/);
    await call({ method: 'GET', path: `/contacts/?locationId=${sandbox.otherLocationId}` }, 403);
    await call({ method: 'GET', path: '/contacts/AAAAAAAAAAAAAAAAAAAA' }, 404);
  });

  test('errors: 400 missing Version or malformed id, 404 task and note, 422 required fields', async () => {
    const contact = `/contacts/${seededIds[0]}`;
    await call({ method: 'GET', path: contact, version: null }, 400);
    await call({ method: 'GET', path: '/contacts/not-an-id' }, 400);
    await call({ method: 'GET', path: `${contact}/tasks/AAAAAAAAAAAAAAAAAAAA` }, 404);
    await call({ method: 'GET', path: `${contact}/notes/AAAAAAAAAAAAAAAAAAAA` }, 404);
    const noTitle = { dueDate: '2030-10-25T11:00:00Z', completed: false };
    await call(
      { method: 'POST', path: `${contact}/tasks`, json: noTitle, invalidRequest: true },
      422,
    );
    await call({ method: 'POST', path: `${contact}/notes`, json: {}, invalidRequest: true }, 422);
    await call(
      { method: 'POST', path: '/contacts/', json: { firstName: 'x' }, invalidRequest: true },
      422,
    );
    await call(
      {
        method: 'GET',
        path: '/calendars/events/appointments/AAAAAAAAAAAAAAAAAAAA',
        version: CALENDARS,
      },
      404,
    );
  });

  test('DELETE /contacts/{contactId}, then it is gone', async () => {
    await call({ method: 'DELETE', path: `/contacts/${contactId}` }, 200);
    await call({ method: 'GET', path: `/contacts/${contactId}` }, 404);
  });

  test('429 past the burst limit', async () => {
    const limited = await startGhlSandbox({
      port: 0,
      seed: 2,
      contacts: 1,
      rateLimit: { max: 1, windowMs: 60_000 },
    });
    try {
      const limitedToken = limited.mintToken({ scopes: ['contacts.readonly'] }).accessToken;
      const path = `/contacts/AAAAAAAAAAAAAAAAAAAA`;
      await call({ method: 'GET', path, token: limitedToken, sandbox: limited }, 404);
      await call({ method: 'GET', path, token: limitedToken, sandbox: limited }, 429);
    } finally {
      await limited.close();
    }
  });

  test('every operation in COVERAGE was exercised', () => {
    const missing = COVERAGE.filter((key) => !exercised.has(key));
    assert.deepEqual(missing, [], `not exercised: ${missing.join(', ')}`);
  });
});
