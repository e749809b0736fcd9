/**
 * The one way ttsync talks to GHL: budget (per-location token bucket with lanes), auth (token,
 * one refresh on a non-scope 401), timeout, classified errors and retries. Operations build a
 * `GhlRequest`; this class sends it.
 */
import type { Clock } from '../shared/clock.ts';
import type { HttpTransportOptions } from '../shared/http-options.ts';
import { systemClock } from '../shared/clock.ts';
import { withDeadline } from '../shared/deadline.ts';
import { HttpError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import { backoffDelay } from '../shared/retry.ts';
import type { GhlAuth } from './auth.ts';
import { classifyGhlFailure, isScopeError, networkFailure } from './errors.ts';
import type { Lane, RateLimiter } from './rate-limiter.ts';

/** The `Version` header values GHL's spec pins per service (ghl-api.md §1). */
export type GhlVersion = '2021-07-28' | '2021-04-15';

export const GHL_BASE_URL = 'https://services.leadconnectorhq.com';

/** The Version a path needs: calendars use 2021-04-15, everything else 2021-07-28. */
export function versionForPath(path: string): GhlVersion {
  return path.startsWith('/calendars') ? '2021-04-15' : '2021-07-28';
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** One call to GHL. */
export interface GhlRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The location whose token and budget this call uses. */
  locationId: string;
  /** The scope the operation needs; named in scope errors. */
  scope: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Who is asking; decides who goes first when the budget is short. Default 'user'. */
  lane?: Lane;
  /** Safe to send twice. Default: true for GET/PUT/DELETE, false for POST. */
  idempotent?: boolean;
  signal?: AbortSignal;
}

/** A successful response: parsed body, status and the provider trace id. */
export interface GhlResponse<T> {
  status: number;
  body: T;
  traceId: string | undefined;
}

/** Options of `GhlHttp` (base URL default `https://services.leadconnectorhq.com`). */
export interface GhlHttpOptions extends HttpTransportOptions {
  auth: GhlAuth;
  limiter: RateLimiter;
}

/** Sends `GhlRequest`s with budget, auth, retries and classified errors. */
export class GhlHttp {
  readonly baseUrl: string;
  readonly #auth: GhlAuth;
  readonly #limiter: RateLimiter;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #backoff: { baseMs: number; maxMs: number };
  readonly #random: () => number;
  readonly #fetch: typeof fetch;

  constructor(options: GhlHttpOptions) {
    this.baseUrl = (options.baseUrl ?? GHL_BASE_URL).replace(/\/+$/, '');
    this.#auth = options.auth;
    this.#limiter = options.limiter;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#backoff = { baseMs: options.retryBaseMs ?? 500, maxMs: options.retryMaxMs ?? 30_000 };
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Sends the request; resolves with the parsed 2xx body or throws a classified `HttpError`. */
  async request<T>(req: GhlRequest): Promise<GhlResponse<T>> {
    const url = this.#url(req);
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const lane = req.lane ?? 'user';
    let refreshed = false;
    for (let attempt = 0; ;) {
      await this.#limiter.acquire(req.locationId, lane, req.signal);
      let token: string;
      try {
        token = await this.#auth.accessToken(req.locationId);
      } catch (error) {
        // Nothing was sent: give the slot back. A retryable refresh failure (network, 5xx at
        // the token endpoint) is retried like any other; the rest (revoked grant) is final.
        this.#limiter.release(req.locationId);
        if (!(error instanceof HttpError) || !error.retryable || attempt >= this.#maxRetries)
          throw error;
        await this.#wait(attempt++, error, req);
        continue;
      }
      let response: Response;
      let body: unknown;
      try {
        ({ response, body } = await this.#exchange(req, url, token));
      } catch (cause) {
        const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
        const error = networkFailure(req.method, url, cause, timedOut);
        if (!idempotent) throw markAmbiguous(error);
        if (attempt >= this.#maxRetries || req.signal?.aborted) throw error;
        await this.#wait(attempt++, error, req);
        continue;
      }
      this.#limiter.observe(req.locationId, response.status, response.headers);
      if (response.ok) {
        return { status: response.status, body: body as T, traceId: traceOf(body) };
      }
      if (response.status === 401 && !refreshed && !isScopeError(body)) {
        refreshed = true;
        const fresh = await this.#auth.onUnauthorized(req.locationId, token);
        if (fresh !== undefined) continue;
      }
      const classified = classifyGhlFailure({
        method: req.method,
        url,
        status: response.status,
        body,
        headers: response.headers,
        scope: req.scope,
      });
      const error = response.status >= 500 && !idempotent ? markAmbiguous(classified) : classified;
      // A 429 was refused before any work was done, so it is safe to resend even a create.
      const safeToResend = idempotent || response.status === 429;
      if (!error.retryable || !safeToResend || attempt >= this.#maxRetries) throw error;
      await this.#wait(attempt++, error, req);
    }
  }

  /** One attempt: the response and its body, both within the per-attempt timeout. */
  async #exchange(
    req: GhlRequest,
    url: string,
    token: string,
  ): Promise<{ response: Response; body: unknown }> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Version: versionForPath(req.path),
      Accept: 'application/json',
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    return withDeadline(this.#timeoutMs, req.signal, async (signal) => {
      const response = await this.#fetch(url, {
        method: req.method,
        headers,
        body: body ?? null,
        signal,
      });
      return { response, body: await readBody(response) };
    });
  }

  async #wait(attempt: number, error: HttpError, req: GhlRequest): Promise<void> {
    const delayMs = error.retryAfterMs ?? backoffDelay(attempt, this.#backoff, this.#random);
    this.#logger.warn(
      {
        locationId: req.locationId,
        method: req.method,
        path: req.path,
        code: error.code,
        status: error.status,
        traceId: error.traceId,
        attempt: attempt + 1,
        delayMs,
      },
      'GHL call failed; retrying',
    );
    await this.#clock.sleep(delayMs, req.signal);
  }

  #url(req: GhlRequest): string {
    let url = this.baseUrl + req.path;
    if (req.query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(req.query)) {
        if (value === undefined) continue;
        if (Array.isArray(value))
          for (const item of value as readonly string[]) params.append(key, item);
        else params.append(key, String(value));
      }
      const text = params.toString();
      if (text) url += `?${text}`;
    }
    return url;
  }
}

/** Marks a failed non-idempotent call whose effect is unknown: the caller must look before creating again. */
function markAmbiguous(error: HttpError): HttpError {
  return new HttpError(error.code, error.message, {
    status: error.status,
    method: error.method,
    url: error.url,
    traceId: error.traceId,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    cause: error.cause,
    details: { ...error.details, ambiguous: true },
  });
}

/** Whether a failed create may nevertheless have created (timeout, 5xx): look before creating again. */
export function isAmbiguous(error: unknown): boolean {
  return error instanceof HttpError && error.details?.['ambiguous'] === true;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function traceOf(body: unknown): string | undefined {
  const value =
    body && typeof body === 'object' ? (body as Record<string, unknown>)['traceId'] : undefined;
  return typeof value === 'string' ? value : undefined;
}
