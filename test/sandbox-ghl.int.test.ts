/**
 * The GHL sandbox over real HTTP: request DTO whitelists checked against spec/ghl, auth and error
 * bodies, scopes, locations, the Version header, rate limits, reset and determinism.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as dtos from '../sandbox/ghl/dto-specs.ts';
import type { DtoSpec } from '../sandbox/ghl/dto-validation.ts';
import { startGhlSandbox } from '../sandbox/ghl/index.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { call, RW, withoutTrace } from './support/ghl-raw.ts';
import type { Reply } from './support/ghl-raw.ts';

interface SpecSchema {
  properties?: Record<string, unknown>;
  required?: string[];
}

function specSchemas(file: string): Record<string, SpecSchema> {
  const text = readFileSync(new URL(`../spec/ghl/apps/${file}`, import.meta.url), 'utf8');
  return (JSON.parse(text) as { components: { schemas: Record<string, SpecSchema> } }).components
    .schemas;
}

void test('every validated DTO allows exactly the properties of its spec schema', () => {
  const files: Record<string, string> = {
    CreateContactDto: 'contacts.json',
    UpdateContactDto: 'contacts.json',
    UpsertContactDto: 'contacts.json',
    CreateTaskParams: 'contacts.json',
    UpdateTaskBody: 'contacts.json',
    UpdateTaskStatusParams: 'contacts.json',
    NotesDTO: 'contacts.json',
    UpdateNoteDTO: 'contacts.json',
    TagsDTO: 'contacts.json',
    TaskSearchParamsDto: 'locations.json',
    AppointmentCreateSchema: 'calendars.json',
    AppointmentEditSchema: 'calendars.json',
  };
  const specs = Object.values(dtos).filter(
    (value): value is DtoSpec => typeof value === 'object' && 'fields' in value,
  );
  const checked: string[] = [];
  for (const spec of specs) {
    const file = files[spec.name];
    if (file === undefined) continue; // SearchBodyV2DTO is empty upstream (ghl-api.md §2.7)
    const schema = specSchemas(file)[spec.name];
    assert.ok(schema !== undefined, spec.name);
    assert.deepEqual(
      Object.keys(spec.fields),
      Object.keys(schema.properties ?? {}),
      `${spec.name} properties`,
    );
    assert.deepEqual(
      [...spec.required].sort(),
      [...(schema.required ?? [])].sort(),
      `${spec.name} required`,
    );
    checked.push(spec.name);
  }
  assert.deepEqual(checked.sort(), Object.keys(files).sort());
});

void describe('auth, scopes and locations', () => {
  let sandbox: GhlSandbox;
  let token: string;
  let contactId: string;
  let otherContactId: string;
  before(async () => {
    sandbox = await startGhlSandbox({ searchDelayMs: 0 });
    token = sandbox.mintToken({ scopes: RW }).accessToken;
    const list = await call(sandbox, 'GET', `/contacts/?locationId=${sandbox.locationId}&limit=1`, {
      token,
    });
    contactId = ((list.body['contacts'] as Record<string, unknown>[])[0]?.['id'] as string) ?? '';
    const otherToken = sandbox.mintToken({
      scopes: RW,
      locationId: sandbox.otherLocationId,
    }).accessToken;
    const otherList = await call(
      sandbox,
      'GET',
      `/contacts/?locationId=${sandbox.otherLocationId}&limit=1`,
      { token: otherToken },
    );
    otherContactId =
      ((otherList.body['contacts'] as Record<string, unknown>[])[0]?.['id'] as string) ?? '';
  });
  after(() => sandbox.close());

  void test('a missing or unknown token is 401 with the exact body', async () => {
    for (const bad of [undefined, 'not-a-token']) {
      const reply = await call(
        sandbox,
        'GET',
        `/contacts/${contactId}`,
        bad === undefined ? {} : { token: bad },
      );
      assert.equal(reply.status, 401);
      assert.deepEqual(withoutTrace(reply.body), {
        statusCode: 401,
        message: 'Invalid token: access token is invalid',
        error: 'Unauthorized',
      });
    }
  });

  void test('an expired OAuth token is rejected like an invalid one', async () => {
    const expired = sandbox.mintToken({ scopes: RW, kind: 'oauth', expiresInSec: 1 });
    assert.ok(expired.refreshToken !== undefined && expired.expiresAt !== undefined);
    const ok = await call(sandbox, 'GET', `/contacts/${contactId}`, { token: expired.accessToken });
    assert.equal(ok.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const reply = await call(sandbox, 'GET', `/contacts/${contactId}`, {
      token: expired.accessToken,
    });
    assert.equal(reply.status, 401);
  });

  void test('a token without the scope gets 401 "not authorized for this scope", not 403', async () => {
    const readOnly = sandbox.mintToken({ scopes: ['contacts.readonly'] }).accessToken;
    const reply = await call(sandbox, 'PUT', `/contacts/${contactId}`, {
      token: readOnly,
      body: { firstName: 'X' },
    });
    assert.equal(reply.status, 401);
    assert.deepEqual(withoutTrace(reply.body), {
      statusCode: 401,
      message: 'The token is not authorized for this scope.',
      error: 'Unauthorized',
    });
    const writeOnly = sandbox.mintToken({ scopes: ['contacts.write'] }).accessToken;
    assert.equal(
      (await call(sandbox, 'GET', `/contacts/${contactId}`, { token: writeOnly })).status,
      401,
    );
  });

  void test('a foreign location is 403, by query, by body and by resource', async () => {
    const expected = {
      statusCode: 403,
      message: 'The token does not have access to this location.',
    };
    const byQuery = await call(sandbox, 'GET', `/contacts/?locationId=${sandbox.otherLocationId}`, {
      token,
    });
    assert.equal(byQuery.status, 403);
    assert.deepEqual(withoutTrace(byQuery.body), expected);
    const withoutLocation = await call(sandbox, 'GET', '/contacts/?limit=5', { token });
    assert.equal(
      withoutLocation.status,
      403,
      'a page without locationId is 403 (n8n-io/n8n #11353)',
    );
    const byBody = await call(sandbox, 'POST', '/contacts/', {
      token,
      body: { locationId: sandbox.otherLocationId, firstName: 'A' },
    });
    assert.equal(byBody.status, 403);
    const byResource = await call(sandbox, 'GET', `/contacts/${otherContactId}`, { token });
    assert.equal(byResource.status, 403);
    assert.deepEqual(withoutTrace(byResource.body), expected);
  });

  void test('unknown and malformed ids', async () => {
    const missing = 'AAAAAAAAAAAAAAAAAAAA';
    const notFound = await call(sandbox, 'GET', `/contacts/${missing}`, { token });
    assert.equal(notFound.status, 404);
    assert.deepEqual(withoutTrace(notFound.body), {
      statusCode: 404,
      message: `Contact with id ${missing} not found`,
    });
    const malformed = await call(sandbox, 'GET', '/contacts/abc', { token });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body['message'], 'contact id is not a valid firebase id');
    const task = await call(sandbox, 'GET', `/contacts/${contactId}/tasks/${missing}`, { token });
    assert.equal(task.status, 404);
    assert.equal(task.body['message'], `Task with id ${missing} not found`);
  });

  void test('the Version header is required; a wrong value passes unless strict', async () => {
    const missing = await call(sandbox, 'GET', `/contacts/${contactId}`, { token, version: null });
    assert.equal(missing.status, 400);
    const wrong = await call(sandbox, 'GET', `/contacts/${contactId}`, {
      token,
      version: '2023-02-21',
    });
    assert.equal(wrong.status, 200);
    const strict = await startGhlSandbox({ strictVersion: true, contacts: 1 });
    try {
      const strictToken = strict.mintToken({ scopes: RW }).accessToken;
      const list = await call(strict, 'GET', `/contacts/?locationId=${strict.locationId}`, {
        token: strictToken,
        version: '2021-04-15',
      });
      assert.equal(list.status, 400);
    } finally {
      await strict.close();
    }
  });

  void test('unknown routes answer a JSON 404 with traceId and rate-limit headers', async () => {
    const reply = await call(sandbox, 'GET', '/no-such-thing', { token });
    assert.equal(reply.status, 404);
    withoutTrace(reply.body);
    assert.ok(reply.headers.get('x-ratelimit-remaining') !== null);
  });
});

void describe('rate limits', () => {
  void test('five headers on every response, 429 past the burst, reset after the window', async () => {
    // A long window so a slow machine cannot roll it over mid-burst; shortened below to end it.
    const sandbox = await startGhlSandbox({ contacts: 2, rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const token = sandbox.mintToken({ scopes: RW }).accessToken;
      const path = `/contacts/?locationId=${sandbox.locationId}`;
      const statuses: number[] = [];
      let last: Reply | undefined;
      for (let i = 0; i < 4; i++) {
        last = await call(sandbox, 'GET', path, { token });
        statuses.push(last.status);
        for (const header of [
          'x-ratelimit-limit-daily',
          'x-ratelimit-daily-remaining',
          'x-ratelimit-interval-milliseconds',
          'x-ratelimit-max',
          'x-ratelimit-remaining',
        ]) {
          assert.ok(last.headers.get(header) !== null, `${header} on response ${i}`);
        }
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.ok(last !== undefined);
      assert.deepEqual(withoutTrace(last.body), { statusCode: 429, message: 'Too Many Requests' });
      assert.equal(last.headers.get('x-ratelimit-remaining'), '0');
      assert.equal(last.headers.get('x-ratelimit-interval-milliseconds'), '60000');
      // Another location of the same app has its own bucket.
      const other = sandbox.mintToken({
        scopes: RW,
        locationId: sandbox.otherLocationId,
      }).accessToken;
      assert.equal(
        (
          await call(sandbox, 'GET', `/contacts/?locationId=${sandbox.otherLocationId}`, {
            token: other,
          })
        ).status,
        200,
      );
      await fetch(`${sandbox.url}/__sandbox/rate-limit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ windowMs: 1 }),
      });
      const afterWindow = await call(sandbox, 'GET', path, { token });
      assert.equal(afterWindow.status, 200, 'a new window starts once the interval has passed');
      assert.equal(afterWindow.headers.get('x-ratelimit-interval-milliseconds'), '1');
      const stats = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as {
        rateLimited: { burst: number };
      };
      assert.equal(stats.rateLimited.burst, 1);
    } finally {
      await sandbox.close();
    }
  });

  void test('daily exhaustion shows Daily-Remaining 0', async () => {
    const sandbox = await startGhlSandbox({ contacts: 1, rateLimit: { daily: 2 } });
    try {
      const token = sandbox.mintToken({ scopes: RW }).accessToken;
      const path = `/contacts/?locationId=${sandbox.locationId}`;
      await call(sandbox, 'GET', path, { token });
      const second = await call(sandbox, 'GET', path, { token });
      assert.equal(second.status, 200);
      assert.equal(second.headers.get('x-ratelimit-daily-remaining'), '0');
      const third = await call(sandbox, 'GET', path, { token });
      assert.equal(third.status, 429);
      assert.equal(third.headers.get('x-ratelimit-daily-remaining'), '0');
    } finally {
      await sandbox.close();
    }
  });
});

void describe('reset and determinism', () => {
  void test('the same seed gives identical ids; reset re-seeds', async () => {
    const a = await startGhlSandbox({ seed: 7, contacts: 30 });
    const b = await startGhlSandbox({ seed: 7, contacts: 30 });
    try {
      assert.equal(a.locationId, b.locationId);
      assert.equal(a.clientId, b.clientId);
      const dump = async (sandbox: GhlSandbox): Promise<unknown> => {
        const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as Record<
          string,
          unknown
        >;
        return [state['contacts'], state['tasks'], state['notes']];
      };
      const before = await dump(a);
      assert.deepEqual(before, await dump(b));
      const token = a.mintToken({ scopes: RW }).accessToken;
      const created = await call(a, 'POST', '/contacts/', {
        token,
        body: { locationId: a.locationId, firstName: 'Temp' },
      });
      const id = (created.body['contact'] as Record<string, unknown>)['id'] as string;
      const reset = await fetch(`${a.url}/__sandbox/reset`, { method: 'POST' });
      assert.equal(reset.status, 200);
      assert.equal(
        (await call(a, 'GET', `/contacts/${id}`, { token })).status,
        404,
        'tokens survive a reset, data does not',
      );
      assert.deepEqual(await dump(a), before);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

async function operator(
  sandbox: GhlSandbox,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function faultCounters(sandbox: GhlSandbox): Promise<{ errors: number; timeouts: number }> {
  const stats = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as {
    faultsInjected: { errors: number; timeouts: number };
  };
  return stats.faultsInjected;
}

void describe('fault knobs', () => {
  void test('5xx by route key, a hang the client abandons, Retry-After on 429', async () => {
    const sandbox = await startGhlSandbox({ contacts: 2 });
    try {
      const token = sandbox.mintToken({ scopes: RW }).accessToken;
      const list = await call(sandbox, 'GET', `/contacts/?locationId=${sandbox.locationId}`, {
        token,
      });
      const id = String((list.body['contacts'] as Record<string, unknown>[])[0]?.['id']);
      await operator(sandbox, '/__sandbox/faults', { errorRates: { 'GET /contacts/:id': 1 } });
      const failed = await call(sandbox, 'GET', `/contacts/${id}`, { token });
      assert.ok([500, 502, 503].includes(failed.status), `status ${failed.status}`);
      assert.equal(withoutTrace(failed.body)['statusCode'], failed.status);
      assert.ok(failed.headers.get('x-ratelimit-remaining') !== null);
      assert.equal(
        (await call(sandbox, 'GET', `/contacts/${id}/notes`, { token })).status,
        200,
        'other routes unaffected',
      );

      await operator(sandbox, '/__sandbox/faults', {
        errorRates: { 'GET /contacts/:id': 0 },
        timeouts: { 'GET /contacts/:id': 1 },
      });
      await assert.rejects(
        fetch(`${sandbox.url}/contacts/${id}`, {
          headers: { authorization: `Bearer ${token}`, version: '2021-07-28' },
          signal: AbortSignal.timeout(300),
        }),
        (error: unknown) => error instanceof Error && error.name === 'TimeoutError',
      );
      assert.deepEqual(await faultCounters(sandbox), { errors: 1, timeouts: 1 });

      await operator(sandbox, '/__sandbox/faults', {
        timeouts: { 'GET /contacts/:id': 0 },
        retryAfterSeconds: 7,
      });
      await operator(sandbox, '/__sandbox/rate-limit', { max: 1, reset: true });
      assert.equal((await call(sandbox, 'GET', `/contacts/${id}`, { token })).status, 200);
      const limited = await call(sandbox, 'GET', `/contacts/${id}`, { token });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '7');
    } finally {
      await sandbox.close();
    }
  });

  void test('close() returns while a request hangs', async () => {
    const sandbox = await startGhlSandbox({ contacts: 1 });
    const token = sandbox.mintToken({ scopes: RW }).accessToken;
    await operator(sandbox, '/__sandbox/faults', { timeouts: { '*': 1 } });
    const pending = fetch(`${sandbox.url}/contacts/?locationId=${sandbox.locationId}`, {
      headers: { authorization: `Bearer ${token}`, version: '2021-07-28' },
    }).then(
      (response) => response.status,
      () => 'aborted',
    );
    const deadline = Date.now() + 10_000;
    while ((await faultCounters(sandbox)).timeouts === 0) {
      assert.ok(Date.now() < deadline, 'the request never reached the hang');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await sandbox.close();
    const outcome = await pending;
    assert.ok(outcome === 504 || outcome === 'aborted', `outcome ${String(outcome)}`);
  });
});
