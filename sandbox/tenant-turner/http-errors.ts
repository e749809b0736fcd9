/**
 * Tenant Turner's error bodies (tenant-turner-api.md §1): `{ StatusCode, ErrorMessages[] }`,
 * "General error." for a 400, the exact SinceDateUpdated 422, and an empty 404 for an unknown
 * path. Route code throws a `TtHttpError`; the server's error handler sends it.
 */
import { STATUS_CODES } from 'node:http';

/** An error response: status plus body, or no body at all. */
export class TtHttpError extends Error {
  readonly status: number;
  /** null = send an empty body. */
  readonly body: Record<string, unknown> | null;

  constructor(status: number, messages: readonly string[] | null, extra: object = {}) {
    super(messages?.join(' ') ?? `HTTP ${status}`);
    this.name = 'TtHttpError';
    this.status = status;
    this.body =
      messages === null ? null : { StatusCode: status, ErrorMessages: [...messages], ...extra };
  }
}

/** The 400 Tenant Turner gives for a malformed body or a value of the wrong type. */
export function generalError(): TtHttpError {
  return new TtHttpError(400, ['General error.']);
}

/** 401 for a missing or wrong API key. */
export function unauthorized(): TtHttpError {
  return new TtHttpError(401, ['Authorization has been denied for this request.']);
}

/** 404 for an unknown id on a known path. */
export function notFound(entity: string, id: string | number): TtHttpError {
  return new TtHttpError(404, [`${entity} ${id} was not found.`]);
}

/** 404 with an empty body: an unknown path, or a modeled path on the real surface. */
export function unknownPath(): TtHttpError {
  return new TtHttpError(404, null);
}

/** 422 with one message per problem. */
export function unprocessable(...messages: string[]): TtHttpError {
  return new TtHttpError(422, messages);
}

/** The exact 422 of a list without a valid SinceDateUpdated. */
export function sinceDateUpdatedRequired(): TtHttpError {
  return unprocessable('SinceDateUpdated is required and must be less than 2 years ago.');
}

/** The modeled 409 for a lead whose email or phone another lead already has. */
export function duplicateLead(existingId: number): TtHttpError {
  return new TtHttpError(409, ['A lead with this contact information already exists.'], {
    ApplicationId: existingId,
  });
}

/** A status with its standard reason phrase as the message (injected faults, framework errors). */
export function statusError(status: number): TtHttpError {
  return new TtHttpError(status, [STATUS_CODES[status] ?? 'Error']);
}
