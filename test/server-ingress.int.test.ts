/**
 * Webhook ingress over real HTTP on both databases: verified events are stored once before the
 * 200, anything unverifiable is refused with a clear 4xx and stored nowhere, and a delivery that
 * cannot be stored gets the 429 that makes GHL retry.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { GhlWebhookVerifier } from '../src/ghl/webhook-verify.ts';
import { buildServer } from '../src/server/app.ts';
import type { Store } from '../src/store/database.ts';
import { describeEachDialect } from './support/stores.ts';

const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const verifier = new GhlWebhookVerifier({
  publicKeys: [keys.publicKey.export({ type: 'spki', format: 'pem' }).toString()],
  legacyRsaPublicKeys: [],
  maxBodyBytes: 64 * 1024,
});

function contactEvent(webhookId: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'ContactCreate',
    locationId: 've9EPM428h8vShlRW1KT',
    id: 'nmFmQEsNgz6AVpgLVUJ0',
    email: 'ana@example.com',
    timestamp: new Date().toISOString(),
    webhookId,
    ...overrides,
  });
}

function signed(body: string, key = keys.privateKey): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-ghl-signature': sign(null, Buffer.from(body), key).toString('base64'),
  };
}

async function startServer(store: Store): Promise<{ url: string; close: () => Promise<void> }> {
  const app = buildServer({ store, ghlVerifier: verifier, bodyLimit: 128 * 1024 });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/webhooks/ghl`, { method: 'POST', body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function inboxIds(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('inbox').select('event_id').orderBy('id').execute();
  return rows.map((r) => r.event_id);
}

describeEachDialect('GHL webhook ingress', (stores) => {
  test('a verified event is stored raw before the 200; its duplicate is acknowledged, not stored again', async (t) => {
    const store = await stores.open('ingress-store');
    const server = await startServer(store);
    t.after(() => server.close());
    const body = contactEvent('wh-1');
    const first = await post(server.url, body, signed(body));
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { status: 'stored', webhookId: 'wh-1' });
    const again = await post(server.url, body, signed(body));
    assert.equal(again.status, 200);
    assert.equal(again.body['status'], 'duplicate');
    const rows = await store.db.selectFrom('inbox').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.payload, body, 'the exact bytes are kept');
    assert.equal(rows[0]?.event_type, 'ContactCreate');
    assert.equal(rows[0]?.location_id, 've9EPM428h8vShlRW1KT');
    assert.equal(rows[0]?.status, 'received');
  });

  test('tampered, wrong key, unsigned, stale, malformed, oversized and non-JSON deliveries are refused and stored nowhere', async (t) => {
    const store = await stores.open('ingress-refuse');
    const server = await startServer(store);
    t.after(() => server.close());
    const body = contactEvent('wh-bad');
    const tampered = body.replace('ana@', 'eve@');
    const stale = contactEvent('wh-stale', { timestamp: '2020-01-01T00:00:00Z' });
    const malformed = '{"type": "ContactCreate", ';
    const oversized = contactEvent('wh-big', { notes: 'x'.repeat(200 * 1024) });
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number][] = [
      ['tampered', post(server.url, tampered, signed(body)), 401],
      ['wrong key', post(server.url, body, signed(body, otherKeys.privateKey)), 401],
      ['unsigned', post(server.url, body, { 'content-type': 'application/json' }), 401],
      ['stale', post(server.url, stale, signed(stale)), 400],
      ['malformed', post(server.url, malformed, signed(malformed)), 400],
      ['oversized', post(server.url, oversized, signed(oversized)), 413],
      [
        'text/plain',
        post(server.url, body, { ...signed(body), 'content-type': 'text/plain' }),
        415,
      ],
    ];
    for (const [name, pending, status] of cases) {
      const response = await pending;
      assert.equal(response.status, status, name);
      const error = response.body['error'] as { code: string; message: string } | undefined;
      assert.ok(error?.code && error.message.length > 20, `${name} says what is wrong`);
    }
    assert.deepEqual(await inboxIds(store), []);
  });

  test('a delivery that cannot be stored gets a 429 (GHL retries those); the retry is stored once', async (t) => {
    const store = await stores.open('ingress-429');
    const server = await startServer(store);
    t.after(() => server.close());
    // Make every inbox write fail, as a full disk or a lost database would.
    await store.db.schema.alterTable('inbox').renameTo('inbox_away').execute();
    const body = contactEvent('wh-retry');
    const refused = await post(server.url, body, signed(body));
    assert.equal(refused.status, 429);
    await store.db.schema.alterTable('inbox_away').renameTo('inbox').execute();
    const retried = await post(server.url, body, signed(body));
    assert.equal(retried.status, 200);
    assert.deepEqual(await inboxIds(store), ['wh-retry']);
  });

  test('healthz answers while the process runs; readyz only while the database answers', async (t) => {
    const store = await stores.open('ingress-health');
    const server = await startServer(store);
    t.after(() => server.close());
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { database: string }).database, stores.dialect);
    await store.close();
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const missing = await fetch(`${server.url}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
  });
});
