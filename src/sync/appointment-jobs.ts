/**
 * The `appointment-sync` job: its name, payload and handler. Jobs are keyed by the person
 * (`personKey`), so an appointment runs after, and never alongside, its contact's own sync.
 * Poll and backfill hand-overs coalesce per appointment (`appointmentCoalesceKey`): each carries
 * what GHL listed at the time, so the later one is never older. Webhook jobs do not coalesce
 * (appointment-route.ts): deliveries may arrive out of order.
 */
import type { JobQueue } from '../queue/index.ts';
import type { AppointmentLike } from './appointment-mapping.ts';
import { syncAppointment } from './appointment-sync.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { registerSyncJob } from './sync-job.ts';

/** Brings one GHL appointment to a Tenant Turner showing. */
export const APPOINTMENT_SYNC_JOB = 'appointment-sync';

/** Payload of `appointment-sync`. */
export interface AppointmentSyncPayload {
  locationId: string;
  contactId: string;
  appointmentId: string;
  /** The webhook event type (`AppointmentCreate`, `AppointmentUpdate`, `AppointmentDelete`). */
  trigger: string;
  eventId?: string;
  /** The webhook's `timestamp` as GHL wrote it (the time of a delete). */
  occurredRaw?: string;
  /** The appointment as the event carried it. */
  appointment?: AppointmentLike;
}

/** The coalesce key of one appointment's jobs. */
export function appointmentCoalesceKey(appointmentId: string): string {
  return `appointment:${appointmentId}`;
}

/** Registers the `appointment-sync` handler on `queue`. */
export function registerAppointmentHandler(queue: JobQueue, deps: ContactSyncDeps): void {
  registerSyncJob<AppointmentSyncPayload, Awaited<ReturnType<typeof syncAppointment>>>(
    queue,
    APPOINTMENT_SYNC_JOB,
    deps,
    syncAppointment,
    (payload, outcome) => ({
      contactId: payload.contactId,
      appointmentId: payload.appointmentId,
      outcome: outcome.kind,
      ...(outcome.notApplied.length > 0 ? { notApplied: outcome.notApplied } : {}),
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    }),
    'appointment synced to Tenant Turner',
  );
}
