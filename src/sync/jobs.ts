/**
 * The sync's job names, payloads and ordering keys, and the handlers that run them.
 */
import type { JobQueue } from '../queue/index.ts';
import { syncContact } from './contact-sync.ts';
import type { ContactSyncDeps, ContactSyncOutcome } from './contact-sync.ts';
import { registerSyncJob } from './sync-job.ts';
import { registerAppointmentHandler } from './appointment-jobs.ts';
import { registerTaskHandlers } from './task-jobs.ts';
import { registerNoteSyncHandler } from './note-jobs.ts';

/** Brings one GHL contact to Tenant Turner. */
export const CONTACT_SYNC_JOB = 'contact-sync';

/** Payload of `contact-sync`. */
export interface ContactSyncPayload {
  locationId: string;
  contactId: string;
  /** The webhook event type, or `backfill`. */
  trigger: string;
  eventId?: string;
}

/** The ordering key of a person: their jobs run one at a time, in order. */
export function personKey(locationId: string, contactId: string): string {
  return `person:${locationId}:${contactId}`;
}

/** Registers the sync's handlers on `queue`. */
export function registerSyncHandlers(queue: JobQueue, deps: ContactSyncDeps): void {
  registerAppointmentHandler(queue, deps);
  registerTaskHandlers(queue, deps);
  registerSyncJob<ContactSyncPayload, ContactSyncOutcome>(
    queue,
    CONTACT_SYNC_JOB,
    deps,
    syncContact,
    (payload, outcome) => ({ contactId: payload.contactId, outcome: outcome.kind }),
    'contact synced to Tenant Turner',
  );
  registerNoteSyncHandler(queue, deps);
}
