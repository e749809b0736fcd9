/**
 * Each class of GHL failure, produced by the sandbox over real HTTP, as the client reports it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpError } from '../src/shared/errors.ts';
import { GhlClient } from '../src/ghl/client.ts';
import { PrivateIntegrationAuth } from '../src/ghl/auth.ts';
import { isAmbiguous } from '../src/ghl/http.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { operator, pitClient, sandbox, stats } from './support/ghl-harness.ts';

function expectHttp(code: string, check?: (error: HttpError) => void) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof HttpError, `not an HttpError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (error.status !== undefined) assert.ok(error.traceId, `traceId kept on ${code}`);
    check?.(error);
    return true;
  };
}

describe('GHL error classes', () => {
  let box: GhlSandbox;
  before(async () => {
    box = await sandbox({ contacts: 5 });
  });
  after(async () => box.close());

  test('401 bad token (PIT cannot refresh): auth_token_invalid, not retryable', async () => {
    const client = new GhlClient({
      auth: new PrivateIntegrationAuth({ token: 'not-a-real-token-000' }),
      baseUrl: box.url,
    });
    await assert.rejects(
      client.location(box.locationId).listUsers(),
      expectHttp('auth_token_invalid', (e) => {
        assert.equal(e.status, 401);
        assert.equal(e.retryable, false);
      }),
    );
    client.stop();
  });

  test('403 another location: auth_location_forbidden', async () => {
    const client = pitClient(box);
    await assert.rejects(
      client.location(box.otherLocationId).listUsers(),
      expectHttp('auth_location_forbidden', (e) => assert.equal(e.status, 403)),
    );
    client.stop();
  });

  test('404: not_found with the provider message', async () => {
    const client = pitClient(box);
    await assert.rejects(
      client.location(box.locationId).getContact('AAAAAAAAAAAAAAAAAAAA'),
      expectHttp('not_found', (e) => {
        assert.equal(e.status, 404);
        assert.match(e.message, /AAAAAAAAAAAAAAAAAAAA/);
      }),
    );
    client.stop();
  });

  test('422 whitelist: validation_failed with every message kept', async () => {
    const client = pitClient(box);
    const ghl = client.location(box.locationId);
    const contact = await ghl.createContact({
      firstName: 'Val',
      email: `val-${Date.now()}@example.com`,
    });
    await assert.rejects(
      ghl.updateContact(contact.id, { gender: 'female', locationId: box.locationId } as never),
      expectHttp('validation_failed', (e) => {
        assert.equal(e.status, 422);
        const messages = e.details?.['messages'] as string[];
        assert.ok(
          messages.some((m) => m.includes('gender')) &&
            messages.some((m) => m.includes('locationId')),
          JSON.stringify(messages),
        );
      }),
    );
    client.stop();
  });

  test('400 duplicate: duplicate with the existing contact id kept', async () => {
    const client = pitClient(box);
    const ghl = client.location(box.locationId);
    const email = `dup-${Date.now()}@example.com`;
    const first = await ghl.createContact({ firstName: 'Dee', email });
    await assert.rejects(
      ghl.createContact({ firstName: 'Dee again', email }),
      expectHttp('duplicate', (e) => {
        assert.equal(e.status, 400);
        assert.equal(e.details?.['existingContactId'], first.id);
      }),
    );
    client.stop();
  });

  test('429 burst (limiter off, sandbox tight) is retried after the interval; 429 daily is not', async () => {
    await operator(box, 'POST', '/__sandbox/rate-limit', { max: 3, windowMs: 300, reset: true });
    const client = pitClient(box, undefined, { rateLimit: { enabled: false } });
    const ghl = client.location(box.locationId);
    try {
      const before = (await stats(box)).rateLimited.burst;
      const results = await Promise.all(Array.from({ length: 8 }, () => ghl.listUsers()));
      assert.equal(results.length, 8, 'every call succeeded after waiting');
      assert.ok(
        (await stats(box)).rateLimited.burst > before,
        'the sandbox did answer 429 (burst)',
      );

      await operator(box, 'POST', '/__sandbox/rate-limit', {
        max: 100,
        windowMs: 10_000,
        daily: 2,
        reset: true,
      });
      await ghl.listUsers();
      await ghl.listUsers();
      await assert.rejects(
        ghl.listUsers(),
        expectHttp('rate_limited_daily', (e) => {
          assert.equal(e.status, 429);
          assert.equal(e.retryable, false);
        }),
      );
    } finally {
      await operator(box, 'POST', '/__sandbox/rate-limit', {
        max: 100,
        windowMs: 10_000,
        daily: 200_000,
        reset: true,
      });
      client.stop();
    }
  });

  test('5xx is retried for reads; a failed create is reported ambiguous, not resent', async () => {
    const client = pitClient(box);
    const ghl = client.location(box.locationId);
    await operator(box, 'POST', '/__sandbox/faults', {
      errorRates: { 'GET /users/': 1, 'POST /contacts/': 1 },
    });
    try {
      const before = (await stats(box)).requests['GET /users/'] ?? 0;
      await assert.rejects(
        ghl.listUsers(),
        expectHttp('server_error', (e) => assert.equal(e.retryable, true)),
      );
      assert.equal(
        ((await stats(box)).requests['GET /users/'] ?? 0) - before,
        6,
        'first try + 5 retries',
      );
      const creates = (await stats(box)).requests['POST /contacts/'] ?? 0;
      await assert.rejects(
        ghl.createContact({ firstName: 'Amb', email: `amb-${Date.now()}@example.com` }),
        (error: unknown) => {
          assert.ok(isAmbiguous(error), 'a create that failed with 5xx may have happened');
          return true;
        },
      );
      assert.equal(
        ((await stats(box)).requests['POST /contacts/'] ?? 0) - creates,
        1,
        'a create is not resent blindly',
      );
      await operator(box, 'POST', '/__sandbox/faults', { errorRates: { 'GET /users/': 0.5 } });
      assert.ok(
        (await ghl.listUsers()).length > 0,
        'with a 50% error rate the retries get through',
      );
    } finally {
      await operator(box, 'POST', '/__sandbox/faults', { errorRates: {} });
      client.stop();
    }
  });

  test('network errors and timeouts are retryable and say what happened', async () => {
    const dead = new GhlClient({
      auth: new PrivateIntegrationAuth({ token: 'tok-0123456789' }),
      baseUrl: 'http://127.0.0.1:9',
      maxRetries: 1,
      retryBaseMs: 1,
      retryMaxMs: 2,
    });
    await assert.rejects(
      dead.location(box.locationId).listUsers(),
      expectHttp('network_error', (e) => {
        assert.equal(e.retryable, true);
        assert.equal(e.status, undefined);
      }),
    );
    dead.stop();

    const slow = pitClient(box, undefined, { timeoutMs: 200, maxRetries: 1 });
    await operator(box, 'POST', '/__sandbox/faults', { timeouts: { 'GET /users/': 1 } });
    try {
      await assert.rejects(
        slow.location(box.locationId).listUsers(),
        expectHttp('timeout', (e) => assert.equal(e.retryable, true)),
      );
    } finally {
      await operator(box, 'POST', '/__sandbox/faults', { timeouts: {} });
      slow.stop();
    }
  });
});
