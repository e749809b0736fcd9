/**
 * Appointment webhooks → `appointment-sync` jobs (the route the dispatcher asks after the
 * contact route). GHL sends `{ locationId, appointment: { id, contactId, … } }` for
 * AppointmentCreate, AppointmentUpdate and AppointmentDelete; the job carries the appointment
 * so that the sync needs no GHL read, and is keyed by the person so it runs in the person's order.
 * One job per event, never merged: see the comment in `appointmentRoute`.
 */
import type { AppointmentLike } from './appointment-mapping.ts';
import { APPOINTMENT_SYNC_JOB } from './appointment-jobs.ts';
import type { AppointmentSyncPayload } from './appointment-jobs.ts';
import type { EventRoute } from './event-routes.ts';
import { personKey } from './jobs.ts';

const APPOINTMENT_EVENTS = new Set(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The appointment fields ttsync keeps from an event's `appointment`. */
function appointmentOf(raw: Record<string, unknown>, id: string): AppointmentLike {
  const appointment: AppointmentLike = { id };
  for (const key of [
    'contactId',
    'calendarId',
    'title',
    'address',
    'appointmentStatus',
    'startTime',
    'endTime',
    'dateAdded',
    'dateUpdated',
  ] as const) {
    const value = text(raw[key]);
    if (value !== undefined) appointment[key] = value;
  }
  return appointment;
}

/** Appointment events → `appointment-sync`, keyed by the person, coalescing per appointment. */
export const appointmentRoute: EventRoute = (entry, event) => {
  if (!APPOINTMENT_EVENTS.has(entry.eventType)) return undefined;
  const raw = event['appointment'];
  const appointment =
    raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined;
  const appointmentId = text(appointment?.['id']);
  const contactId = text(appointment?.['contactId']);
  const locationId = text(event['locationId']) ?? entry.locationId;
  if (!appointment || !appointmentId || !contactId || !locationId) {
    return {
      invalid: 'appointment event without appointment.id, appointment.contactId or locationId',
    };
  }
  const payload: AppointmentSyncPayload = {
    locationId,
    contactId,
    appointmentId,
    trigger: entry.eventType,
    eventId: entry.eventId,
    appointment: appointmentOf(appointment, appointmentId),
  };
  // The delivery's time: the only time GHL gives for a delete.
  const timestamp = text(event['timestamp']);
  if (timestamp !== undefined) payload.occurredRaw = timestamp;
  // No coalescing: the job syncs the appointment the event carried, so merging a waiting job
  // into a later-delivered (possibly older) event would lose the newer state. Each event runs;
  // a stale one is a no-op (its dateUpdated is older, or GHL is asked on a tie).
  return { name: APPOINTMENT_SYNC_JOB, payload, key: personKey(locationId, contactId) };
};
