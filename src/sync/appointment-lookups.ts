/**
 * The reads and the link an appointment's sync needs besides the showing write: the appointment
 * from GHL when the event did not carry it, the `pending` link committed before the showing is
 * booked, and the showing an earlier, interrupted attempt may already have booked.
 */
import type { GhlCalendarEvent } from '../ghl/types.ts';
import { HttpError } from '../shared/errors.ts';
import { ensurePendingLinks, findLinkByGhlId } from '../store/links.ts';
import type { Link } from '../store/links.ts';
import type { Showing } from '../tenant-turner/resources.ts';
import type { AppointmentLike } from './appointment-mapping.ts';
import { appointmentFromEvent } from './appointment-mapping.ts';
import type { AppointmentSyncJob } from './appointment-sync.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

/**
 * The appointment as GHL has it now, from `GET /calendars/events/appointments/{id}` (times with
 * the location's offset, as the webhooks carry them; the contact's appointment list has them
 * without a zone); undefined only when that GET says 404. Absence from a list (the contact's
 * appointments, a calendar window) is never taken as a delete: GHL re-parents appointments when
 * it merges contacts, and lists can come back short.
 */
export async function readAppointment(
  deps: ContactSyncDeps,
  job: AppointmentSyncJob,
  signal?: AbortSignal,
): Promise<AppointmentLike | undefined> {
  let found: GhlCalendarEvent;
  try {
    found = await deps.ghl
      .location(job.locationId, 'webhook')
      .getAppointment(job.appointmentId, signal ? { signal } : {});
  } catch (error) {
    if (error instanceof HttpError && error.code === 'not_found') return undefined;
    throw error;
  }
  return appointmentFromEvent(found);
}

/** The appointment's link, committed `pending` (parent: the person) unless it exists. */
export async function pendingLink(
  deps: ContactSyncDeps,
  job: AppointmentSyncJob,
  person: Link,
): Promise<Link> {
  const record = { locationId: job.locationId, ghlId: job.appointmentId, parentId: person.id };
  await ensurePendingLinks(deps.db, 'appointment', [record], deps.clock.now());
  const link = await findLinkByGhlId(deps.db, 'appointment', job.locationId, job.appointmentId);
  if (!link) throw new Error(`appointment ${job.appointmentId}: the pending link was not stored`);
  return link;
}

/** A showing an earlier attempt booked for this appointment (its `ExternalId`), if any. */
export async function findBooked(
  deps: ContactSyncDeps,
  person: Link,
  job: AppointmentSyncJob,
  signal?: AbortSignal,
): Promise<Showing | undefined> {
  const call = signal ? { signal } : {};
  const lead = await deps.tt.leads.get(Number(person.ttId), call);
  for (const nested of lead.showings) {
    const showing = await deps.tt.showings.get(nested.showingId, call);
    if (showing.externalId === job.appointmentId) return showing;
  }
  return undefined;
}
