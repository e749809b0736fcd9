/**
 * GHL's error bodies, exactly as observed (ghl-api.md §2.10). Route code throws a
 * `GhlHttpError`; the server's error handler adds `traceId` and sends it.
 */

/** An error response: status plus the body without `traceId`. */
export class GhlHttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${status}`);
    this.name = 'GhlHttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** 401 for a missing, unknown, expired or revoked token. */
export function invalidToken(): GhlHttpError {
  return new GhlHttpError(401, {
    statusCode: 401,
    message: 'Invalid token: access token is invalid',
    error: 'Unauthorized',
  });
}

/** 401 (not 403) for a token without the operation's scope. */
export function scopeMissing(): GhlHttpError {
  return new GhlHttpError(401, {
    statusCode: 401,
    message: 'The token is not authorized for this scope.',
    error: 'Unauthorized',
  });
}

/** 401 for an agency token on a sub-account endpoint or the reverse. */
export function wrongAuthClass(): GhlHttpError {
  return new GhlHttpError(401, {
    statusCode: 401,
    message:
      'This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.',
    error: 'Unauthorized',
  });
}

/** 403 for a foreign `locationId` or another location's resource. */
export function locationForbidden(): GhlHttpError {
  return new GhlHttpError(403, {
    statusCode: 403,
    message: 'The token does not have access to this location.',
  });
}

/** 404 in GHL's "<Entity> with id <id> not found" form. */
export function notFound(entity: string, id: string): GhlHttpError {
  return new GhlHttpError(404, { statusCode: 404, message: `${entity} with id ${id} not found` });
}

/** 400 with GHL's `{ statusCode, message, error }` shape. */
export function badRequest(message: string, extra: Record<string, unknown> = {}): GhlHttpError {
  return new GhlHttpError(400, { statusCode: 400, message, error: 'Bad Request', ...extra });
}

/** 400 for an id that is not 20 alphanumerics, e.g. "contact id is not a valid firebase id". */
export function invalidId(entity: string): GhlHttpError {
  return badRequest(`${entity} id is not a valid firebase id`);
}

/** 422 with class-validator messages (whitelist, types, required fields). */
export function unprocessable(messages: string[]): GhlHttpError {
  return new GhlHttpError(422, {
    statusCode: 422,
    message: messages,
    error: 'Unprocessable Entity',
  });
}

/** 429 past the burst or daily limit. */
export function tooManyRequests(headers: Record<string, string> = {}): GhlHttpError {
  return new GhlHttpError(429, { statusCode: 429, message: 'Too Many Requests' }, headers);
}
