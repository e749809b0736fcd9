/**
 * The one way ttsync talks to Tenant Turner: Basic auth with the bare API key
 * (tenant-turner-api.md §1), the account's self-imposed throttle, a per-attempt timeout,
 * classified errors, and retries with capped exponential backoff and full jitter. Operations
 * build a `TtRequest`; this class sends it.
 */
import { withDeadline } from '../shared/deadline.ts';
import type { Clock } from '../shared/clock.ts';
import type { HttpTransportOptions } from '../shared/http-options.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { HttpError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { secrets, silentLogger } from '../shared/logger.ts';
import { backoffDelay } from '../shared/retry.ts';
import { classifyTtFailure, ttNetworkFailure } from './errors.ts';
import type { TtThrottle } from './throttle.ts';

/** Tenant Turner's production base URL. */
export const TT_BASE_URL = 'https://api.tenantturner.com';

/** One call to Tenant Turner. */
export interface TtRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the base URL, e.g. `/v1/applications/12`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body, already in wire form (see `toWire`). */
  body?: unknown;
  /**
   * Safe to send twice. Default: true for GET/PUT/DELETE, false for POST. A modeled create
   * carrying an `ExternalId` is idempotent (the service returns the first record).
   */
  idempotent?: boolean;
  signal?: AbortSignal;
}

/** A successful response: status and parsed body (`{}` when empty). */
export interface TtResponse {
  status: number;
  body: unknown;
}

/** Options of `TtHttp` (base URL default `https://api.tenantturner.com`). */
export interface TtHttpOptions extends HttpTransportOptions {
  /** The account's API key (Settings → Tenant Turner API). Registered for log redaction. */
  apiKey: string;
  throttle: TtThrottle;
}

/** Sends `TtRequest`s with auth, throttle, retries and classified errors. */
export class TtHttp {
  readonly baseUrl: string;
  readonly throttle: TtThrottle;
  readonly #authorization: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #backoff: { baseMs: number; maxMs: number };
  readonly #random: () => number;
  readonly #fetch: typeof fetch;

  constructor(options: TtHttpOptions) {
    if (options.apiKey.trim() === '') {
      throw new AppError(
        'config_invalid',
        'The Tenant Turner API key is empty: copy it from Tenant Turner (Settings → Tenant Turner API).',
      );
    }
    const encoded = Buffer.from(options.apiKey, 'utf8').toString('base64');
    secrets.add(options.apiKey);
    secrets.add(encoded);
    // The bare key, base64-encoded, with no "user:" and no colon (a test in the public
    // codebases asserts `Basic a2V5` for the key `key`).
    this.#authorization = `Basic ${encoded}`;
    this.baseUrl = (options.baseUrl ?? TT_BASE_URL).replace(/\/+$/, '');
    this.throttle = options.throttle;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#backoff = { baseMs: options.retryBaseMs ?? 500, maxMs: options.retryMaxMs ?? 30_000 };
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Sends the request; resolves with the 2xx body or throws a classified `HttpError`. */
  async request(req: TtRequest): Promise<TtResponse> {
    const url = this.url(req.path, req.query);
    const idempotent = req.idempotent ?? req.method !== 'POST';
    for (let attempt = 0; ; attempt++) {
      await this.throttle.acquire(req.signal);
      let response: Response;
      let body: unknown;
      try {
        ({ response, body } = await this.#exchange(req, url));
      } catch (cause) {
        if (req.signal?.aborted) throw cause;
        const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
        const error = ttNetworkFailure(req.method, url, cause, {
          timedOut,
          ambiguous: !idempotent,
        });
        if (!idempotent || attempt >= this.#maxRetries) throw error;
        await this.#backOff(attempt, error, req);
        continue;
      }
      if (response.ok) return { status: response.status, body };
      const error = classifyTtFailure({
        method: req.method,
        url,
        status: response.status,
        body,
        headers: response.headers,
        now: this.#clock.now(),
        ambiguous: !idempotent && response.status >= 500,
      });
      // A 429 was refused before any work was done, so even a create may be sent again.
      const safeToResend = idempotent || response.status === 429;
      if (!error.retryable || !safeToResend || attempt >= this.#maxRetries) throw error;
      await this.#backOff(attempt, error, req);
    }
  }

  /** The absolute URL of `path` with `query` (undefined values left out). */
  url(path: string, query?: Record<string, string | number | undefined>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.append(key, String(value));
    }
    const text = params.toString();
    return `${this.baseUrl}${path}${text ? `?${text}` : ''}`;
  }

  /** One attempt: the response and its body, both within the per-attempt timeout. */
  async #exchange(req: TtRequest, url: string): Promise<{ response: Response; body: unknown }> {
    const headers: Record<string, string> = {
      Authorization: this.#authorization,
      Accept: 'application/json',
    };
    let body: string | null = null;
    if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    return withDeadline(this.#timeoutMs, req.signal, async (signal) => {
      const response = await this.#fetch(url, { method: req.method, headers, body, signal });
      return { response, body: await readBody(response) };
    });
  }

  /**
   * Waits before retry `attempt`: the server's `Retry-After` when it sent one, else capped
   * exponential backoff with full jitter. A 429 pauses the whole account (every request of this
   * client), other failures only this request.
   */
  async #backOff(attempt: number, error: HttpError, req: TtRequest): Promise<void> {
    const delayMs = error.retryAfterMs ?? backoffDelay(attempt, this.#backoff, this.#random);
    this.#logger.warn(
      {
        method: req.method,
        path: req.path,
        code: error.code,
        status: error.status,
        attempt: attempt + 1,
        delayMs,
      },
      'Tenant Turner call failed; retrying',
    );
    if (error.status === 429) this.throttle.pause(delayMs);
    else await this.#clock.sleep(delayMs, req.signal);
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
