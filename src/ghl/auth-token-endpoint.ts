/**
 * GHL's token endpoints (ghl-api.md §3.2): `POST /oauth/token` (code exchange, refresh) and
 * `POST /oauth/locationToken` (agency → location), both form-encoded. Turns their answers into
 * `GhlTokenSet`s and their failures into `auth_refresh_failed` errors that carry GHL's own
 * message (refresh errors are not enumerated anywhere, e.g. 400 "Location is not active").
 */
import { HttpError } from '../shared/errors.ts';
import { secrets } from '../shared/logger.ts';
import { isScopeError, providerMessage, traceIdOf } from './errors.ts';
import type { components } from './generated/oauth.ts';
import { companyIdOfKey } from './token-store.ts';
import type { GhlTokenSet } from './token-store.ts';

/** A token endpoint answer, as far as the spec knows it; every field may be missing in practice. */
export type TokenResponse = Partial<components['schemas']['GetAccessCodeSuccessfulResponseDto']>;

/** What a call is for, and the store key it concerns; shapes the error message. */
export interface TokenCall {
  action: 'refresh' | 'exchange' | 'locationToken';
  key: string;
}

export interface TokenEndpointOptions {
  baseUrl: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

/** What to tell a person when a location's grant is gone. */
export const RECONNECT = 'reconnect the location with `ttsync connect ghl`';

/** Posts forms to GHL's token endpoints. */
export class GhlTokenEndpoint {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(opts: TokenEndpointOptions) {
    this.#baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#fetch = opts.fetch;
    this.#timeoutMs = opts.timeoutMs;
  }

  /** The parsed 2xx body with an access token; anything else throws `auth_refresh_failed`. */
  async post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string>,
    call: TokenCall,
  ): Promise<TokenResponse> {
    const url = this.#baseUrl + path;
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          ...headers,
        },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      throw new HttpError('auth_refresh_failed', `Could not reach GHL to ${verb(call)}.`, {
        status: undefined,
        method: 'POST',
        url,
        retryable: true,
        cause,
        details: { key: call.key },
      });
    }
    const body = parseJson(text);
    if (!response.ok) throw failure(call, url, response, body);
    if (!hasAccessToken(body)) {
      throw new HttpError(
        'auth_refresh_failed',
        `GHL answered without an access token when asked to ${verb(call)}.`,
        {
          status: response.status,
          method: 'POST',
          url,
          traceId: traceIdOf(body, response.headers),
          retryable: false,
          details: { key: call.key },
        },
      );
    }
    return body;
  }
}

/**
 * Normalises a token answer; what it lacks comes from `previous` (the set it replaces). A
 * refresh answer without a refresh token keeps the old one (RFC 6749 §6); GHL always rotates.
 */
export function toTokenSet(
  body: TokenResponse,
  startedAt: number,
  previous: Partial<GhlTokenSet>,
): GhlTokenSet {
  const accessToken = body.access_token ?? '';
  const refreshToken =
    typeof body.refresh_token === 'string' ? body.refresh_token : previous.refreshToken;
  secrets.add(accessToken);
  secrets.add(refreshToken);
  const userType =
    body.userType === 'Company' || body.userType === 'Location'
      ? body.userType
      : (previous.userType ?? 'Location');
  const locationId = body.locationId ?? previous.locationId;
  const companyId = body.companyId ?? previous.companyId;
  return {
    accessToken,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    // Counted from before the request was sent, so we err towards refreshing early.
    ...(typeof body.expires_in === 'number'
      ? { expiresAt: startedAt + body.expires_in * 1000 }
      : {}),
    scopes:
      typeof body.scope === 'string'
        ? body.scope.split(/\s+/).filter(Boolean)
        : (previous.scopes ?? []),
    userType,
    ...(locationId !== undefined ? { locationId } : {}),
    ...(companyId !== undefined ? { companyId } : {}),
  };
}

/** "location X" or "company Y", for messages about a store key. */
export function describeKey(key: string): string {
  const companyId = companyIdOfKey(key);
  return companyId === undefined ? `location ${key}` : `company ${companyId}`;
}

function failure(call: TokenCall, url: string, response: Response, body: unknown): HttpError {
  const status = response.status;
  const raw = providerMessage(body) || oauthErrorText(body) || response.statusText || 'no message';
  const retryable = status === 429 || status >= 500;
  const what = `GHL refused to ${verb(call)} (${status} "${raw}")`;
  const message = retryable
    ? `${what}; try again shortly, and if it keeps failing, ${RECONNECT}.`
    : call.action === 'exchange'
      ? `${what}: start the connection again with \`ttsync connect ghl\`.`
      : `${what}: ${RECONNECT}.`;
  return new HttpError('auth_refresh_failed', message, {
    status,
    method: 'POST',
    url,
    traceId: traceIdOf(body, response.headers),
    retryable,
    details: {
      key: call.key,
      providerMessage: raw,
      scopeError: status === 401 && isScopeError(body),
    },
  });
}

function hasAccessToken(body: unknown): body is TokenResponse {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Record<string, unknown>)['access_token'] === 'string'
  );
}

/** Standard OAuth error fields, for answers without GHL's `message`. */
function oauthErrorText(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const { error_description: description, error } = body as Record<string, unknown>;
  if (typeof description === 'string') return description;
  return typeof error === 'string' ? error : '';
}

function verb({ action, key }: TokenCall): string {
  if (action === 'exchange') return 'exchange the authorization code';
  if (action === 'locationToken') return `mint a token for location ${key} from the agency token`;
  return `refresh the token for ${describeKey(key)}`;
}

function parseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
