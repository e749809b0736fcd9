/**
 * GHL webhook events (ghl-api.md §5.1; spec/ghl/webhook-events/*.md): zod schemas, the
 * `GhlWebhookEvent` union discriminated on `type`, and `parseGhlWebhook`.
 *
 * Tolerant by design, because GHL retries nothing but a 429 and a rejected event is lost:
 * unknown fields are kept (loose objects), fields GHL is known to omit are optional
 * (TaskCreate `contactId`/`body`, `attachments`, `inboundDndSettings`), custom field values
 * take any JSON shape, and an unknown `type` parses to an `Unknown` member instead of failing.
 * Only what identifies and routes an event is required: `type`, `timestamp`, `webhookId`, and
 * the entity and location ids. Payloads are incomplete: re-read the entity before syncing it.
 */
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import { err, ok } from '../shared/result.ts';
import type { Result } from '../shared/result.ts';

const str = z.string();
const optStr = z.string().optional();

/** Fields every delivery carries besides the event itself (WebhookAuthentication.md; §5.1). */
const envelope = {
  /** ISO 8601 time of the delivery; checked against the clock by the verifier. */
  timestamp: z
    .string()
    .refine((value) => Number.isFinite(Date.parse(value)), 'not an ISO 8601 date'),
  /** Unique per event: the inbox dedupe key. */
  webhookId: z.string().min(1),
  appId: optStr,
  versionId: optStr,
};

const customFieldValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);

const dndChannel = z.looseObject({ status: optStr, message: optStr, code: optStr });

const contactFields = {
  ...envelope,
  locationId: str,
  id: str,
  address1: optStr,
  city: optStr,
  state: optStr,
  companyName: optStr,
  country: optStr,
  source: optStr,
  dateAdded: optStr,
  dateOfBirth: optStr,
  dnd: z.boolean().optional(),
  email: optStr,
  name: optStr,
  firstName: optStr,
  lastName: optStr,
  phone: optStr,
  postalCode: optStr,
  tags: z.array(z.string()).optional(),
  website: optStr,
  /** Documented but never populated (§5.1). */
  attachments: z.array(z.unknown()).optional(),
  assignedTo: optStr,
  customFields: z.array(z.looseObject({ id: str, value: customFieldValue.optional() })).optional(),
};

const contactEvent = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), ...contactFields });

const contactDndUpdate = z.looseObject({
  type: z.literal('ContactDndUpdate'),
  ...contactFields,
  dndSettings: z
    .looseObject({
      SMS: dndChannel.optional(),
      Call: dndChannel.optional(),
      Email: dndChannel.optional(),
      GMB: dndChannel.optional(),
      FB: dndChannel.optional(),
      WhatsApp: dndChannel.optional(),
      RCS: dndChannel.optional(),
    })
    .optional(),
  /** Not sent (§5.1, ISS #264); kept optional in case GHL adds it. */
  inboundDndSettings: z.looseObject({ all: dndChannel.optional() }).optional(),
});

const taskFields = {
  ...envelope,
  locationId: str,
  id: str,
  assignedTo: optStr,
  body: optStr,
  title: optStr,
  dateAdded: optStr,
  dueDate: optStr,
};

const noteEvent = <T extends string>(type: T) =>
  z.looseObject({
    type: z.literal(type),
    ...envelope,
    locationId: str,
    id: str,
    body: optStr,
    contactId: str,
    dateAdded: optStr,
  });

const appointment = z.looseObject({
  id: str,
  address: optStr,
  title: optStr,
  calendarId: optStr,
  contactId: optStr,
  groupId: optStr,
  appointmentStatus: optStr,
  assignedUserId: optStr,
  users: z.array(z.string()).optional(),
  notes: optStr,
  source: optStr,
  startTime: optStr,
  endTime: optStr,
  dateAdded: optStr,
  dateUpdated: optStr,
});

const appointmentEvent = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), ...envelope, locationId: str, appointment });

/** One zod schema per documented event type. */
export const ghlWebhookSchemas = {
  ContactCreate: contactEvent('ContactCreate'),
  ContactUpdate: contactEvent('ContactUpdate'),
  ContactDelete: contactEvent('ContactDelete'),
  ContactTagUpdate: contactEvent('ContactTagUpdate'),
  ContactDndUpdate: contactDndUpdate,
  /** Real TaskCreate payloads omit `contactId` and `body` (§5.1, ISS #332). */
  TaskCreate: z.looseObject({ type: z.literal('TaskCreate'), ...taskFields, contactId: optStr }),
  TaskComplete: z.looseObject({ type: z.literal('TaskComplete'), ...taskFields, contactId: str }),
  TaskDelete: z.looseObject({ type: z.literal('TaskDelete'), ...taskFields, contactId: str }),
  NoteCreate: noteEvent('NoteCreate'),
  NoteUpdate: noteEvent('NoteUpdate'),
  NoteDelete: noteEvent('NoteDelete'),
  AppointmentCreate: appointmentEvent('AppointmentCreate'),
  AppointmentUpdate: appointmentEvent('AppointmentUpdate'),
  AppointmentDelete: appointmentEvent('AppointmentDelete'),
  /** App installed (AppInstall.md); sent to the app's default webhook URL only. */
  INSTALL: z.looseObject({
    type: z.literal('INSTALL'),
    ...envelope,
    appId: str,
    companyId: optStr,
    locationId: optStr,
    userId: optStr,
    planId: optStr,
    trial: z
      .looseObject({
        onTrial: z.boolean().optional(),
        trialDuration: z.number().optional(),
        trialStartDate: optStr,
      })
      .optional(),
    isWhitelabelCompany: z.boolean().optional(),
    whitelabelDetails: z.looseObject({ domain: optStr, logoUrl: optStr }).optional(),
    companyName: optStr,
  }),
  /** App uninstalled (AppUninstall.md): `locationId` for a location, `companyId` for an agency. */
  UNINSTALL: z.looseObject({
    type: z.literal('UNINSTALL'),
    ...envelope,
    appId: str,
    companyId: optStr,
    locationId: optStr,
  }),
} as const;

type Schemas = typeof ghlWebhookSchemas;

/** Every event type ttsync knows (the 16 documented in spec/ghl/webhook-events/). */
export type GhlWebhookEventType = keyof Schemas;

/** The known event types, in documentation order. */
export const GHL_WEBHOOK_EVENT_TYPES: readonly GhlWebhookEventType[] = Object.freeze(
  Object.keys(ghlWebhookSchemas) as GhlWebhookEventType[],
);

/** A parsed, known event of type `T`. */
export type GhlWebhookEventOf<T extends GhlWebhookEventType> = z.output<Schemas[T]>;

/** ContactCreate / ContactUpdate / ContactDelete / ContactTagUpdate: the flat contact payload. */
export type GhlContactWebhookEvent = GhlWebhookEventOf<
  'ContactCreate' | 'ContactUpdate' | 'ContactDelete' | 'ContactTagUpdate'
>;
/** ContactDndUpdate: the contact payload plus `dndSettings`. */
export type GhlContactDndUpdateEvent = GhlWebhookEventOf<'ContactDndUpdate'>;
/** TaskCreate (`contactId` may be missing), TaskComplete, TaskDelete. There is no TaskUpdate. */
export type GhlTaskWebhookEvent = GhlWebhookEventOf<'TaskCreate' | 'TaskComplete' | 'TaskDelete'>;
/** NoteCreate / NoteUpdate / NoteDelete. */
export type GhlNoteWebhookEvent = GhlWebhookEventOf<'NoteCreate' | 'NoteUpdate' | 'NoteDelete'>;
/** AppointmentCreate / AppointmentUpdate / AppointmentDelete: `{ locationId, appointment }`. */
export type GhlAppointmentWebhookEvent = GhlWebhookEventOf<
  'AppointmentCreate' | 'AppointmentUpdate' | 'AppointmentDelete'
>;
/** INSTALL: the app was installed on a location or agency. */
export type GhlInstallEvent = GhlWebhookEventOf<'INSTALL'>;
/** UNINSTALL: the app was removed. */
export type GhlUninstallEvent = GhlWebhookEventOf<'UNINSTALL'>;

/**
 * A delivery whose `type` ttsync does not know: kept whole so the caller can record and report
 * it rather than drop it.
 */
export interface GhlUnknownWebhookEvent {
  type: 'Unknown';
  /** The `type` GHL sent. */
  rawType: string;
  timestamp: string;
  webhookId: string;
  appId?: string;
  versionId?: string;
  /** The whole payload as received. */
  payload: Record<string, unknown>;
}

/** Any GHL webhook delivery, discriminated on `type`. */
export type GhlWebhookEvent =
  | { [T in GhlWebhookEventType]: GhlWebhookEventOf<T> }[GhlWebhookEventType]
  | GhlUnknownWebhookEvent;

const KNOWN = new Set<string>(GHL_WEBHOOK_EVENT_TYPES);

function isKnown(type: string): type is GhlWebhookEventType {
  return KNOWN.has(type);
}

const HINT =
  'only GHL webhook deliveries (a flat JSON event with type, timestamp and webhookId) belong on this endpoint';

function invalid(
  message: string,
  details: Record<string, unknown>,
): { ok: false; error: AppError } {
  return err(
    new AppError('webhook_invalid', message, {
      details: { reason: 'payload_invalid', ...details },
    }),
  );
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** What every delivery must carry; built once (zod compiles a schema on first use). */
const headSchema = z.object({ ...envelope, type: z.string().min(1) });

/**
 * Validates a JSON-parsed GHL webhook body. `ok` with a known event, or with an `Unknown`
 * event for a `type` ttsync does not know; `err` (code `webhook_invalid`) when the body is not
 * an object, lacks `type`, `timestamp` or `webhookId`, or a known event lacks what identifies it.
 */
export function parseGhlWebhook(json: unknown): Result<GhlWebhookEvent, AppError> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const got = json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json;
    return invalid(`GHL webhook body is ${got}, not a JSON object: ${HINT}.`, {});
  }
  const payload = json as Record<string, unknown>;
  const head = headSchema.safeParse(payload);
  if (!head.success) {
    const fields = [
      ...new Set(head.error.issues.map((issue) => String(issue.path[0] ?? '(root)'))),
    ];
    return invalid(
      `GHL webhook has a missing or invalid ${fields.join(', ')} (${formatIssues(head.error.issues)}): ${HINT}.`,
      {
        fields,
      },
    );
  }
  const { type, timestamp, webhookId, appId, versionId } = head.data;
  if (!isKnown(type)) {
    return ok({
      type: 'Unknown',
      rawType: type,
      timestamp,
      webhookId,
      ...(appId === undefined ? {} : { appId }),
      ...(versionId === undefined ? {} : { versionId }),
      payload,
    });
  }
  const parsed = ghlWebhookSchemas[type].safeParse(payload);
  if (!parsed.success) {
    return invalid(
      `GHL ${type} webhook ${webhookId} does not match the documented payload (${formatIssues(parsed.error.issues)}): ` +
        'keep the raw body and compare it with spec/ghl/webhook-events/; the parser may need to accept this shape.',
      { type, webhookId, fields: parsed.error.issues.map((issue) => issue.path.join('.')) },
    );
  }
  return ok(parsed.data as GhlWebhookEvent);
}
