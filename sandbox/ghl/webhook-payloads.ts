/**
 * Webhook bodies per spec/ghl/webhook-events/*.md: flat (no `data` wrapper), `attachments`
 * always `[]`, ContactDndUpdate with `dndSettings` but never `inboundDndSettings`, appointments
 * nested under `appointment` with the right `type` (the docs' Update/Delete examples are wrong).
 * The dispatcher adds `timestamp`, `webhookId`, `appId` and `versionId`.
 */
import type { AppointmentRecord, ContactRecord, NoteRecord, TaskRecord } from './model.ts';
import { contactFullName } from './model.ts';
import { isoUtc, isoWithOffset } from './time-format.ts';

export const WEBHOOK_EVENT_TYPES = [
  'ContactCreate',
  'ContactUpdate',
  'ContactDelete',
  'ContactTagUpdate',
  'ContactDndUpdate',
  'TaskCreate',
  'TaskComplete',
  'TaskDelete',
  'NoteCreate',
  'NoteUpdate',
  'NoteDelete',
  'AppointmentCreate',
  'AppointmentUpdate',
  'AppointmentDelete',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** One event before delivery. */
export interface WebhookEvent {
  type: WebhookEventType;
  locationId: string;
  payload: Record<string, unknown>;
}

export type ContactEventType =
  'ContactCreate' | 'ContactUpdate' | 'ContactDelete' | 'ContactTagUpdate' | 'ContactDndUpdate';

export function contactEvent(type: ContactEventType, contact: ContactRecord): WebhookEvent {
  const name = contactFullName(contact);
  const payload: Record<string, unknown> = {
    type,
    locationId: contact.locationId,
    id: contact.id,
    address1: contact.address1,
    city: contact.city,
    state: contact.state,
    companyName: contact.companyName,
    country: contact.country,
    source: contact.source,
    dateAdded: isoUtc(contact.dateAddedMs),
    dateOfBirth: contact.dateOfBirth,
    dnd: contact.dnd,
    email: contact.email,
    name: name === '' ? undefined : name,
    firstName: contact.firstName,
    lastName: contact.lastName,
    phone: contact.phone,
    postalCode: contact.postalCode,
    tags: [...contact.tags],
    website: contact.website,
    attachments: [],
    assignedTo: contact.assignedTo,
    customFields: contact.customFields.map((field) => ({ id: field.id, value: field.value })),
  };
  if (type === 'ContactDndUpdate') payload['dndSettings'] = contact.dndSettings ?? {};
  return { type, locationId: contact.locationId, payload };
}

export type TaskEventType = 'TaskCreate' | 'TaskComplete' | 'TaskDelete';

/** `omitContactAndBody` reproduces ISS #332: real TaskCreate payloads lacking both. */
export function taskEvent(
  type: TaskEventType,
  task: TaskRecord,
  omitContactAndBody = false,
): WebhookEvent {
  return {
    type,
    locationId: task.locationId,
    payload: {
      type,
      locationId: task.locationId,
      id: task.id,
      assignedTo: task.assignedTo,
      body: omitContactAndBody ? undefined : task.body,
      contactId: omitContactAndBody ? undefined : task.contactId,
      title: task.title,
      dateAdded: isoUtc(task.dateAddedMs),
      dueDate: task.dueDate,
    },
  };
}

export type NoteEventType = 'NoteCreate' | 'NoteUpdate' | 'NoteDelete';

export function noteEvent(type: NoteEventType, note: NoteRecord): WebhookEvent {
  return {
    type,
    locationId: note.locationId,
    payload: {
      type,
      locationId: note.locationId,
      id: note.id,
      body: note.body,
      contactId: note.contactId,
      dateAdded: isoUtc(note.dateAddedMs),
    },
  };
}

export type AppointmentEventType = 'AppointmentCreate' | 'AppointmentUpdate' | 'AppointmentDelete';

export function appointmentEvent(
  type: AppointmentEventType,
  event: AppointmentRecord,
  timeZone: string,
): WebhookEvent {
  return {
    type,
    locationId: event.locationId,
    payload: {
      type,
      locationId: event.locationId,
      appointment: {
        id: event.id,
        address: event.address,
        title: event.title,
        calendarId: event.calendarId,
        contactId: event.contactId,
        groupId: event.groupId,
        appointmentStatus: event.appointmentStatus,
        assignedUserId: event.assignedUserId,
        users: [...event.users],
        notes: event.notes,
        source: event.source,
        startTime: isoWithOffset(event.startMs, timeZone),
        endTime: isoWithOffset(event.endMs, timeZone),
        dateAdded: isoWithOffset(event.dateAddedMs, timeZone),
        dateUpdated: isoWithOffset(event.dateUpdatedMs, timeZone),
      },
    },
  };
}
