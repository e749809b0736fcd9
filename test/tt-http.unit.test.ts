import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/shared/clock.ts';
import { HttpError } from '../src/shared/errors.ts';
import { createLogger } from '../src/shared/logger.ts';
import { isAmbiguous } from '../src/tenant-turner/errors.ts';
import { TtHttp } from '../src/tenant-turner/http.ts';
import type { TtHttpOptions } from '../src/tenant-turner/http.ts';
import { TtThrottle } from '../src/tenant-turner/throttle.ts';
import { drive, fakeFetch, json, timeoutError } from './support/tt-client-fake-fetch.ts';
import type { Reply } from './support/tt-client-fake-fetch.ts';

const KEY = 'tt_live_11111111_2222_3333_4444_a75aa77d0bcc';

function setup(
  replies: Reply[],
  options: Partial<TtHttpOptions> & { requestsPerSecond?: number } = {},
): { http: TtHttp; clock: ManualClock; sent: ReturnType<typeof fakeFetch>['sent'] } {
  const clock = new ManualClock(Date.parse('2026-11-28T15:00:00Z'));
  const { fetch, sent } = fakeFetch(clock, replies);
  const http = new TtHttp({
    apiKey: KEY,
    baseUrl: 'https://tt.test',
    throttle: new TtThrottle({ clock, requestsPerSecond: options.requestsPerSecond ?? 1000 }),
    clock,
    fetch,
    random: () => 0.5,
    ...options,
  });
  return { http, clock, sent };
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  assert.fail('expected an HttpError');
}

describe('Tenant Turner transport: auth', () => {
  it('sends Basic base64 of the bare key, no user and no colon', async () => {
    const { http, clock, sent } = setup([json(200, {})]);
    await drive(clock, http.request({ method: 'GET', path: '/v1/properties' }));
    assert.equal(
      sent[0]?.headers.get('authorization'),
      `Basic ${Buffer.from(KEY).toString('base64')}`,
    );
    const short = setup([json(200, {})], { apiKey: 'key' });
    await drive(short.clock, short.http.request({ method: 'GET', path: '/v1/properties' }));
    assert.equal(short.sent[0]?.headers.get('authorization'), 'Basic a2V5');
  });

  it('never writes the key to a log line, even when a message carries it', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    setup([json(200, {})]);
    const logger = createLogger({ destination, level: 'info' });
    logger.info({ note: `key is ${KEY}`, header: Buffer.from(KEY).toString('base64') }, 'x');
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        const text = lines.join('');
        assert.ok(text.includes('[REDACTED]'));
        assert.ok(!text.includes(KEY));
        assert.ok(!text.includes(Buffer.from(KEY).toString('base64')));
        resolve();
      }),
    );
  });

  it('explains a 401 and does not retry it', async () => {
    const { http, clock, sent } = setup([
      json(401, { StatusCode: 401, ErrorMessages: ['Unauthorized'] }),
    ]);
    const error = await failure(drive(clock, http.request({ method: 'GET', path: '/v1/x' })));
    assert.equal(error.code, 'auth_token_invalid');
    assert.match(error.message, /Settings → Tenant Turner API/);
    assert.equal(sent.length, 1);
  });
});

describe('Tenant Turner transport: error classification', () => {
  it('keeps the 422 ErrorMessages', async () => {
    const { http, clock } = setup([
      json(422, {
        StatusCode: 422,
        ErrorMessages: ['SinceDateUpdated is required and must be less than 2 years ago.'],
      }),
    ]);
    const error = await failure(
      drive(clock, http.request({ method: 'GET', path: '/v1/showings' })),
    );
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual(error.details?.['messages'], [
      'SinceDateUpdated is required and must be less than 2 years ago.',
    ]);
    assert.match(error.message, /under 2 years old/);
  });

  it('reads camelCase error bodies too', async () => {
    const { http, clock } = setup([
      json(422, { statusCode: 422, errorMessages: ['Title is required.'] }),
    ]);
    const error = await failure(
      drive(clock, http.request({ method: 'POST', path: '/v1/x', body: {} })),
    );
    assert.deepEqual(error.details?.['messages'], ['Title is required.']);
  });

  it('classifies 409 as duplicate with the existing ApplicationId', async () => {
    const { http, clock } = setup([
      json(409, {
        StatusCode: 409,
        ErrorMessages: ['A lead with this contact information already exists.'],
        ApplicationId: 200042,
      }),
    ]);
    const error = await failure(
      drive(clock, http.request({ method: 'POST', path: '/v1/applications', body: {} })),
    );
    assert.equal(error.code, 'duplicate');
    assert.equal(error.details?.['existingApplicationId'], 200042);
    assert.equal(error.retryable, false);
  });

  it('classifies an empty 404 and a 400 General error', async () => {
    const { http, clock } = setup([
      new Response(null, { status: 404 }),
      json(400, { StatusCode: 400, ErrorMessages: ['General error.'] }),
    ]);
    const missing = await failure(drive(clock, http.request({ method: 'GET', path: '/v1/nope' })));
    assert.equal(missing.code, 'not_found');
    const bad = await failure(drive(clock, http.request({ method: 'GET', path: '/v1/bad' })));
    assert.equal(bad.code, 'bad_request');
    assert.match(bad.message, /General error\./);
  });
});

describe('Tenant Turner transport: retries', () => {
  it('retries 5xx on a GET with capped exponential backoff and full jitter', async () => {
    const { http, clock, sent } = setup(
      [json(503, {}), json(502, {}), json(500, {}), json(500, {}), json(200, { ok: 1 })],
      { retryBaseMs: 100, retryMaxMs: 300 },
    );
    const start = clock.now();
    const response = await drive(clock, http.request({ method: 'GET', path: '/v1/x' }), 10);
    assert.deepEqual(response.body, { ok: 1 });
    // random() = 0.5 of min(300, 100·2^n): 50, 100, 150 (capped), 150.
    assert.deepEqual(
      sent.map((request) => request.at - start),
      [0, 50, 150, 300, 450],
    );
  });

  it('honours Retry-After on a 429 and pauses the whole account, not only the refused call', async () => {
    const { http, clock, sent } = setup([
      json(429, {}, { 'retry-after': '3' }),
      json(200, { n: 2 }),
      json(200, { n: 3 }),
    ]);
    const start = clock.now();
    const first = http.request({ method: 'POST', path: '/v1/showings', body: {} });
    await clock.advance(1);
    const second = http.request({ method: 'GET', path: '/v1/other' });
    await drive(clock, Promise.all([first, second]), 100);
    assert.equal(sent.length, 3);
    assert.equal(sent[0]?.at, start);
    // Both the retried create (a 429 did no work, so it is safe to resend) and the other call wait.
    assert.ok((sent[1]?.at ?? 0) - start >= 3000);
    assert.ok((sent[2]?.at ?? 0) - start >= 3000);
  });

  it('gives up after maxRetries with the last error', async () => {
    const { http, clock, sent } = setup([json(503, {})], { maxRetries: 2, retryBaseMs: 10 });
    const error = await failure(drive(clock, http.request({ method: 'GET', path: '/v1/x' })));
    assert.equal(error.code, 'server_error');
    assert.equal(sent.length, 3);
  });

  it('does not resend a create after a 5xx: it throws, marked ambiguous', async () => {
    const { http, clock, sent } = setup([json(500, {}), json(201, { ApplicationId: 1 })]);
    const error = await failure(
      drive(clock, http.request({ method: 'POST', path: '/v1/applications', body: {} })),
    );
    assert.equal(sent.length, 1);
    assert.ok(isAmbiguous(error));
  });

  it('does not resend a create after a timeout: it throws timeout, marked ambiguous', async () => {
    const { http, clock, sent } = setup([timeoutError(), json(201, { ApplicationId: 1 })]);
    const error = await failure(
      drive(clock, http.request({ method: 'POST', path: '/v1/applications', body: {} })),
    );
    assert.equal(error.code, 'timeout');
    assert.ok(isAmbiguous(error));
    assert.equal(sent.length, 1);
  });

  it('resends an idempotent create (ExternalId) and a GET after a network failure', async () => {
    const { http, clock, sent } = setup([
      timeoutError(),
      new TypeError('fetch failed'),
      json(200, { TaskId: 9 }),
    ]);
    const response = await drive(
      clock,
      http.request({
        method: 'POST',
        path: '/v1/applications/1/tasks',
        body: {},
        idempotent: true,
      }),
    );
    assert.equal(response.status, 200);
    assert.equal(sent.length, 3);
  });

  it('a GET that fails with a non-ambiguous error is not marked ambiguous', async () => {
    const { http, clock } = setup([json(500, {})], { maxRetries: 0 });
    const error = await failure(drive(clock, http.request({ method: 'GET', path: '/v1/x' })));
    assert.equal(isAmbiguous(error), false);
  });
});
