/**
 * Tenant Turner webhook events (tenant-turner-api.md §1 "Webhooks", §2.3). The 21 event names
 * are public; the payload is modeled: `{ EventId, EventType, OccurredAt, ApplicationId?,
 * ShowingId?, PropertyId?, Data }` with `Data` the resource as `GET` returns it.
 *
 * Tolerant by design: Tenant Turner publishes no retry contract, so a rejected event may be
 * lost. Only what identifies and routes an event is required (`EventId`, `EventType`,
 * `OccurredAt`); a `Data` that does not read as the resource leaves `data` undefined (with
 * `dataError`) rather than failing, since the sync re-reads the entity anyway; and an
 * `EventType` ttsync does not know parses to `{ kind: 'unknown' }` so it is recorded and
 * reported, not dropped. Deliveries repeat and arrive out of order: deduplicate on `eventId`.
 */
import { AppError } from '../shared/errors.ts';
import { err, ok } from '../shared/result.ts';
import type { Result } from '../shared/result.ts';
import { leadSchema, rentalSchema, showingSchema } from './resources.ts';
import type { Lead, Rental, Showing } from './resources.ts';
import { ciObject, optWireId, wireDate } from './wire-codec.ts';
import { z } from 'zod';

/** Lead events, as Tenant Turner labels them. */
export const TT_LEAD_EVENTS = [
  'Lead Created',
  'Lead Archived',
  'Lead Unarchived',
  'Lead Declined',
  'Lead Qualified',
  'Lead Disqualified',
  'Lead Contact Info Updated',
  'Tenant Selected',
] as const;
/** Viewing (showing) events. */
export const TT_SHOWING_EVENTS = [
  'Viewing Confirmed',
  'Viewing Requested',
  'Viewing Cancelled',
  'Viewing No Show',
  'Viewing Scheduled',
  'Viewing Feedback',
] as const;
/** Rental events. */
export const TT_RENTAL_EVENTS = [
  'Rental Activated',
  'Rental Deactivated',
  'Rental Off Waitlist',
  'Rental On Waitlist',
  'Rental Ready To Activate',
  'Rental Ready To Deactivate',
] as const;
/** The lockbox event (self-guided showings). */
export const TT_LOCKBOX_EVENTS = ['Lockbox Code Sent'] as const;

/** All 21 event types, in the order the reference lists them. */
export const TT_WEBHOOK_EVENT_TYPES = [
  ...TT_LEAD_EVENTS,
  ...TT_SHOWING_EVENTS,
  ...TT_RENTAL_EVENTS,
  ...TT_LOCKBOX_EVENTS,
] as const;

export type TtLeadEventType = (typeof TT_LEAD_EVENTS)[number];
export type TtShowingEventType = (typeof TT_SHOWING_EVENTS)[number];
export type TtRentalEventType = (typeof TT_RENTAL_EVENTS)[number];
export type TtLockboxEventType = (typeof TT_LOCKBOX_EVENTS)[number];
/** One of the 21 known event types. */
export type TtWebhookEventType = (typeof TT_WEBHOOK_EVENT_TYPES)[number];

/** What every delivery carries. */
export interface TtWebhookEnvelope {
  /** Unique per event: the inbox dedupe key. */
  eventId: string;
  occurredAt: Date;
  applicationId: number | undefined;
  showingId: number | undefined;
  propertyId: number | undefined;
  /** Why `Data` could not be read as the resource, when it could not. */
  dataError?: string;
  /** The whole payload as received. */
  payload: Record<string, unknown>;
}

/** A lead event; `data` is the lead as `GET /v1/applications/{id}` returns it. */
export interface TtLeadEvent extends TtWebhookEnvelope {
  kind: 'lead';
  eventType: TtLeadEventType;
  data: Lead | undefined;
}
/** A viewing event; `data` is the showing. */
export interface TtShowingEvent extends TtWebhookEnvelope {
  kind: 'showing';
  eventType: TtShowingEventType;
  data: Showing | undefined;
}
/** A rental event; `data` is the rental. */
export interface TtRentalEvent extends TtWebhookEnvelope {
  kind: 'rental';
  eventType: TtRentalEventType;
  data: Rental | undefined;
}
/** Lockbox Code Sent; its resource is not described anywhere, so `data` is kept as sent. */
export interface TtLockboxEvent extends TtWebhookEnvelope {
  kind: 'lockbox';
  eventType: TtLockboxEventType;
  data: Record<string, unknown> | undefined;
}
/** A delivery whose `EventType` ttsync does not know: kept whole, to be recorded and reported. */
export interface TtUnknownEvent extends TtWebhookEnvelope {
  kind: 'unknown';
  /** The `EventType` Tenant Turner sent. */
  eventType: string;
  data: unknown;
}

/** Any Tenant Turner delivery: switch on `kind`, then on `eventType`. */
export type TtWebhookEvent =
  TtLeadEvent | TtShowingEvent | TtRentalEvent | TtLockboxEvent | TtUnknownEvent;

const envelopeSchema = ciObject({
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  occurredAt: wireDate,
  applicationId: optWireId,
  showingId: optWireId,
  propertyId: optWireId,
  data: z.unknown(),
});

function includes<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/** Reads `data` with `schema`; on failure, undefined plus the reason. */
function readData<T>(
  schema: z.ZodType<T>,
  data: unknown,
): { data: T | undefined; dataError?: string } {
  if (data === undefined || data === null) return { data: undefined };
  const parsed = schema.safeParse(data);
  if (parsed.success) return { data: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    data: undefined,
    dataError: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unreadable',
  };
}

/**
 * Validates a JSON-parsed Tenant Turner webhook body: `ok` with a known or an `unknown` event,
 * `err` (code `webhook_invalid`, `details.reason` `payload_invalid`) when the body is not an
 * object or lacks a readable `EventId`, `EventType` or `OccurredAt`.
 */
export function parseTtWebhook(json: unknown): Result<TtWebhookEvent, AppError> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return invalid('Tenant Turner webhook body is not a JSON object', {});
  }
  const head = envelopeSchema.safeParse(json);
  if (!head.success) {
    const fields = [...new Set(head.error.issues.map((issue) => String(issue.path[0] ?? '')))];
    return invalid(`Tenant Turner webhook lacks a readable ${fields.join(', ')}`, { fields });
  }
  const { eventType, data, ...ids } = head.data;
  const envelope = {
    ...ids,
    applicationId: ids.applicationId,
    showingId: ids.showingId,
    propertyId: ids.propertyId,
    payload: json as Record<string, unknown>,
  };
  if (includes(TT_LEAD_EVENTS, eventType)) {
    return ok({ ...envelope, kind: 'lead', eventType, ...readData(leadSchema, data) });
  }
  if (includes(TT_SHOWING_EVENTS, eventType)) {
    return ok({ ...envelope, kind: 'showing', eventType, ...readData(showingSchema, data) });
  }
  if (includes(TT_RENTAL_EVENTS, eventType)) {
    return ok({ ...envelope, kind: 'rental', eventType, ...readData(rentalSchema, data) });
  }
  if (includes(TT_LOCKBOX_EVENTS, eventType)) {
    const record = typeof data === 'object' && data !== null && !Array.isArray(data);
    return ok({
      ...envelope,
      kind: 'lockbox',
      eventType,
      data: record ? (data as Record<string, unknown>) : undefined,
    });
  }
  return ok({ ...envelope, kind: 'unknown', eventType, data });
}

function invalid(
  message: string,
  details: Record<string, unknown>,
): { ok: false; error: AppError } {
  return err(
    new AppError(
      'webhook_invalid',
      `${message}: only Tenant Turner webhook deliveries ({ EventId, EventType, OccurredAt, Data }) belong on this endpoint.`,
      { details: { reason: 'payload_invalid', ...details } },
    ),
  );
}
