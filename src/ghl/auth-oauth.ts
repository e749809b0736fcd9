/**
 * GHL Marketplace OAuth (ghl-api.md §3.2): authorize URL, code exchange, refresh, and location
 * tokens minted from an agency token.
 *
 * Refresh tokens rotate and are single-use, so a refresh that runs twice, or whose result is
 * lost, disconnects the location. Hence: one refresh per key at a time in this process (callers
 * join the running one), inside the store's cross-process lock when it has one; inside that lock
 * the stored set is read again and used as is when someone else already rotated it; and the new
 * pair is saved before its access token is handed to anyone.
 */
import type { Clock } from '../shared/clock.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError, HttpError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { secrets, silentLogger } from '../shared/logger.ts';
import type { GhlAuth } from './auth.ts';
import { GhlTokenEndpoint, RECONNECT, describeKey, toTokenSet } from './auth-token-endpoint.ts';
import { companyIdOfKey, companyKey } from './token-store.ts';
import type { GhlTokenSet, TokenStore } from './token-store.ts';

export interface OAuthAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Default redirect URI for `authorizeUrl` and `exchangeCode`. */
  redirectUri?: string;
  /** API host; default https://services.leadconnectorhq.com. */
  baseUrl?: string;
  /** Where users approve the app; default https://marketplace.gohighlevel.com. */
  authorizeBaseUrl?: string;
  store: TokenStore;
  clock?: Clock;
  logger?: Logger;
  /** Refresh this long before expiry; default 5 minutes. */
  refreshAheadMs?: number;
  fetch?: typeof fetch;
  /** Per-request timeout for the token endpoints; default 30 s. */
  timeoutMs?: number;
}

/** `GhlAuth` for a Marketplace OAuth app, with token sets kept in a `TokenStore`. */
export class OAuthAuth implements GhlAuth {
  readonly kind = 'oauth';
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #redirectUri: string | undefined;
  readonly #authorizeBaseUrl: string;
  readonly #store: TokenStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #refreshAheadMs: number;
  readonly #endpoint: GhlTokenEndpoint;
  readonly #inflight = new Map<string, Promise<GhlTokenSet>>();

  constructor(opts: OAuthAuthOptions) {
    if (!opts.clientId || !opts.clientSecret) {
      throw new AppError(
        'config_invalid',
        'GHL OAuth needs the app client id and client secret from the Marketplace app settings.',
      );
    }
    this.#clientId = opts.clientId;
    this.#clientSecret = opts.clientSecret;
    secrets.add(opts.clientSecret);
    this.#redirectUri = opts.redirectUri;
    this.#authorizeBaseUrl = (
      opts.authorizeBaseUrl ?? 'https://marketplace.gohighlevel.com'
    ).replace(/\/+$/, '');
    this.#store = opts.store;
    this.#clock = opts.clock ?? systemClock;
    this.#logger = opts.logger ?? silentLogger;
    this.#refreshAheadMs = opts.refreshAheadMs ?? 5 * 60_000;
    this.#endpoint = new GhlTokenEndpoint({
      baseUrl: opts.baseUrl ?? 'https://services.leadconnectorhq.com',
      fetch: opts.fetch ?? fetch,
      timeoutMs: opts.timeoutMs ?? 30_000,
    });
  }

  /** The URL that starts an install: the user picks a location and GHL redirects back with `?code=`. */
  authorizeUrl(opts: { scopes: string[]; state: string; redirectUri?: string }): string {
    const redirectUri = this.#requireRedirectUri(opts.redirectUri);
    // Spaces as %20 rather than URLSearchParams' '+': the scope list is space-separated.
    const query = [
      ['response_type', 'code'],
      ['redirect_uri', redirectUri],
      ['client_id', this.#clientId],
      ['scope', opts.scopes.join(' ')],
      ['state', opts.state],
    ]
      .map(([name, value]) => `${name}=${encodeURIComponent(value ?? '')}`)
      .join('&');
    return `${this.#authorizeBaseUrl}/v2/oauth/chooselocation?${query}`;
  }

  /**
   * Trades the authorization code for a token set and saves it (under the location id, or
   * `company:<companyId>` for an agency token) before returning it. `userType` defaults to
   * 'Location'.
   */
  async exchangeCode(
    code: string,
    opts: { userType?: 'Location' | 'Company'; redirectUri?: string } = {},
  ): Promise<GhlTokenSet> {
    secrets.add(code);
    const redirectUri = opts.redirectUri ?? this.#redirectUri;
    const startedAt = this.#clock.now();
    const body = await this.#endpoint.post(
      '/oauth/token',
      {
        client_id: this.#clientId,
        client_secret: this.#clientSecret,
        grant_type: 'authorization_code',
        code,
        user_type: opts.userType ?? 'Location',
        ...(redirectUri ? { redirect_uri: redirectUri } : {}),
      },
      {},
      { action: 'exchange', key: 'new connection' },
    );
    const tokens = toTokenSet(body, startedAt, {
      userType: opts.userType ?? 'Location',
      scopes: [],
    });
    const key = storeKey(tokens);
    await this.#store.save(key, tokens);
    this.#logger.info(logFields(key, tokens), 'GHL connection authorized');
    return tokens;
  }

  /** The access token for `locationId`, refreshed first when within `refreshAheadMs` of expiry. */
  async accessToken(locationId: string): Promise<string> {
    return (await this.#validTokens(locationId)).accessToken;
  }

  /**
   * After a non-scope 401: refreshes once. When the stored token already differs from the one
   * that failed, another caller refreshed, and that token is returned without a new request.
   * Undefined when the stored set cannot be refreshed at all.
   */
  async onUnauthorized(locationId: string, failedToken: string): Promise<string | undefined> {
    const stored = await this.#load(locationId);
    if (stored.accessToken !== failedToken && !this.#due(stored)) return stored.accessToken;
    if (!canRefresh(stored)) return undefined;
    return (await this.#refreshOnce(locationId, stored.accessToken)).accessToken;
  }

  /** Refreshes the token set under `key` now (single-flight per key), saving it before returning. */
  async refresh(key: string): Promise<GhlTokenSet> {
    const stored = await this.#load(key);
    return this.#refreshOnce(key, stored.accessToken);
  }

  /**
   * Mints a location token from the agency token saved under `company:<companyId>` and saves it
   * under `locationId`. It has no refresh token: near expiry it is minted again the same way.
   */
  async locationTokenFromAgency(companyId: string, locationId: string): Promise<GhlTokenSet> {
    const tokens = await this.#mintLocationToken(companyId, locationId);
    await this.#store.save(locationId, tokens);
    this.#logger.info(logFields(locationId, tokens), 'GHL location token minted from agency token');
    return tokens;
  }

  async #validTokens(key: string): Promise<GhlTokenSet> {
    const stored = await this.#load(key);
    if (!this.#due(stored)) return stored;
    if (!canRefresh(stored)) {
      if (stored.expiresAt !== undefined && stored.expiresAt > this.#clock.now()) return stored;
      throw new AppError(
        'auth_token_invalid',
        `The GHL token for ${describeKey(key)} has expired and cannot be refreshed: ${RECONNECT}.`,
        {
          details: { key },
        },
      );
    }
    return this.#refreshOnce(key, stored.accessToken);
  }

  /** Joins the running refresh of `key`, or starts one; `seen` is the access token the caller found. */
  #refreshOnce(key: string, seen: string): Promise<GhlTokenSet> {
    const running = this.#inflight.get(key);
    if (running) return running;
    const locked = (): Promise<GhlTokenSet> => this.#refreshLocked(key, seen);
    const task = (
      this.#store.withRefreshLock ? this.#store.withRefreshLock(key, locked) : locked()
    ).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, task);
    return task;
  }

  async #refreshLocked(key: string, seen: string): Promise<GhlTokenSet> {
    const current = await this.#load(key);
    // Another process (or an earlier caller) rotated the pair while we waited for the lock.
    if (current.accessToken !== seen && !this.#due(current)) return current;

    let next: GhlTokenSet;
    if (current.refreshToken !== undefined) {
      const startedAt = this.#clock.now();
      const body = await this.#endpoint.post(
        '/oauth/token',
        {
          client_id: this.#clientId,
          client_secret: this.#clientSecret,
          grant_type: 'refresh_token',
          refresh_token: current.refreshToken,
          user_type: current.userType,
        },
        {},
        { action: 'refresh', key },
      );
      next = toTokenSet(body, startedAt, current);
    } else if (current.companyId !== undefined && current.locationId !== undefined) {
      next = await this.#mintLocationToken(current.companyId, current.locationId);
    } else {
      throw new AppError(
        'auth_refresh_failed',
        `The GHL token for ${describeKey(key)} has no refresh token: ${RECONNECT}.`,
        {
          details: { key },
        },
      );
    }
    try {
      await this.#store.save(key, next);
    } catch (cause) {
      throw new AppError(
        'auth_refresh_failed',
        `GHL rotated the token for ${describeKey(key)} but it could not be saved, so the old one is spent: fix the database, then ${RECONNECT}.`,
        { cause, details: { key } },
      );
    }
    this.#logger.info(logFields(key, next), 'GHL access token refreshed');
    return next;
  }

  async #mintLocationToken(companyId: string, locationId: string): Promise<GhlTokenSet> {
    const agencyKey = companyKey(companyId);
    const agency = await this.#validTokens(agencyKey);
    try {
      return await this.#requestLocationToken(agency.accessToken, companyId, locationId);
    } catch (error) {
      // An agency token GHL rejects as invalid (not for scope) gets one refresh, like any 401.
      const rejected =
        error instanceof HttpError &&
        error.status === 401 &&
        error.details?.['scopeError'] !== true;
      if (!rejected || !canRefresh(agency)) throw error;
      const fresh = await this.#refreshOnce(agencyKey, agency.accessToken);
      return this.#requestLocationToken(fresh.accessToken, companyId, locationId);
    }
  }

  async #requestLocationToken(
    agencyToken: string,
    companyId: string,
    locationId: string,
  ): Promise<GhlTokenSet> {
    const startedAt = this.#clock.now();
    const body = await this.#endpoint.post(
      '/oauth/locationToken',
      { companyId, locationId },
      { Authorization: `Bearer ${agencyToken}`, Version: '2021-07-28' },
      { action: 'locationToken', key: locationId },
    );
    return toTokenSet(body, startedAt, { userType: 'Location', scopes: [], companyId, locationId });
  }

  async #load(key: string): Promise<GhlTokenSet> {
    const tokens = await this.#store.load(key);
    if (!tokens) {
      throw new AppError(
        'auth_token_invalid',
        `No GHL token is stored for ${describeKey(key)}: connect it with \`ttsync connect ghl\`.`,
        {
          details: { key },
        },
      );
    }
    secrets.add(tokens.accessToken);
    secrets.add(tokens.refreshToken);
    return tokens;
  }

  #due(tokens: GhlTokenSet): boolean {
    return (
      tokens.expiresAt !== undefined && tokens.expiresAt - this.#refreshAheadMs <= this.#clock.now()
    );
  }

  #requireRedirectUri(override: string | undefined): string {
    const redirectUri = override ?? this.#redirectUri;
    if (!redirectUri) {
      throw new AppError(
        'config_invalid',
        'GHL OAuth needs a redirect URI: set the one registered in the Marketplace app settings.',
      );
    }
    return redirectUri;
  }
}

/** A refresh token, or an agency token to mint from. */
function canRefresh(tokens: GhlTokenSet): boolean {
  return (
    tokens.refreshToken !== undefined ||
    (tokens.companyId !== undefined &&
      tokens.locationId !== undefined &&
      tokens.userType === 'Location')
  );
}

function storeKey(tokens: GhlTokenSet): string {
  if (tokens.userType === 'Location' && tokens.locationId) return tokens.locationId;
  if (tokens.companyId) return companyKey(tokens.companyId);
  throw new AppError(
    'unexpected',
    'GHL returned a token for neither a location nor a company: start the connection again.',
  );
}

/** Log fields for a token event: who it is for and when it expires, never the token. */
function logFields(key: string, tokens: GhlTokenSet): Record<string, unknown> {
  const companyId = companyIdOfKey(key);
  return {
    ...(companyId === undefined ? { locationId: key } : { companyId }),
    userType: tokens.userType,
    expiresAt:
      tokens.expiresAt === undefined ? undefined : new Date(tokens.expiresAt).toISOString(),
  };
}
