/**
 * Every credential the sandbox accepts: Private Integration Tokens (static), OAuth location and
 * agency tokens (24 h access, rotating single-use refresh tokens) and authorization codes.
 * Token strings come from node:crypto; they are secrets even in a sandbox.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** Every scope a sandbox route checks, for tokens that may call anything. */
export const ALL_SCOPES: readonly string[] = [
  'contacts.readonly',
  'contacts.write',
  'locations/tasks.readonly',
  'locations/customFields.readonly',
  'calendars.readonly',
  'calendars/events.readonly',
  'calendars/events.write',
  'users.readonly',
  'oauth.readonly',
  'oauth.write',
];

export type TokenKind = 'pit' | 'oauth' | 'agency';

/** What a token allows: its class, scopes and the location or company it is bound to. */
export interface TokenGrant {
  kind: TokenKind;
  scopes: readonly string[];
  /** Set for sub-account tokens; agency tokens have only `companyId`. */
  locationId?: string;
  companyId: string;
  appId: string;
  userId: string;
}

export interface AccessTokenRecord extends TokenGrant {
  token: string;
  /** Undefined for PITs: they never expire until rotated. */
  expiresAtMs?: number;
}

interface RefreshTokenRecord {
  token: string;
  grant: TokenGrant;
  used: boolean;
}

interface AuthCodeRecord {
  grant: TokenGrant;
  clientId: string;
  redirectUri: string;
  expiresAtMs: number;
  used: boolean;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms; absent for PITs without an explicit lifetime. */
  expiresAt?: number;
  expiresInSec?: number;
  grant: TokenGrant;
}

export type RedeemResult =
  | { ok: true; grant: TokenGrant }
  | { ok: false; reason: 'unknown' | 'used' | 'revoked' | 'expired' };

/** GHL's OAuth access-token lifetime (`expires_in`). */
export const OAUTH_EXPIRES_IN_SEC = 86_399;
const CODE_TTL_MS = 10 * 60_000;

function base64url(value: string): string {
  return Buffer.from(value).toString('base64url');
}

/** An opaque JWT-shaped string, like GHL's OAuth tokens (not verifiable, not meant to be). */
function jwtLike(grant: TokenGrant, kind: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      authClass: grant.locationId === undefined ? 'Company' : 'Location',
      kind,
      jti: randomUUID(),
    }),
  );
  return `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}

export class TokenRegistry {
  readonly #access = new Map<string, AccessTokenRecord>();
  readonly #refresh = new Map<string, RefreshTokenRecord>();
  readonly #codes = new Map<string, AuthCodeRecord>();
  readonly #revoked = new Set<string>();

  /** Issues an access token, plus a refresh token when `withRefresh`. */
  issue(
    grant: TokenGrant,
    options: { withRefresh: boolean; expiresInSec?: number },
    now: number,
  ): IssuedTokens {
    const accessToken = grant.kind === 'pit' ? `pit-${randomUUID()}` : jwtLike(grant, 'access');
    const expiresInSec =
      options.expiresInSec ?? (grant.kind === 'pit' ? undefined : OAUTH_EXPIRES_IN_SEC);
    const record: AccessTokenRecord = { ...grant, token: accessToken };
    const issued: IssuedTokens = { accessToken, grant };
    if (expiresInSec !== undefined) {
      record.expiresAtMs = now + expiresInSec * 1000;
      issued.expiresAt = record.expiresAtMs;
      issued.expiresInSec = expiresInSec;
    }
    this.#access.set(accessToken, record);
    if (options.withRefresh) {
      const refreshToken = jwtLike(grant, 'refresh');
      this.#refresh.set(refreshToken, { token: refreshToken, grant, used: false });
      issued.refreshToken = refreshToken;
    }
    return issued;
  }

  /** The live record of an access token, or undefined when unknown, expired or revoked. */
  lookup(token: string, now: number): AccessTokenRecord | undefined {
    const record = this.#access.get(token);
    if (record === undefined) return undefined;
    if (record.expiresAtMs !== undefined && record.expiresAtMs <= now) return undefined;
    return record;
  }

  /**
   * Consumes a refresh token. Synchronous on purpose: of two concurrent refreshes with the same
   * token, the first to arrive wins and the second sees it used.
   */
  redeemRefresh(token: string): RedeemResult {
    const record = this.#refresh.get(token);
    if (record === undefined)
      return { ok: false, reason: this.#revoked.has(token) ? 'revoked' : 'unknown' };
    if (record.used) return { ok: false, reason: 'used' };
    record.used = true;
    return { ok: true, grant: record.grant };
  }

  /** Whether a refresh token exists and is unused (for a knob that fails without consuming). */
  isRefreshUsable(token: string): boolean {
    const record = this.#refresh.get(token);
    return record !== undefined && !record.used;
  }

  /** Stores an authorization code for the chooselocation redirect. */
  issueCode(grant: TokenGrant, clientId: string, redirectUri: string, now: number): string {
    const code = randomBytes(20).toString('hex');
    this.#codes.set(code, {
      grant,
      clientId,
      redirectUri,
      expiresAtMs: now + CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  /** Consumes an authorization code issued to `clientId` (and `redirectUri` when given). */
  redeemCode(
    code: string,
    clientId: string,
    redirectUri: string | undefined,
    now: number,
  ): RedeemResult {
    const record = this.#codes.get(code);
    if (record === undefined || record.clientId !== clientId)
      return { ok: false, reason: 'unknown' };
    if (redirectUri !== undefined && redirectUri !== record.redirectUri)
      return { ok: false, reason: 'unknown' };
    if (record.used) return { ok: false, reason: 'used' };
    if (record.expiresAtMs <= now) return { ok: false, reason: 'expired' };
    record.used = true;
    return { ok: true, grant: record.grant };
  }

  /** Revokes every access and refresh token bound to a location (GHL's 2024-10 incident). */
  invalidateLocation(locationId: string): number {
    let count = 0;
    for (const [token, record] of this.#access) {
      if (record.locationId === locationId) {
        this.#access.delete(token);
        count++;
      }
    }
    for (const [token, record] of this.#refresh) {
      if (record.grant.locationId === locationId) {
        this.#refresh.delete(token);
        this.#revoked.add(token);
        count++;
      }
    }
    return count;
  }
}
