/**
 * Auth against the sandbox over real HTTP: OAuth token rotation under concurrency, refresh on a
 * 401, scope errors that must not refresh or retry, agency → location tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GhlClient } from '../src/ghl/client.ts';
import { MemoryTokenStore, OAuthAuth } from '../src/ghl/auth.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import {
  oauthAuth,
  operator,
  pitClient,
  READ_WRITE,
  sandbox,
  stats,
} from './support/ghl-harness.ts';

describe('GHL auth against the sandbox', () => {
  let box: GhlSandbox;
  before(async () => {
    box = await sandbox({ contacts: 5 });
  });
  after(async () => box.close());

  test('20 concurrent callers on an expired token make exactly one refresh request', async () => {
    const { auth, store } = await oauthAuth(box);
    const before = (await stats(box)).oauth.refreshOk;
    const stored = await store.load(box.locationId);
    assert.ok(stored?.refreshToken);
    // Expire the access token locally (the sandbox token itself is still valid, as at GHL just before expiry).
    await store.save(box.locationId, { ...stored, expiresAt: Date.now() - 1000 });
    const client = new GhlClient({ auth, baseUrl: box.url });
    const ghl = client.location(box.locationId);
    const results = await Promise.all(Array.from({ length: 20 }, () => ghl.listUsers()));
    assert.equal(results.length, 20);
    const after = await stats(box);
    assert.equal(after.oauth.refreshOk - before, 1, 'exactly one refresh');
    assert.equal(after.oauth.refreshFailed, 0);
    const rotated = await store.load(box.locationId);
    assert.notEqual(
      rotated?.refreshToken,
      stored.refreshToken,
      'the rotated refresh token was persisted',
    );
    assert.ok((rotated?.expiresAt ?? 0) > Date.now() + 3600_000);
    client.stop();
  });

  test('a token GHL revoked is refreshed once on the 401, then the call succeeds', async () => {
    const { auth, store } = await oauthAuth(box);
    const client = new GhlClient({ auth, baseUrl: box.url });
    const ghl = client.location(box.locationId);
    const first = await store.load(box.locationId);
    const before = (await stats(box)).oauth.refreshOk;
    // The 2024-10 incident: GHL invalidates every access token of a location.
    await operator(box, 'POST', '/__sandbox/tokens/invalidate', { locationId: box.locationId });
    const users = await ghl.listUsers().catch((error: unknown) => error);
    const after = await stats(box);
    if (users instanceof Error) {
      // If the sandbox also killed the refresh token, the failure must say to reconnect.
      assert.match(users.message, /reconnect|refresh/i);
    } else {
      assert.ok(Array.isArray(users) && users.length > 0);
      assert.equal(after.oauth.refreshOk - before, 1);
      assert.notEqual((await store.load(box.locationId))?.accessToken, first?.accessToken);
    }
    client.stop();
  });

  test('a missing scope is a 401 that is neither refreshed nor retried, and names the scope', async () => {
    const client = pitClient(box, ['contacts.readonly']);
    const ghl = client.location(box.locationId);
    const before = await stats(box);
    await assert.rejects(
      ghl.createContact({ firstName: 'No', email: 'no-scope@example.com' }),
      (error: Error & { code?: string; status?: number; traceId?: string }) => {
        assert.equal(error.code, 'auth_scope_missing');
        assert.equal(error.status, 401);
        assert.match(error.message, /contacts\.write/);
        assert.ok(error.traceId, 'provider traceId kept');
        return true;
      },
    );
    const after = await stats(box);
    assert.equal(
      (after.requests['POST /contacts/'] ?? 0) - (before.requests['POST /contacts/'] ?? 0),
      1,
      'sent once',
    );

    const { auth } = await oauthAuth(box, ['contacts.readonly']);
    const oauthClient = new GhlClient({ auth, baseUrl: box.url });
    const refreshes = (await stats(box)).oauth.refreshOk;
    await assert.rejects(
      oauthClient.location(box.locationId).createNote('x'.repeat(20), { body: 'n' }),
      { code: 'auth_scope_missing' },
    );
    assert.equal((await stats(box)).oauth.refreshOk, refreshes, 'a scope error does not refresh');
    client.stop();
    oauthClient.stop();
  });

  test('a refresh that GHL refuses says what to do and keeps the provider message', async () => {
    const { auth, store } = await oauthAuth(box);
    const stored = await store.load(box.locationId);
    assert.ok(stored);
    await store.save(box.locationId, { ...stored, expiresAt: Date.now() - 1000 });
    await operator(box, 'POST', '/__sandbox/faults', { refreshError: 'location-not-active' });
    try {
      await assert.rejects(auth.accessToken(box.locationId), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'auth_refresh_failed');
        assert.match(error.message, /Location is not active/);
        assert.match(error.message, /reconnect/);
        return true;
      });
    } finally {
      await operator(box, 'POST', '/__sandbox/faults', { refreshError: null });
    }
  });

  test('a refresh that meets a 5xx is retried, gives back its rate-limit slot, and the call succeeds', async (t) => {
    // A sandbox of its own, so that its rate-limit headers count this test's calls only.
    const box = await sandbox({ contacts: 1 });
    t.after(() => box.close());
    const { auth, store } = await oauthAuth(box);
    const stored = await store.load(box.locationId);
    assert.ok(stored);
    await store.save(box.locationId, { ...stored, expiresAt: Date.now() - 1000 });
    const client = new GhlClient({ auth, baseUrl: box.url, retryBaseMs: 5, retryMaxMs: 20 });
    const before = await stats(box);
    await operator(box, 'POST', '/__sandbox/faults', { failNext: { 'POST /oauth/token': 2 } });
    try {
      const users = await client.location(box.locationId).listUsers();
      assert.ok(users.length > 0);
    } finally {
      await operator(box, 'POST', '/__sandbox/faults', { failNext: { 'POST /oauth/token': 0 } });
    }
    const after = await stats(box);
    assert.equal(
      after.faultsInjected.errors - before.faultsInjected.errors,
      2,
      'two refreshes failed',
    );
    assert.equal(after.oauth.refreshOk - before.oauth.refreshOk, 1, 'the third refresh succeeded');
    // Only the one call that reached GHL holds a slot: the two attempts that had no token gave theirs back.
    const budget = client.limiter.budget(box.locationId);
    assert.equal(budget.max - budget.remaining, 1, 'one slot in use');
    assert.equal(budget.dailyLimit - budget.dailyRemaining, 1, 'one call counted for the day');
    client.stop();
  });

  test('a location token minted from an agency token works for that location', async () => {
    const agency = box.mintToken({
      scopes: ['oauth.write', 'oauth.readonly', ...READ_WRITE],
      kind: 'agency',
    });
    const store = new MemoryTokenStore();
    await store.save(`company:${box.companyId}`, {
      accessToken: agency.accessToken,
      ...(agency.refreshToken ? { refreshToken: agency.refreshToken } : {}),
      expiresAt: Date.now() + 86_000_000,
      scopes: ['oauth.write', ...READ_WRITE],
      userType: 'Company',
      companyId: box.companyId,
    });
    const auth = new OAuthAuth({
      clientId: box.clientId,
      clientSecret: box.clientSecret,
      baseUrl: box.url,
      store,
    });
    const minted = await auth.locationTokenFromAgency(box.companyId, box.locationId);
    assert.equal(minted.locationId, box.locationId);
    assert.equal(
      minted.refreshToken,
      undefined,
      'GHL issues no refresh token for a location token',
    );
    const client = new GhlClient({ auth, baseUrl: box.url });
    assert.ok((await client.location(box.locationId).listUsers()).length > 0);
    client.stop();
  });
});
