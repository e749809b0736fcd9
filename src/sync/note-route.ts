/**
 * NoteCreate / NoteUpdate / NoteDelete → a `note-sync` job keyed by the person, coalescing per
 * note (the job reads the note's current state, so waiting events of one note merge).
 */
import type { EventRoute } from './event-routes.ts';
import { personKey } from './jobs.ts';
import { NOTE_SYNC_JOB } from './note-jobs.ts';
import type { NoteSyncPayload } from './note-jobs.ts';

const NOTE_EVENTS = new Set(['NoteCreate', 'NoteUpdate', 'NoteDelete']);

/** Note events → `note-sync`. */
export const noteRoute: EventRoute = (entry, event) => {
  if (!NOTE_EVENTS.has(entry.eventType)) return undefined;
  const text = (key: string): string | undefined =>
    typeof event[key] === 'string' && event[key] !== '' ? event[key] : undefined;
  const noteId = text('id');
  const contactId = text('contactId');
  const locationId = text('locationId') ?? entry.locationId;
  if (!noteId || !contactId || !locationId) {
    return { invalid: 'note event without id, contactId or locationId' };
  }
  const payload: NoteSyncPayload = {
    locationId,
    contactId,
    noteId,
    trigger: entry.eventType,
    eventId: entry.eventId,
  };
  // GHL notes carry no time of an edit or a delete; the delivery's timestamp is that time.
  const timestamp = text('timestamp');
  if (timestamp !== undefined) payload.occurredRaw = timestamp;
  return {
    name: NOTE_SYNC_JOB,
    payload,
    key: personKey(locationId, contactId),
    coalesceKey: `note:${noteId}`,
  };
};
