/**
 * The project's error types (STYLE.md "Errors"). One `AppError` with a string-literal `code`,
 * and `HttpError` for anything that came back from, or failed on the way to, a provider.
 */

/** Every code an `AppError` may carry. Add here, never inline a new string elsewhere. */
export type AppErrorCode =
  | 'config_invalid'
  | 'auth_token_invalid'
  | 'auth_scope_missing'
  | 'auth_location_forbidden'
  | 'auth_refresh_failed'
  | 'not_found'
  | 'validation_failed'
  | 'duplicate'
  | 'rate_limited_burst'
  | 'rate_limited_daily'
  | 'server_error'
  | 'network_error'
  | 'timeout'
  | 'bad_request'
  | 'webhook_invalid'
  | 'unsupported'
  | 'store_migration_failed'
  | 'store_unavailable'
  | 'secret_key_invalid'
  | 'lock_timeout'
  | 'unexpected'
  | 'job_invalid'
  | 'job_handler_missing'
  | 'queue_stopped';

export interface AppErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** An error the program expects and can explain; `message` says what to do next. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: AppErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
}

export interface HttpErrorOptions extends AppErrorOptions {
  status: number | undefined;
  method: string;
  url: string;
  traceId?: string | undefined;
  retryable: boolean;
  retryAfterMs?: number | undefined;
}

/** A failed HTTP exchange with a provider: status (undefined for network errors), provider traceId, retry hints. */
export class HttpError extends AppError {
  readonly status: number | undefined;
  readonly method: string;
  readonly url: string;
  readonly traceId: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: AppErrorCode, message: string, options: HttpErrorOptions) {
    super(code, message, options);
    this.name = 'HttpError';
    this.status = options.status;
    this.method = options.method;
    this.url = options.url;
    this.traceId = options.traceId;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Turns anything thrown into an Error, keeping the original as `cause` when it was not one. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new AppError('unexpected', `Non-error thrown: ${String(value)}`, { cause: value });
}
