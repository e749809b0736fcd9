/**
 * Connecting a GHL location through OAuth against the sandbox over HTTP: ttsync's start route
 * sends the user to GHL with a signed state, the callback exchanges the code and stores the
 * pair encrypted, and the sync then runs on those tokens. A forged state is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ttsync } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/shared/logger.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { startTtSandbox } from '../sandbox/tenant-turner/index.ts';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { sandbox } from './support/ghl-harness.ts';

describe('GHL OAuth connect', () => {
  let ghl: GhlSandbox;
  let tt: TtSandbox;
  let app: Ttsync;
  let url: string;
  let dataDir: string;
  before(async () => {
    [ghl, tt] = await Promise.all([
      sandbox({ contacts: 6 }),
      startTtSandbox({ leads: 0, showings: 0 }),
    ]);
    dataDir = mkdtempSync(join(tmpdir(), 'ttsync-oauth-'));
    const config = loadConfig({
      GHL_CLIENT_ID: ghl.clientId,
      GHL_CLIENT_SECRET: ghl.clientSecret,
      GHL_LOCATION_ID: ghl.locationId,
      GHL_BASE_URL: ghl.url,
      GHL_AUTHORIZE_BASE_URL: ghl.url,
      TT_API_KEY: tt.apiKey,
      TT_BASE_URL: tt.url,
      TT_REQUESTS_PER_SECOND: '0',
      TTSYNC_DATA_DIR: dataDir,
    });
    app = await Ttsync.open({ config, logger: silentLogger });
    url = await app.serve({ port: 0, host: '127.0.0.1', work: false });
  });
  after(async () => {
    await app.close();
    await Promise.all([ghl.close(), tt.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('start → GHL → callback stores the pair encrypted, and the sync runs on it', async () => {
    const start = await fetch(`${url}/oauth/ghl/start`, { redirect: 'manual' });
    assert.equal(start.status, 302);
    const toGhl = new URL(start.headers.get('location') ?? '');
    assert.equal(toGhl.origin, new URL(ghl.url).origin);
    assert.equal(toGhl.searchParams.get('redirect_uri'), `${url}/oauth/ghl/callback`);
    assert.match(toGhl.searchParams.get('scope') ?? '', /contacts\.write/);

    const approved = await fetch(toGhl, { redirect: 'manual' });
    assert.equal(approved.status, 302);
    const back = new URL(approved.headers.get('location') ?? '');
    assert.equal(back.pathname, '/oauth/ghl/callback');
    const callback = await fetch(back);
    assert.equal(callback.status, 200, await callback.clone().text());
    const body = (await callback.json()) as { status: string; locationId: string };
    assert.deepEqual([body.status, body.locationId], ['connected', ghl.locationId]);

    const row = await app.store.db
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', `ghl:${ghl.locationId}`)
      .executeTakeFirstOrThrow();
    assert.equal(row.auth_kind, 'oauth');
    assert.ok(!row.secret.includes('"accessToken"'), 'sealed, not JSON in the clear');

    const result = await app.backfill();
    assert.equal(result.contacts, 6);
    assert.ok(result.outcomes.created > 0, 'leads created through the OAuth tokens');
  });

  test('a forged or missing state is refused and nothing is exchanged', async () => {
    const before = (await (await fetch(`${ghl.url}/__sandbox/stats`)).json()) as {
      oauth: { codeExchanges: number };
    };
    for (const state of ['', 'x.y.z', `${Date.now() + 60_000}.nonce.forged`]) {
      const response = await fetch(`${url}/oauth/ghl/callback?code=abc&state=${state}`);
      assert.equal(response.status, 400);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'auth_state_invalid');
      assert.match(error.message, /Start again at \/oauth\/ghl\/start/);
    }
    const after = (await (await fetch(`${ghl.url}/__sandbox/stats`)).json()) as {
      oauth: { codeExchanges: number };
    };
    assert.equal(after.oauth.codeExchanges, before.oauth.codeExchanges);
  });
});
