/**
 * Classification of GHL failures into `HttpError`s the rest of ttsync can branch on
 * (ghl-api.md §2.10, §4; ARCHITECTURE.md §5 "Failures are sorted").
 */
import { HttpError } from '../shared/errors.ts';
import type { AppErrorCode } from '../shared/errors.ts';

/** What the transport knows about a failed exchange. */
export interface GhlFailure {
  method: string;
  url: string;
  status: number;
  body: unknown;
  headers: Headers;
  /** The scope the operation needs, named in scope errors. */
  scope?: string | undefined;
}

const SCOPE_MESSAGES = [/not authorized for this scope/i, /not allowed to access this scope/i];

function bodyField(body: unknown, key: string): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
}

/** The provider's message: a string, or the 422 list joined. */
export function providerMessage(body: unknown): string {
  const message = bodyField(body, 'message');
  if (Array.isArray(message)) return message.map(String).join('; ');
  if (typeof message === 'string') return message;
  return typeof body === 'string' && body.length > 0 ? body.slice(0, 300) : '';
}

/** Reads a numeric header, undefined when absent or not a number. */
export function numericHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** Milliseconds a 429 asks us to wait: Retry-After if sent, else the burst window. */
export function retryAfterMs(headers: Headers): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  return numericHeader(headers, 'x-ratelimit-interval-milliseconds');
}

/** Whether a 401 body is GHL's missing-scope answer rather than a bad token. */
export function isScopeError(body: unknown): boolean {
  const message = providerMessage(body);
  return SCOPE_MESSAGES.some((pattern) => pattern.test(message));
}

/** Turns a non-2xx GHL response into a classified `HttpError`. */
export function classifyGhlFailure(failure: GhlFailure): HttpError {
  const { status, body, headers, method, url } = failure;
  const traceId = traceIdOf(body, headers);
  const message = providerMessage(body);
  const base = { status, method, url, traceId };
  const make = (
    code: AppErrorCode,
    text: string,
    retryable: boolean,
    extra: { retryAfterMs?: number | undefined; details?: Record<string, unknown> } = {},
  ): HttpError =>
    new HttpError(code, text, {
      ...base,
      retryable,
      retryAfterMs: extra.retryAfterMs,
      details: { providerMessage: message, ...extra.details },
    });

  if (status === 401) {
    if (isScopeError(body)) {
      const scope = failure.scope ?? 'the scope this operation needs';
      return make(
        'auth_scope_missing',
        `GHL token lacks scope ${scope} (${method} ${pathOf(url)}): reconnect with that scope, or issue a Private Integration token that includes it.`,
        false,
        { details: { scope: failure.scope } },
      );
    }
    return make(
      'auth_token_invalid',
      `GHL rejected the access token (${message || 'Unauthorized'}): refresh it, or reconnect the location.`,
      false,
    );
  }
  if (status === 403) {
    return make(
      'auth_location_forbidden',
      `GHL token has no access to this location (${message}): check the location id, or connect that location.`,
      false,
    );
  }
  if (status === 404)
    return make('not_found', message || `Not found: ${method} ${pathOf(url)}`, false);
  if (status === 422) {
    const raw = bodyField(body, 'message');
    const messages = Array.isArray(raw) ? raw.map(String) : [message];
    return make('validation_failed', `GHL refused the request: ${messages.join('; ')}`, false, {
      details: { messages },
    });
  }
  if (status === 400) {
    const meta = bodyField(body, 'meta');
    const contactId =
      meta && typeof meta === 'object' ? (meta as Record<string, unknown>)['contactId'] : undefined;
    if (typeof contactId === 'string') {
      return make('duplicate', `GHL already has this contact (${contactId}): ${message}`, false, {
        details: { existingContactId: contactId, meta },
      });
    }
    return make('bad_request', `GHL rejected the request: ${message || 'Bad Request'}`, false);
  }
  if (status === 429) {
    const daily = numericHeader(headers, 'x-ratelimit-daily-remaining') === 0;
    return daily
      ? make(
          'rate_limited_daily',
          'GHL daily request limit reached for this location: it resets within 24 hours.',
          false,
        )
      : make('rate_limited_burst', 'GHL burst rate limit reached.', true, {
          retryAfterMs: retryAfterMs(headers),
        });
  }
  if (status >= 500) return make('server_error', `GHL server error ${status}: ${message}`, true);
  return make('unexpected', `GHL answered ${status}: ${message}`, false);
}

/** A network failure or timeout before any response. */
export function networkFailure(
  method: string,
  url: string,
  cause: unknown,
  timedOut: boolean,
): HttpError {
  return new HttpError(
    timedOut ? 'timeout' : 'network_error',
    timedOut
      ? `GHL did not answer in time (${method} ${pathOf(url)}).`
      : `Could not reach GHL (${method} ${pathOf(url)}).`,
    { status: undefined, method, url, retryable: true, cause },
  );
}

/** The provider trace id, from the body or a header. */
export function traceIdOf(body: unknown, headers: Headers): string | undefined {
  const fromBody = bodyField(body, 'traceId');
  if (typeof fromBody === 'string') return fromBody;
  return headers.get('x-trace-id') ?? headers.get('traceid') ?? undefined;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
