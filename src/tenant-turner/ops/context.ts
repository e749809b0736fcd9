/**
 * What every Tenant Turner operation needs: the transport, the capability probe, the clock and
 * the logger, plus small helpers shared by the operation classes.
 */
import type { Clock } from '../../shared/clock.ts';
import { AppError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import type { CapabilityProbe } from '../capabilities.ts';
import type { TtHttp, TtRequest } from '../http.ts';
import { toWire, wireField } from '../wire-codec.ts';

/** The account-bound context operations run in. */
export interface TtContext {
  http: TtHttp;
  capabilities: CapabilityProbe;
  clock: Clock;
  logger: Logger;
}

/** Per-call options every operation accepts. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A create's outcome: the record, and whether the service already had it. */
export interface Created<T> {
  record: T;
  /**
   * True when the service answered with an existing record instead of making one: a lead
   * refused as a duplicate of known contact info, or a modeled create whose `ExternalId` it
   * had seen (an earlier call, or an earlier attempt of this one whose response was lost).
   */
  alreadyExisted: boolean;
}

/** Sends `req` (body converted with `toWire`), passing the caller's signal. */
export function send(
  ctx: TtContext,
  req: Omit<TtRequest, 'signal' | 'body'> & { body?: object },
  options: CallOptions = {},
): ReturnType<TtHttp['request']> {
  return ctx.http.request({
    ...req,
    ...(req.body === undefined ? {} : { body: toWire(req.body) }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** `encodeURIComponent` of an id for a path segment. */
export function seg(id: number | string): string {
  return encodeURIComponent(String(id));
}

/** The id a create answered with (`{ ApplicationId: 12 }`), or an `unexpected` error. */
export function createdId(body: unknown, key: string, operation: string): number {
  const value = Number(wireField(body, key));
  if (Number.isInteger(value) && value > 0) return value;
  throw new AppError(
    'unexpected',
    `Tenant Turner answered ${operation} without a ${key}: the API may have changed; keep the ` +
      'response and compare it with tenant-turner-api.md.',
    { details: { operation, key } },
  );
}

/** Throws `validation_failed` before sending when `text` is longer than the API allows. */
export function checkLength(text: string, max: number, field: string): void {
  if (text.length > max) {
    throw new AppError(
      'validation_failed',
      `${field} is ${text.length} characters; Tenant Turner accepts at most ${max}: shorten it.`,
      { details: { field, length: text.length, max } },
    );
  }
}
