/**
 * The `note-sync` job: its name, payload and handler. Events reach it through `noteRoute`
 * (note-route.ts), keyed by the person so a note never overtakes its contact.
 */
import type { JobQueue } from '../queue/index.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { registerSyncJob } from './sync-job.ts';
import { syncNote } from './note-sync.ts';

/** Brings one GHL note to Tenant Turner and the person's timeline. */
export const NOTE_SYNC_JOB = 'note-sync';

/** Payload of `note-sync`. */
export interface NoteSyncPayload {
  locationId: string;
  contactId: string;
  noteId: string;
  /** The webhook event type (`NoteCreate`, `NoteUpdate`, `NoteDelete`). */
  trigger: string;
  eventId?: string;
  /** The webhook's `timestamp` as GHL wrote it: the time of an edit or a delete. */
  occurredRaw?: string;
}

/** Registers the `note-sync` handler on `queue`. */
export function registerNoteSyncHandler(queue: JobQueue, deps: ContactSyncDeps): void {
  registerSyncJob<NoteSyncPayload, Awaited<ReturnType<typeof syncNote>>>(
    queue,
    NOTE_SYNC_JOB,
    deps,
    syncNote,
    (payload, outcome) => ({
      contactId: payload.contactId,
      noteId: payload.noteId,
      outcome: outcome.kind,
    }),
    'note synced',
  );
}
