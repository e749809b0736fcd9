/**
 * Classification of Tenant Turner failures into `HttpError`s the sync can branch on
 * (tenant-turner-api.md §1 "Errors", §2.1; ARCHITECTURE.md §5 "Failures are sorted"), and the
 * `unsupported` error for modeled extensions a real account does not have.
 */
import { AppError, HttpError } from '../shared/errors.ts';
import type { AppErrorCode } from '../shared/errors.ts';
import { wireField } from './wire-codec.ts';

/** The code of `unsupportedError`, for callers that branch on it. */
export const UNSUPPORTED_CODE: AppErrorCode = 'unsupported';

/** What the transport knows about a failed exchange. */
export interface TtFailure {
  method: string;
  url: string;
  status: number;
  body: unknown;
  headers: Headers;
  /** Milliseconds since the epoch, to read an HTTP-date `Retry-After`. */
  now: number;
  /** The call was a non-idempotent write whose effect is unknown (5xx). */
  ambiguous?: boolean;
}

/** The provider's `ErrorMessages` (or `errorMessages`, or a single `Message`), as strings. */
export function errorMessages(body: unknown): string[] {
  const list = wireField(body, 'ErrorMessages');
  if (Array.isArray(list)) return list.map(String);
  const single = wireField(body, 'Message');
  if (typeof single === 'string' && single !== '') return [single];
  return typeof body === 'string' && body.trim() !== '' ? [body.slice(0, 300)] : [];
}

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP-date, RFC 9110
 * §10.2.3), undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: Headers, now: number): number | undefined {
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Turns a non-2xx Tenant Turner response into a classified `HttpError`. */
export function classifyTtFailure(failure: TtFailure): HttpError {
  const { status, body, method, url } = failure;
  const messages = errorMessages(body);
  const said = messages.join('; ');
  const make = (
    code: AppErrorCode,
    text: string,
    retryable: boolean,
    details: Record<string, unknown> = {},
    retryAfterMs?: number,
  ): HttpError =>
    new HttpError(code, text, {
      status,
      method,
      url,
      retryable,
      retryAfterMs,
      details: {
        messages,
        ...details,
        ...(failure.ambiguous ? { ambiguous: true } : {}),
      },
    });
  const where = `${method} ${pathOf(url)}`;

  if (status === 401) {
    return make(
      'auth_token_invalid',
      'Tenant Turner rejected the API key (401): copy the current key from Tenant Turner ' +
        '(Settings → Tenant Turner API; "Refresh API Key" there replaces the old one) into ' +
        "ttsync's Tenant Turner API key setting.",
      false,
    );
  }
  if (status === 404) {
    return make('not_found', `Tenant Turner has no such resource (${where}).`, false);
  }
  if (status === 409) {
    const existing = Number(wireField(body, 'ApplicationId'));
    return make(
      'duplicate',
      `Tenant Turner refused a duplicate (${where}): ${sentence(said || 'the record already exists')}`,
      false,
      Number.isInteger(existing) && existing > 0 ? { existingApplicationId: existing } : {},
    );
  }
  if (status === 422) {
    const since = messages.some((message) => /SinceDateUpdated/i.test(message));
    return make(
      'validation_failed',
      since
        ? `Tenant Turner refused SinceDateUpdated (${said}): it must be a date under 2 years old. ` +
            "The client clamps it, so the service's rule or clock differs from the contract: pass a later `since`."
        : `Tenant Turner refused the request (${where}): ${sentence(said || 'validation failed')}`,
      false,
      since ? { parameter: 'SinceDateUpdated' } : {},
    );
  }
  if (status === 400) {
    return make(
      'bad_request',
      `Tenant Turner rejected the request (${where}): ${said || 'General error.'} ` +
        'Check the fields sent against tenant-turner-api.md (the service explains no further).',
      false,
    );
  }
  if (status === 429) {
    return make(
      'rate_limited_burst',
      'Tenant Turner asked ttsync to slow down (429): if this repeats, lower requestsPerSecond.',
      true,
      {},
      parseRetryAfter(failure.headers, failure.now),
    );
  }
  if (status >= 500) {
    return make('server_error', `Tenant Turner server error ${status} (${where}): ${said}`, true);
  }
  return make('unexpected', `Tenant Turner answered ${status} (${where}): ${said}`, false);
}

/** A network failure or timeout before any response. */
export function ttNetworkFailure(
  method: string,
  url: string,
  cause: unknown,
  options: { timedOut: boolean; ambiguous: boolean },
): HttpError {
  const where = `${method} ${pathOf(url)}`;
  return new HttpError(
    options.timedOut ? 'timeout' : 'network_error',
    options.timedOut
      ? `Tenant Turner did not answer in time (${where}).`
      : `Could not reach Tenant Turner (${where}).`,
    {
      status: undefined,
      method,
      url,
      retryable: true,
      cause,
      ...(options.ambiguous ? { details: { ambiguous: true } } : {}),
    },
  );
}

/**
 * A modeled extension this account does not offer (the capability probe found the real
 * surface). The sync branches on the code and keeps the data on its own side.
 */
export function unsupportedError(capability: string, operation: string): AppError {
  return new AppError(
    UNSUPPORTED_CODE,
    `This Tenant Turner account does not offer "${capability}" (${operation}): the real API has ` +
      "no such endpoint, so ttsync keeps this on its own side. Set capabilities: 'extended' only " +
      'for a service that implements the modeled extensions.',
    { details: { capability, operation } },
  );
}

/** Whether `error` is the client refusing a modeled extension this account lacks. */
export function isUnsupported(error: unknown): boolean {
  return error instanceof AppError && error.code === UNSUPPORTED_CODE;
}

/** `text` ending in exactly one full stop (provider messages may or may not have one). */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/**
 * Whether a failed create may nevertheless have created (timeout, 5xx on a non-idempotent
 * POST): look before creating again. Same `details.ambiguous` convention as the GHL client.
 */
export function isAmbiguous(error: unknown): boolean {
  return error instanceof HttpError && error.details?.['ambiguous'] === true;
}
