/**
 * OAuth in the GHL sandbox: chooselocation redirect, code exchange, rotating single-use refresh
 * tokens (reuse and races), fault knobs, token invalidation and agency location tokens.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGhlSandbox } from '../sandbox/ghl/index.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';

type Json = Record<string, unknown>;
const REDIRECT = 'http://127.0.0.1:9/callback';

async function tokenRequest(
  sandbox: GhlSandbox,
  fields: Record<string, string>,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function authorize(sandbox: GhlSandbox, state = 'st-1'): Promise<string> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: sandbox.clientId,
    redirect_uri: REDIRECT,
    scope: 'contacts.readonly contacts.write',
    state,
  });
  const response = await fetch(`${sandbox.url}/v2/oauth/chooselocation?${query.toString()}`, {
    redirect: 'manual',
  });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
  assert.equal(location.searchParams.get('state'), state);
  return location.searchParams.get('code') ?? '';
}

async function exchange(sandbox: GhlSandbox): Promise<Json> {
  const code = await authorize(sandbox);
  const reply = await tokenRequest(sandbox, {
    client_id: sandbox.clientId,
    client_secret: sandbox.clientSecret,
    grant_type: 'authorization_code',
    code,
    user_type: 'Location',
    redirect_uri: REDIRECT,
  });
  assert.equal(reply.status, 200);
  return reply.body;
}

function refresh(
  sandbox: GhlSandbox,
  refreshToken: string,
): Promise<{ status: number; body: Json }> {
  return tokenRequest(sandbox, {
    client_id: sandbox.clientId,
    client_secret: sandbox.clientSecret,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    user_type: 'Location',
  });
}

async function getContacts(
  sandbox: GhlSandbox,
  accessToken: string,
  locationId = sandbox.locationId,
): Promise<number> {
  const response = await fetch(`${sandbox.url}/contacts/?locationId=${locationId}&limit=1`, {
    headers: { authorization: `Bearer ${accessToken}`, version: '2021-07-28' },
  });
  await response.arrayBuffer();
  return response.status;
}

async function operator(sandbox: GhlSandbox, path: string, body: unknown): Promise<Json> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Json;
}

void describe('OAuth', () => {
  let sandbox: GhlSandbox;
  before(async () => {
    sandbox = await startGhlSandbox({ contacts: 3 });
  });
  after(() => sandbox.close());

  void test('chooselocation redirects with a code; the exchange returns the location token DTO', async () => {
    const legacy = await fetch(
      `${sandbox.url}/oauth/chooselocation?response_type=code&client_id=${sandbox.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      { redirect: 'manual' },
    );
    assert.equal(legacy.status, 302);
    assert.equal(
      legacy.headers.get('x-ratelimit-remaining'),
      null,
      'chooselocation is not rate limited',
    );
    const body = await exchange(sandbox);
    assert.equal(body['token_type'], 'Bearer');
    assert.equal(body['expires_in'], 86399);
    assert.equal(body['scope'], 'contacts.readonly contacts.write');
    assert.equal(body['userType'], 'Location');
    assert.equal(body['locationId'], sandbox.locationId);
    assert.equal(body['companyId'], sandbox.companyId);
    assert.equal(typeof body['userId'], 'string');
    assert.equal(typeof body['refresh_token'], 'string');
    assert.equal(body['approvedLocations'], undefined, 'company-only field');
    assert.equal(await getContacts(sandbox, body['access_token'] as string), 200);
  });

  void test('the token endpoint is form-encoded only, checks the client and burns codes', async () => {
    const code = await authorize(sandbox);
    const json = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
        grant_type: 'authorization_code',
        code,
      }),
    });
    assert.equal(json.status, 400);
    const wrongSecret = await tokenRequest(sandbox, {
      client_id: sandbox.clientId,
      client_secret: 'nope',
      grant_type: 'authorization_code',
      code,
    });
    assert.equal(wrongSecret.status, 401);
    const fields = {
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
      grant_type: 'authorization_code',
      code,
    };
    assert.equal((await tokenRequest(sandbox, fields)).status, 200);
    const reused = await tokenRequest(sandbox, fields);
    assert.equal(reused.status, 400);
    assert.equal(typeof reused.body['message'], 'string');
  });

  void test('refresh tokens rotate and are single-use', async () => {
    const first = await exchange(sandbox);
    const rotated = await refresh(sandbox, first['refresh_token'] as string);
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body['refresh_token'], first['refresh_token']);
    assert.equal(await getContacts(sandbox, rotated.body['access_token'] as string), 200);
    const reused = await refresh(sandbox, first['refresh_token'] as string);
    assert.equal(reused.status, 400);
    assert.equal(
      reused.body['message'],
      'Invalid grant: refresh token is invalid, expired or already used',
    );
    assert.equal((await refresh(sandbox, rotated.body['refresh_token'] as string)).status, 200);
  });

  void test('of two concurrent refreshes with one token, exactly one wins', async () => {
    const tokens = await exchange(sandbox);
    const results = await Promise.all([
      refresh(sandbox, tokens['refresh_token'] as string),
      refresh(sandbox, tokens['refresh_token'] as string),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400]);
    const stats = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as {
      oauth: { refreshOk: number; refreshFailed: number };
    };
    assert.ok(stats.oauth.refreshOk >= 1 && stats.oauth.refreshFailed >= 1);
  });

  void test('the "Location is not active" knob fails refreshes without burning the token', async () => {
    const tokens = await exchange(sandbox);
    await operator(sandbox, '/__sandbox/faults', { refreshError: 'location-not-active' });
    const failed = await refresh(sandbox, tokens['refresh_token'] as string);
    await operator(sandbox, '/__sandbox/faults', { refreshError: null });
    assert.equal(failed.status, 400);
    assert.equal(failed.body['message'], 'Location is not active');
    assert.equal((await refresh(sandbox, tokens['refresh_token'] as string)).status, 200);
  });

  void test('invalidating a location kills its access and refresh tokens', async () => {
    const tokens = await exchange(sandbox);
    const pit = sandbox.mintToken({ scopes: ['contacts.readonly'] }).accessToken;
    const revoked = await operator(sandbox, '/__sandbox/tokens/invalidate', {
      locationId: sandbox.locationId,
    });
    assert.ok(Number(revoked['revoked']) >= 3);
    assert.equal(await getContacts(sandbox, tokens['access_token'] as string), 401);
    assert.equal(await getContacts(sandbox, pit), 401);
    assert.equal((await refresh(sandbox, tokens['refresh_token'] as string)).status, 400);
  });

  void test('an agency token mints location tokens without a refresh token and lists installs', async () => {
    const agency = sandbox.mintToken({
      scopes: ['oauth.write', 'oauth.readonly', 'contacts.readonly'],
      kind: 'agency',
    }).accessToken;
    assert.equal(
      await getContacts(sandbox, agency),
      401,
      'agency tokens cannot call sub-account endpoints',
    );
    const response = await fetch(`${sandbox.url}/oauth/locationToken`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agency}`,
        version: '2021-07-28',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        companyId: sandbox.companyId,
        locationId: sandbox.otherLocationId,
      }).toString(),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Json;
    assert.equal(body['refresh_token'], undefined);
    assert.equal(body['locationId'], sandbox.otherLocationId);
    assert.equal(body['scope'], 'contacts.readonly');
    assert.equal(
      await getContacts(sandbox, body['access_token'] as string, sandbox.otherLocationId),
      200,
    );
    const installs = await fetch(
      `${sandbox.url}/oauth/installedLocations?companyId=${sandbox.companyId}&appId=x`,
      {
        headers: { authorization: `Bearer ${agency}`, version: '2021-07-28' },
      },
    );
    const list = ((await installs.json()) as Json)['locations'] as Json[];
    assert.deepEqual(
      list.map((l) => l['_id']),
      [sandbox.locationId, sandbox.otherLocationId],
    );
  });
});
