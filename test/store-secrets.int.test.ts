/**
 * Credentials at rest: the secret box, the key file, and the GHL token store on both databases,
 * including one refresh across two processes that share a single-use refresh token.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GhlClient } from '../src/ghl/client.ts';
import { parseSecretKey, SecretBox } from '../src/shared/secret-box.ts';
import { generateSecretKey } from '../src/shared/secret-box.ts';
import { tryAcquireLock, withLock } from '../src/store/locks.ts';
import { loadSecretKey } from '../src/store/secret-key.ts';
import { DbTokenStore } from '../src/store/token-store.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { oauthAuth, oauthAuthOn, sandbox, stats } from './support/ghl-harness.ts';
import { describeEachDialect } from './support/stores.ts';

const box = new SecretBox(parseSecretKey(generateSecretKey()));

describe('secret box', () => {
  test('round-trips, with a fresh IV each time', () => {
    const a = box.seal('refresh-token-123', 'ghl:loc');
    const b = box.seal('refresh-token-123', 'ghl:loc');
    assert.notEqual(a, b);
    assert.ok(!a.includes('refresh-token-123'));
    assert.equal(box.open(a, 'ghl:loc'), 'refresh-token-123');
  });

  test('refuses a tampered ciphertext, another record, and another key, saying what to do', () => {
    const sealed = box.seal('secret', 'ghl:loc');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    const tampered = [...parts.slice(0, 3), body.toString('base64url')].join('.');
    const refusal = { code: 'secret_key_invalid', message: /TTSYNC_SECRET_KEY|reconnect/ };
    assert.throws(() => box.open(tampered, 'ghl:loc'), refusal);
    assert.throws(() => box.open(sealed, 'ghl:other'), refusal);
    const other = new SecretBox(parseSecretKey(generateSecretKey()));
    assert.throws(() => other.open(sealed, 'ghl:loc'), refusal);
  });

  test('a key must be 32 bytes, as hex or base64', () => {
    assert.equal(parseSecretKey('ab'.repeat(32)).length, 32);
    assert.throws(() => parseSecretKey('too-short'), /32 bytes.*openssl rand -base64 32/);
  });
});

describe('secret key file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ttsync-key-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('is created 0600 on first start and read back after', () => {
    const file = join(dir, 'a', 'secret.key');
    const first = loadSecretKey(undefined, file);
    assert.equal(first.source, 'file-created');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const second = loadSecretKey(undefined, file);
    assert.equal(second.source, 'file');
    assert.ok(second.key.equals(first.key));
  });

  test('is refused when others can read it, and TTSYNC_SECRET_KEY wins over it', () => {
    const file = join(dir, 'b.key');
    loadSecretKey(undefined, file);
    chmodSync(file, 0o644);
    assert.throws(() => loadSecretKey(undefined, file), /chmod 600/);
    const fromEnv = loadSecretKey('cd'.repeat(32), file);
    assert.equal(fromEnv.source, 'env');
  });
});

describeEachDialect('GHL tokens in the database', (stores) => {
  let ghl: GhlSandbox;
  before(async () => {
    ghl = await sandbox({ contacts: 3 });
  });
  after(() => ghl.close());

  test('token sets are sealed at rest and load back whole', async () => {
    const store = await stores.open('tokens-sealed');
    const tokens = new DbTokenStore({ db: store.db, box });
    const { store: saved } = await oauthAuth(ghl, undefined, tokens);
    const loaded = await saved.load(ghl.locationId);
    assert.ok(loaded?.accessToken && loaded.refreshToken);
    const row = await store.db
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', `ghl:${ghl.locationId}`)
      .executeTakeFirstOrThrow();
    assert.ok(!row.secret.includes(loaded.accessToken), 'no plaintext access token');
    assert.ok(!row.secret.includes(loaded.refreshToken), 'no plaintext refresh token');
    assert.equal(row.provider, 'ghl');
    assert.equal(row.expires_at, loaded.expiresAt);
  });

  test('two processes on an expired token make exactly one refresh between them', async () => {
    const storeA = await stores.open('tokens-two-processes');
    const storeB = await stores.reopen(storeA);
    const tokensA = new DbTokenStore({ db: storeA.db, box, owner: 'process-a' });
    const tokensB = new DbTokenStore({ db: storeB.db, box, owner: 'process-b' });
    const { auth: authA } = await oauthAuth(ghl, undefined, tokensA);
    const authB = oauthAuthOn(ghl, tokensB);
    const stored = await tokensA.load(ghl.locationId);
    assert.ok(stored);
    await tokensA.save(ghl.locationId, { ...stored, expiresAt: Date.now() - 1000 });
    const before = await stats(ghl);

    const clients = [authA, authB].map((auth) => new GhlClient({ auth, baseUrl: ghl.url }));
    const calls = clients.flatMap((client) =>
      Array.from({ length: 10 }, () => client.location(ghl.locationId).listUsers()),
    );
    const results = await Promise.all(calls);
    assert.equal(results.length, 20);

    const after = await stats(ghl);
    assert.equal(after.oauth.refreshOk - before.oauth.refreshOk, 1, 'exactly one refresh');
    assert.equal(after.oauth.refreshFailed - before.oauth.refreshFailed, 0, 'no token spent twice');
    const [a, b] = await Promise.all([tokensA.load(ghl.locationId), tokensB.load(ghl.locationId)]);
    assert.equal(a?.refreshToken, b?.refreshToken);
    assert.notEqual(a?.refreshToken, stored.refreshToken, 'the rotated pair was persisted');
    for (const client of clients) client.stop();
  });

  test('the lock never runs two holders at once, and a dead holder loses it when its lease ends', async () => {
    const storeA = await stores.open('locks');
    const storeB = await stores.reopen(storeA);
    let inside = 0;
    let overlaps = 0;
    const critical = async (): Promise<void> => {
      inside++;
      if (inside > 1) overlaps++;
      await new Promise((resolve) => setImmediate(resolve));
      await storeA.db.selectFrom('locks').selectAll().execute();
      inside--;
    };
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        withLock(i % 2 ? storeA.db : storeB.db, 'refresh:x', `owner-${i}`, critical, {
          pollMs: 5,
        }),
      ),
    );
    assert.equal(overlaps, 0);

    // A holder that died: its row stays until the lease expires.
    assert.ok(await tryAcquireLock(storeA.db, 'refresh:y', 'dead', 150, Date.now()));
    assert.equal(await tryAcquireLock(storeB.db, 'refresh:y', 'alive', 150, Date.now()), false);
    const started = Date.now();
    await withLock(storeB.db, 'refresh:y', 'alive', async () => undefined, { pollMs: 10 });
    assert.ok(Date.now() - started >= 100, 'waited for the lease to run out');
    await assert.rejects(
      (async () => {
        await tryAcquireLock(storeA.db, 'refresh:z', 'dead', 60_000, Date.now());
        await withLock(storeB.db, 'refresh:z', 'alive', async () => undefined, {
          waitMs: 100,
          pollMs: 10,
        });
      })(),
      { code: 'lock_timeout', message: /lease runs out/ },
    );
  });
});
