/**
 * The spec validator must be able to fail: every check here pairs a body the spec accepts with one
 * it rejects, so the sandbox conformance test (sandbox-ghl-spec.int.test.ts) means something.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  loadGhlSpecValidator,
  type GhlSpecValidator,
  type ValidationResult,
} from './support/ghl-spec-validator.ts';

let spec: GhlSpecValidator;
let bare: GhlSpecValidator;

before(async () => {
  [spec, bare] = await Promise.all([
    loadGhlSpecValidator(),
    loadGhlSpecValidator(undefined, { overlays: [], patches: [] }),
  ]);
});

function contactFromExamples(): Record<string, unknown> {
  const body = spec.exampleResponse({ method: 'GET', path: '/contacts/abc', status: 200 });
  assert.ok(
    isRecord(body) && isRecord(body.contact),
    'the spec has examples for GetContectByIdSchema',
  );
  return body.contact;
}

function assertFails(result: ValidationResult, ...fragments: string[]): void {
  assert.equal(result.ok, false, 'expected the body to be rejected');
  const text = result.errors.join('\n');
  for (const fragment of fragments)
    assert.ok(text.includes(fragment), `no error mentions "${fragment}" in:\n${text}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

describe('operation lookup', () => {
  test('lists the operations of every apps/ file', () => {
    const ops = spec.listOperations();
    const files = new Set(ops.map((op) => op.file));
    for (const file of ['contacts', 'calendars', 'locations', 'users', 'custom-fields', 'oauth']) {
      assert.ok(files.has(`apps/${file}.json`), `apps/${file}.json contributes operations`);
    }
    assert.ok(
      ops.some((op) => op.operationId === 'search-contacts-advanced' && op.method === 'POST'),
    );
    assert.ok(!files.has('contacts-2025/contacts.json'), 'the 2025 file only serves overlays');
  });

  test('prefers literal segments over parameters', () => {
    const lookup = (method: string, path: string) => spec.findOperation(method, path)?.operationId;
    assert.equal(lookup('POST', '/contacts/search'), 'search-contacts-advanced');
    assert.equal(lookup('GET', '/contacts/search/duplicate?locationId=x'), 'get-duplicate-contact');
    assert.equal(lookup('GET', '/contacts/seD4PfOuKoVMLkEZqohJ'), 'get-contact');
    assert.equal(lookup('GET', '/contacts/'), 'get-contacts');
    assert.equal(lookup('GET', 'http://127.0.0.1:1/contacts?locationId=x'), 'get-contacts');
    assert.equal(lookup('GET', '/users/search'), 'search-users');
    assert.equal(lookup('GET', '/users/u1'), 'get-user');
    assert.equal(lookup('PUT', '/contacts/c1/tasks/t1/completed'), 'update-task-completed');
    // The method narrows first, as in the real router: GET /contacts/search is get-contact.
    assert.equal(lookup('GET', '/contacts/search'), 'get-contact');
  });

  test('fails for an unknown path or method', () => {
    assertFails(
      spec.validateResponse({ method: 'GET', path: '/nope/1', status: 200, body: {} }),
      'no operation',
      '/nope/1',
    );
    assertFails(
      spec.validateResponse({ method: 'PATCH', path: '/contacts/c1', status: 200, body: {} }),
      'no PATCH operation',
      'GET /contacts/{contactId}',
    );
  });
});

describe('response bodies', () => {
  test('a contact built from the spec examples passes', () => {
    const result = spec.validateResponse({
      method: 'GET',
      path: '/contacts/c1',
      status: 200,
      body: { contact: contactFromExamples() },
    });
    assert.deepEqual(result.errors, []);
    assert.equal(result.operationId, 'get-contact');
  });

  test('a wrong type fails', () => {
    const contact = { ...contactFromExamples(), tags: 'vip' };
    assertFails(
      spec.validateResponse({
        method: 'GET',
        path: '/contacts/c1',
        status: 200,
        body: { contact },
      }),
      '/contact/tags must be array (got "vip")',
    );
  });

  test('a missing required property fails', () => {
    const contact = { ...contactFromExamples(), dndSettings: { Email: { message: 'no status' } } };
    assertFails(
      spec.validateResponse({
        method: 'PUT',
        path: '/contacts/c1',
        status: 200,
        body: { succeded: true, contact },
      }),
      "/contact/dndSettings/Email must have required property 'status'",
    );
  });

  test('a value outside an enum fails', () => {
    const contact = { ...contactFromExamples(), dndSettings: { SMS: { status: 'blocked' } } };
    assertFails(
      spec.validateResponse({
        method: 'POST',
        path: '/contacts/upsert',
        status: 200,
        body: { new: false, contact },
      }),
      '/contact/dndSettings/SMS/status must be equal to one of the allowed values',
      '"blocked"',
    );
  });

  test('custom field values may be string, number, array or object, not boolean', () => {
    const withValue = (value: unknown) => ({
      contact: { ...contactFromExamples(), customFields: [{ id: 'f1', value }] },
    });
    const get = { method: 'GET', path: '/contacts/c1', status: 200 };
    for (const value of ['x', 1500, ['a'], { a: 1 }]) {
      assert.deepEqual(spec.validateResponse({ ...get, body: withValue(value) }).errors, []);
    }
    assertFails(
      spec.validateResponse({ ...get, body: withValue(true) }),
      '/contact/customFields/0/value must be string,number,array,object',
    );
    assertFails(bare.validateResponse({ ...get, body: withValue(1500) }), 'must be string');
  });

  test('the spec example of POST /oauth/token is itself rejected (isBulkInstallation: "Bearer")', () => {
    const body = spec.exampleResponse({ method: 'POST', path: '/oauth/token', status: 200 });
    assertFails(
      spec.validateResponse({ method: 'POST', path: '/oauth/token', status: 200, body }),
      '/isBulkInstallation must be boolean',
    );
  });

  test('nullable is honoured only where the spec says so', () => {
    const meta = {
      total: 1,
      startAfterId: 'a',
      startAfter: 1,
      currentPage: 1,
      nextPage: 2,
      prevPage: null,
    };
    const list = (m: object) =>
      spec.validateResponse({
        method: 'GET',
        path: '/contacts/',
        status: 200,
        body: { contacts: [], count: 0, meta: m },
      });
    assert.deepEqual(list(meta).errors, []);
    assertFails(list({ ...meta, nextPage: null }), '/meta/nextPage must be number');
  });

  test('a status the spec does not declare fails unless an overlay covers it', () => {
    assertFails(
      bare.validateResponse({
        method: 'GET',
        path: '/contacts/c1',
        status: 404,
        body: { statusCode: 404, message: 'x' },
      }),
      'spec declares no schema for 404',
    );
    const duplicate = {
      method: 'GET',
      path: '/contacts/search/duplicate',
      status: 200,
      body: { contact: null },
    };
    assertFails(spec.validateResponse(duplicate), 'spec declares no schema for 200');
    const overlay = {
      id: 'duplicate-shape',
      mode: 'fill',
      source: 'ghl-api.md §10',
      schema: {
        type: 'object',
        required: ['contact'],
        properties: { contact: { type: 'object', nullable: true } },
      },
    } as const;
    const result = spec.validateResponse({ ...duplicate, overlay });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.overlays, ['caller:duplicate-shape']);
    assertFails(
      spec.validateResponse({ ...duplicate, body: { contact: 'x' }, overlay }),
      '/contact must be object,null',
    );
  });

  test('a status declared without a body fails on the bare spec', () => {
    assertFails(
      bare.validateResponse({
        method: 'POST',
        path: '/contacts/search',
        status: 200,
        body: { contacts: [], total: 0 },
      }),
      'spec declares no schema for 200',
    );
  });
});

describe('overlay of documented spec gaps', () => {
  test('404 and 429 need { statusCode, message }', () => {
    const notFound = { method: 'GET', path: '/contacts/c1', status: 404 };
    const ok = spec.validateResponse({
      ...notFound,
      body: { statusCode: 404, message: 'Contact with id c1 not found' },
    });
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(ok.overlays, ['error-404']);
    assertFails(
      spec.validateResponse({ ...notFound, body: { message: 'x' } }),
      "must have required property 'statusCode'",
    );
    assertFails(
      spec.validateResponse({
        method: 'POST',
        path: '/contacts/search',
        status: 429,
        body: { statusCode: 400, message: 'x' },
      }),
      '/statusCode must be equal to one of the allowed values',
    );
  });

  test('POST /contacts/search 200 uses the 2025 SearchContactSuccessResponseDto', () => {
    const contact = { id: 'c1', tags: ['a'], searchAfter: [1700000000000, 'c1'] };
    const search = { method: 'POST', path: '/contacts/search', status: 200 };
    const result = spec.validateResponse({
      ...search,
      body: { contacts: [contact], total: 1, traceId: 't' },
    });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.overlays, ['search-contacts-200']);
    assertFails(
      spec.validateResponse({ ...search, body: { contacts: [contact] } }),
      "must have required property 'total'",
    );
    assertFails(
      spec.validateResponse({
        ...search,
        body: { contacts: [{ ...contact, searchAfter: ['c1', 1] }], total: 1 },
      }),
      '/contacts/0/searchAfter/0 must be number',
    );
  });

  test('GET /contacts/ 200 must also carry meta', () => {
    const list = { method: 'GET', path: '/contacts/', status: 200 };
    assertFails(
      spec.validateResponse({ ...list, body: { contacts: [], count: 0 } }),
      "must have required property 'meta'",
    );
    assertFails(
      spec.validateResponse({ ...list, body: { contacts: [], meta: { total: '3' } } }),
      '/meta/total must be number',
    );
    assert.deepEqual(
      bare.validateResponse({ ...list, body: { contacts: [], count: 0 } }).errors,
      [],
    );
  });

  test('the duplicate-contact 400 must carry meta', () => {
    const create = { method: 'POST', path: '/contacts/', status: 400 };
    const message = 'This location does not allow duplicated contacts.';
    assertFails(
      spec.validateResponse({ ...create, body: { statusCode: 400, message } }),
      "must have required property 'meta'",
    );
    const meta = { contactId: 'c1', contactName: 'Ann Lee', matchingField: 'email' };
    assert.deepEqual(
      spec.validateResponse({ ...create, body: { statusCode: 400, message, meta } }).errors,
      [],
    );
    assert.deepEqual(
      spec.validateResponse({ ...create, body: { statusCode: 400, message: 'Bad Request' } })
        .errors,
      [],
    );
  });

  test('location task search items are objects, not arrays', () => {
    const search = { method: 'POST', path: '/locations/l1/tasks/search', status: 200 };
    assert.deepEqual(
      spec.validateResponse({ ...search, body: { tasks: [{ id: 't1' }] } }).errors,
      [],
    );
    assertFails(
      spec.validateResponse({ ...search, body: { tasks: [[]] } }),
      '/tasks/0 must be object',
    );
    assertFails(
      bare.validateResponse({ ...search, body: { tasks: [{ id: 't1' }] } }),
      '/tasks/0 must be array',
    );
  });
});

describe('request bodies', () => {
  test('CreateTaskParams requires title, dueDate and completed', () => {
    const request = { method: 'POST', path: '/contacts/c1/tasks' };
    const body = { title: 'Call', dueDate: '2020-10-25T11:00:00Z', completed: false };
    assert.deepEqual(spec.validateRequestBody({ ...request, body }).errors, []);
    assertFails(
      spec.validateRequestBody({ ...request, body: { dueDate: body.dueDate, completed: false } }),
      "required property 'title'",
    );
  });

  test('the form-encoded token request is coerced and checked', () => {
    const request = {
      method: 'POST',
      path: '/oauth/token',
      contentType: 'application/x-www-form-urlencoded',
    };
    const body = {
      client_id: 'a',
      client_secret: 'b',
      grant_type: 'refresh_token',
      refresh_token: 'r',
    };
    assert.deepEqual(spec.validateRequestBody({ ...request, body }).errors, []);
    assertFails(
      spec.validateRequestBody({ ...request, body: { ...body, grant_type: 'password' } }),
      '/grant_type',
    );
    assertFails(
      spec.validateRequestBody({ method: 'GET', path: '/contacts/c1', body: {} }),
      'no application/json request body',
    );
  });
});
