import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/shared/clock.ts';
import { AppError } from '../src/shared/errors.ts';
import { createLogger } from '../src/shared/logger.ts';
import {
  MemoryTokenStore,
  OAuthAuth,
  PrivateIntegrationAuth,
  companyKey,
} from '../src/ghl/auth.ts';
import type { GhlTokenSet, OAuthAuthOptions, TokenStore } from '../src/ghl/auth.ts';

const HOUR = 3_600_000;
const CLIENT_ID = 'client-abc';
const CLIENT_SECRET = 'client-secret-0123456789';

interface Grant {
  userType: 'Location' | 'Company';
  locationId?: string;
  companyId?: string;
}

interface TokenRequest {
  path: string;
  contentType: string | undefined;
  version: string | undefined;
  authorization: string | undefined;
  form: Record<string, string>;
}

/**
 * A token endpoint over real HTTP with GHL's rules: refresh tokens rotate and are single-use,
 * access tokens are valid until their grant is refreshed. Logs every request and every
 * authenticated use, into `events` shared with the test.
 */
class TokenServer {
  readonly requests: TokenRequest[] = [];
  readonly events: string[] = [];
  /** When set, refreshes answer 400 with this message (ghl-api.md §3.2: "Location is not active"). */
  refreshFailure: string | undefined;
  readonly #refresh = new Map<string, Grant>();
  readonly #access = new Map<string, Grant>();
  readonly #codes = new Map<string, Grant>();
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    // Idle keep-alive sockets outlive the test, so a slow machine never reuses one being closed.
    this.#server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server?.close(() => resolve()));
    this.#server?.closeAllConnections();
    await closed;
  }

  /** Issues a pair as an install would. */
  issue(grant: Grant): { accessToken: string; refreshToken: string } {
    const accessToken = token('at');
    const refreshToken = token('rt');
    this.#access.set(accessToken, grant);
    this.#refresh.set(refreshToken, grant);
    return { accessToken, refreshToken };
  }

  /** Invalidates an access token, as GHL did to every token in the 2024-10 incident. */
  revoke(accessToken: string): void {
    this.#access.delete(accessToken);
  }

  code(grant: Grant): string {
    const code = token('code');
    this.#codes.set(code, grant);
    return code;
  }

  refreshCount(): number {
    return this.requests.filter((r) => r.form['grant_type'] === 'refresh_token').length;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const path = req.url ?? '';
    const contentType = req.headers['content-type'];
    const authorization = req.headers.authorization;
    const form = Object.fromEntries(new URLSearchParams(raw));
    // A little latency, so concurrent callers really overlap.
    await new Promise((resolve) => setTimeout(resolve, 15));

    if (path === '/me') {
      const accessToken = authorization?.replace(/^Bearer /, '') ?? '';
      this.events.push(`use:${accessToken}`);
      return this.#access.has(accessToken)
        ? send(res, 200, { ok: true })
        : send(res, 401, {
            statusCode: 401,
            message: 'Invalid token: access token is invalid',
            error: 'Unauthorized',
          });
    }
    this.requests.push({
      path,
      contentType,
      version: req.headers.version as string | undefined,
      authorization,
      form,
    });
    if (contentType !== 'application/x-www-form-urlencoded') {
      return send(res, 422, {
        statusCode: 422,
        message: ['body must be form-encoded'],
        error: 'Unprocessable Entity',
      });
    }
    if (path === '/oauth/token') {
      if (form['client_id'] !== CLIENT_ID || form['client_secret'] !== CLIENT_SECRET) {
        return send(res, 401, { statusCode: 401, message: 'Invalid client credentials' });
      }
      if (form['grant_type'] === 'refresh_token') {
        if (this.refreshFailure)
          return send(res, 400, {
            statusCode: 400,
            message: this.refreshFailure,
            error: 'Bad Request',
          });
        const grant = this.#refresh.get(form['refresh_token'] ?? '');
        if (!grant)
          return send(res, 400, {
            statusCode: 400,
            message: 'Invalid refresh token',
            error: 'Bad Request',
          });
        this.#refresh.delete(form['refresh_token'] ?? ''); // single use
        for (const [access, owner] of this.#access)
          if (owner === grant) this.#access.delete(access);
        return send(res, 200, this.#pairBody(grant));
      }
      if (form['grant_type'] === 'authorization_code') {
        const grant = this.#codes.get(form['code'] ?? '');
        if (!grant || form['user_type'] !== grant.userType)
          return send(res, 400, { statusCode: 400, message: 'Invalid code' });
        this.#codes.delete(form['code'] ?? '');
        return send(res, 200, this.#pairBody(grant));
      }
    }
    if (path === '/oauth/locationToken') {
      const agency = this.#access.get(authorization?.replace(/^Bearer /, '') ?? '');
      if (!agency || agency.userType !== 'Company' || req.headers.version !== '2021-07-28') {
        return send(res, 401, {
          statusCode: 401,
          message: 'Invalid token: access token is invalid',
          error: 'Unauthorized',
        });
      }
      const accessToken = token('lat');
      const grant: Grant = {
        userType: 'Location',
        locationId: form['locationId'] ?? '',
        companyId: form['companyId'] ?? '',
      };
      this.#access.set(accessToken, grant);
      return send(res, 200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: 86399,
        scope: 'contacts.readonly',
        locationId: grant.locationId,
        userId: 'user-1',
      });
    }
    send(res, 404, { statusCode: 404, message: 'Not found' });
  }

  #pairBody(grant: Grant): Record<string, unknown> {
    const { accessToken, refreshToken } = this.issue(grant);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 86399,
      refresh_token: refreshToken,
      scope: 'contacts.readonly contacts.write',
      userType: grant.userType,
      ...(grant.locationId ? { locationId: grant.locationId } : {}),
      ...(grant.companyId ? { companyId: grant.companyId } : {}),
      userId: 'user-1',
    };
  }
}

function token(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A MemoryTokenStore that logs each save into the server's event list. */
class RecordingStore extends MemoryTokenStore {
  readonly #events: string[];
  constructor(events: string[]) {
    super();
    this.#events = events;
  }
  override async save(key: string, tokens: GhlTokenSet): Promise<void> {
    await super.save(key, tokens);
    this.#events.push(`save:${tokens.accessToken}`);
  }
}

const server = new TokenServer();
void before(() => server.start());
void after(() => server.stop());

function setup(overrides: Partial<OAuthAuthOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const store = overrides.store ?? new RecordingStore(server.events);
  const auth = new OAuthAuth({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: 'https://ttsync.example/oauth/callback',
    baseUrl: server.url,
    authorizeBaseUrl: 'https://marketplace.example',
    store,
    clock,
    ...overrides,
  });
  return { clock, store, auth };
}

/** Saves a server-issued pair for `locationId` expiring at `expiresAt`. */
async function install(store: TokenStore, locationId: string, expiresAt: number) {
  const pair = server.issue({ userType: 'Location', locationId, companyId: 'co-1' });
  await store.save(locationId, {
    ...pair,
    expiresAt,
    scopes: ['contacts.readonly'],
    userType: 'Location',
    locationId,
  });
  return pair;
}

void describe('OAuthAuth refresh', () => {
  void it('20 concurrent callers on an expired token cause one refresh and all get the new token, saved first', async () => {
    const { clock, store, auth } = setup();
    const old = await install(store, 'loc-1', clock.now() - 1);
    const before = server.refreshCount();
    server.events.length = 0;

    const tokens = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const accessToken = await auth.accessToken('loc-1');
        server.events.push(`resolved:${accessToken}`);
        const res = await fetch(`${server.url}/me`, {
          headers: { Authorization: `Bearer ${accessToken}` },
        });
        assert.equal(res.status, 200, 'the new token works');
        return accessToken;
      }),
    );

    assert.equal(server.refreshCount() - before, 1, 'exactly one refresh request');
    const fresh = tokens[0] ?? '';
    assert.notEqual(fresh, old.accessToken);
    assert.ok(
      tokens.every((t) => t === fresh),
      'every caller got the new token',
    );
    const saved = await store.load('loc-1');
    assert.equal(saved?.accessToken, fresh);
    assert.notEqual(saved?.refreshToken, old.refreshToken, 'the rotated refresh token is stored');
    assert.equal(saved?.expiresAt, clock.now() + 86_399_000);
    assert.deepEqual(saved?.scopes, ['contacts.readonly', 'contacts.write']);
    assert.equal(server.events.filter((e) => e.startsWith('save:')).length, 1);
    assert.equal(server.events[0], `save:${fresh}`, 'saved before any caller got it or used it');
  });

  void it('sends the refresh form GHL expects', async () => {
    const { clock, store, auth } = setup();
    const old = await install(store, 'loc-form', clock.now() - 1);
    await auth.accessToken('loc-form');
    const request = server.requests.findLast((r) => r.form['grant_type'] === 'refresh_token');
    assert.equal(request?.path, '/oauth/token');
    assert.equal(request?.contentType, 'application/x-www-form-urlencoded');
    assert.deepEqual(request?.form, {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_type: 'refresh_token',
      refresh_token: old.refreshToken,
      user_type: 'Location',
    });
  });

  void it('refreshes ahead of expiry, not before', async () => {
    const { clock, store, auth } = setup({ refreshAheadMs: 5 * 60_000 });
    const old = await install(store, 'loc-ahead', clock.now() + 10 * 60_000);
    const before = server.refreshCount();

    assert.equal(await auth.accessToken('loc-ahead'), old.accessToken);
    await clock.advance(5 * 60_000 - 1);
    assert.equal(await auth.accessToken('loc-ahead'), old.accessToken, 'still 5 min + 1 ms left');
    assert.equal(server.refreshCount(), before);

    await clock.advance(1);
    const fresh = await auth.accessToken('loc-ahead');
    assert.notEqual(fresh, old.accessToken);
    assert.equal(server.refreshCount() - before, 1);
  });

  void it('onUnauthorized refreshes once; a second caller with the same failed token gets the new one', async () => {
    const { clock, store, auth } = setup();
    const old = await install(store, 'loc-401', clock.now() + 12 * HOUR);
    const before = server.refreshCount();

    const [first, concurrent] = await Promise.all([
      auth.onUnauthorized('loc-401', old.accessToken),
      auth.onUnauthorized('loc-401', old.accessToken),
    ]);
    const later = await auth.onUnauthorized('loc-401', old.accessToken);

    assert.equal(server.refreshCount() - before, 1);
    assert.ok(first && first !== old.accessToken);
    assert.equal(concurrent, first);
    assert.equal(later, first);
    assert.equal(await auth.accessToken('loc-401'), first);
  });

  void it('under the store lock, uses a pair another process already rotated instead of refreshing', async () => {
    const events: string[] = [];
    const inner = new RecordingStore(events);
    let lockCalls = 0;
    const otherProcessRefresh = async (): Promise<void> => {
      // The other process holds the lock first and rotates the pair.
      const current = await inner.load('loc-lock');
      const res = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          grant_type: 'refresh_token',
          refresh_token: current?.refreshToken ?? '',
          user_type: 'Location',
        }),
      });
      const body = (await res.json()) as { access_token: string; refresh_token: string };
      await inner.save('loc-lock', {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        expiresAt: clock.now() + 86_399_000,
        scopes: [],
        userType: 'Location',
        locationId: 'loc-lock',
      });
    };
    const store: TokenStore = {
      load: (key) => inner.load(key),
      save: (key, tokens) => inner.save(key, tokens),
      async withRefreshLock<T>(_key: string, fn: () => Promise<T>): Promise<T> {
        lockCalls++;
        if (lockCalls === 1) await otherProcessRefresh();
        return fn();
      },
    };
    const { clock, auth } = setup({ store });
    await install(inner, 'loc-lock', clock.now() - 1);
    const before = server.refreshCount();

    const accessToken = await auth.accessToken('loc-lock');

    assert.equal(lockCalls, 1, 'the refresh ran inside the store lock');
    assert.equal(server.refreshCount() - before, 1, "only the other process's refresh reached GHL");
    assert.equal(accessToken, (await inner.load('loc-lock'))?.accessToken);
    const res = await fetch(`${server.url}/me`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    assert.equal(res.status, 200);
  });

  void it('a refused refresh says what GHL said and what to do', async () => {
    const { clock, store, auth } = setup();
    await install(store, 'loc-inactive', clock.now() - 1);
    server.refreshFailure = 'Location is not active';
    try {
      await assert.rejects(auth.accessToken('loc-inactive'), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'auth_refresh_failed');
        assert.match(error.message, /Location is not active/);
        assert.match(error.message, /location loc-inactive/);
        assert.match(error.message, /ttsync connect ghl/);
        return true;
      });
    } finally {
      server.refreshFailure = undefined;
    }
  });

  void it('a spent refresh token fails with the provider message', async () => {
    const { clock, store, auth } = setup();
    const pair = await install(store, 'loc-spent', clock.now() - 1);
    await store.save('loc-spent', {
      accessToken: pair.accessToken,
      refreshToken: 'rt-not-known-to-the-server',
      expiresAt: clock.now() - 1,
      scopes: [],
      userType: 'Location',
    });
    await assert.rejects(auth.accessToken('loc-spent'), /Invalid refresh token/);
  });

  void it('onUnauthorized returns undefined when the stored set cannot be refreshed', async () => {
    const { clock, store, auth } = setup();
    await store.save('loc-bare', {
      accessToken: 'at-bare-123456',
      expiresAt: clock.now() + HOUR,
      scopes: [],
      userType: 'Location',
    });
    assert.equal(await auth.onUnauthorized('loc-bare', 'at-bare-123456'), undefined);
  });

  void it('says how to connect a location it has no token for', async () => {
    const { auth } = setup();
    await assert.rejects(
      auth.accessToken('loc-unknown'),
      /No GHL token is stored for location loc-unknown.*ttsync connect ghl/,
    );
  });
});

void describe('OAuthAuth install flow', () => {
  void it('authorizeUrl carries client, redirect, state and space-separated scopes', () => {
    const { auth } = setup();
    const url = auth.authorizeUrl({
      scopes: ['contacts.readonly', 'contacts.write'],
      state: 'st-42',
    });
    assert.ok(url.startsWith('https://marketplace.example/v2/oauth/chooselocation?'));
    assert.match(url, /scope=contacts\.readonly%20contacts\.write/);
    const params = new URL(url).searchParams;
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('client_id'), CLIENT_ID);
    assert.equal(params.get('redirect_uri'), 'https://ttsync.example/oauth/callback');
    assert.equal(params.get('scope'), 'contacts.readonly contacts.write');
    assert.equal(params.get('state'), 'st-42');
  });

  void it('exchangeCode posts a form and saves the set under the location id before returning', async () => {
    const { store, auth } = setup();
    const code = server.code({ userType: 'Location', locationId: 'loc-new', companyId: 'co-1' });
    const tokens = await auth.exchangeCode(code);
    const request = server.requests.findLast((r) => r.form['grant_type'] === 'authorization_code');
    assert.equal(request?.contentType, 'application/x-www-form-urlencoded');
    assert.deepEqual(request?.form, {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_type: 'authorization_code',
      code,
      user_type: 'Location',
      redirect_uri: 'https://ttsync.example/oauth/callback',
    });
    assert.deepEqual(await store.load('loc-new'), tokens);
    assert.equal(tokens.locationId, 'loc-new');
    assert.ok(tokens.refreshToken);
  });

  void it('an agency code is saved under company:<id>, and mints location tokens that are minted again near expiry', async () => {
    const { clock, store, auth } = setup();
    const code = server.code({ userType: 'Company', companyId: 'co-9' });
    const agency = await auth.exchangeCode(code, { userType: 'Company' });
    assert.deepEqual(await store.load(companyKey('co-9')), agency);

    const minted = await auth.locationTokenFromAgency('co-9', 'loc-sub');
    const request = server.requests.findLast((r) => r.path === '/oauth/locationToken');
    assert.equal(request?.authorization, `Bearer ${agency.accessToken}`);
    assert.equal(request?.version, '2021-07-28');
    assert.deepEqual(request?.form, { companyId: 'co-9', locationId: 'loc-sub' });
    assert.equal(minted.refreshToken, undefined);
    assert.deepEqual(await store.load('loc-sub'), minted);
    assert.equal(await auth.accessToken('loc-sub'), minted.accessToken);

    const mints = server.requests.filter((r) => r.path === '/oauth/locationToken').length;
    await clock.advance(86_399_000 - 5 * 60_000);
    const again = await auth.accessToken('loc-sub');
    assert.notEqual(again, minted.accessToken);
    assert.equal(
      server.requests.filter((r) => r.path === '/oauth/locationToken').length,
      mints + 1,
    );
    const res = await fetch(`${server.url}/me`, { headers: { Authorization: `Bearer ${again}` } });
    assert.equal(res.status, 200);
  });
});

void describe('OAuthAuth agency tokens', () => {
  void it('refreshes an agency token GHL rejects once, then mints the location token', async () => {
    const { store, auth } = setup();
    const agency = await auth.exchangeCode(
      server.code({ userType: 'Company', companyId: 'co-7' }),
      {
        userType: 'Company',
      },
    );
    server.revoke(agency.accessToken);
    const before = server.refreshCount();

    const minted = await auth.locationTokenFromAgency('co-7', 'loc-7');

    assert.equal(server.refreshCount() - before, 1, 'one refresh of the agency token');
    const rotated = await store.load(companyKey('co-7'));
    assert.notEqual(rotated?.accessToken, agency.accessToken);
    const calls = server.requests.filter((r) => r.path === '/oauth/locationToken').slice(-2);
    assert.deepEqual(
      calls.map((r) => r.authorization),
      [`Bearer ${agency.accessToken}`, `Bearer ${rotated?.accessToken ?? ''}`],
    );
    assert.deepEqual(await store.load('loc-7'), minted);
  });
});

void describe('Token secrets', () => {
  void it('tokens and the client secret never reach a log line', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      destination: { write: (line: string) => void lines.push(line) },
    });
    const { clock, store, auth } = setup({ logger });
    const old = await install(store, 'loc-secret', clock.now() - 1);
    const fresh = await auth.accessToken('loc-secret');
    const refreshToken = (await store.load('loc-secret'))?.refreshToken ?? '';

    logger.info(
      { note: `${fresh} ${refreshToken} ${old.refreshToken} ${CLIENT_SECRET}` },
      `leak ${fresh}`,
    );
    const output = lines.join('');
    assert.match(output, /GHL access token refreshed/);
    assert.match(output, /"locationId":"loc-secret"/);
    for (const secret of [fresh, refreshToken, old.refreshToken, CLIENT_SECRET]) {
      assert.ok(!output.includes(secret), 'a secret reached the log');
    }
    assert.match(output, /\[REDACTED\]/);
  });
});

void describe('PrivateIntegrationAuth', () => {
  void it('returns its token for any location and cannot refresh', async () => {
    const auth = new PrivateIntegrationAuth({ token: 'pit-0123456789abcdef' });
    assert.equal(auth.kind, 'pit');
    assert.equal(await auth.accessToken('any-location'), 'pit-0123456789abcdef');
    assert.equal(await auth.onUnauthorized('any-location', 'pit-0123456789abcdef'), undefined);
  });

  void it('with one token per location, refuses a location it has no token for', async () => {
    const auth = new PrivateIntegrationAuth({
      tokens: { 'loc-a': 'pit-aaaaaaaaaaaa', 'loc-b': 'pit-bbbbbbbbbbbb' },
    });
    assert.equal(await auth.accessToken('loc-b'), 'pit-bbbbbbbbbbbb');
    await assert.rejects(auth.accessToken('loc-c'), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'auth_token_invalid');
      assert.match(error.message, /location loc-c/);
      return true;
    });
  });

  void it('registers its tokens as secrets', () => {
    const lines: string[] = [];
    const logger = createLogger({
      destination: { write: (line: string) => void lines.push(line) },
    });
    new PrivateIntegrationAuth({ token: 'pit-registered-secret-1' });
    logger.info({ note: 'pit-registered-secret-1' }, 'x');
    assert.ok(!lines.join('').includes('pit-registered-secret-1'));
  });
});
