/**
 * How reconciliation reads GHL's children: through the child streams (child-streams.ts), on the
 * backfill lane, plus the GETs that confirm a child is gone. Tests pass their own readers to
 * simulate an outage (an empty search, every GET failing).
 */
import type { GhlTask, GhlNote } from '../ghl/types.ts';
import type { AppointmentLike } from './appointment-mapping.ts';
import { appointmentFromEvent } from './appointment-mapping.ts';
import { contactNotes, locationAppointmentWindows, locationCalendars } from './child-streams.ts';
import { locationTaskPages } from './child-streams.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import type { ChildKind } from './reconcile-sources.ts';

/** The appointment window a reconcile reads (epoch ms, start inclusive, end exclusive). */
export interface Window {
  start: number;
  end: number;
}

/** GHL's children as reconciliation reads them. */
export interface ChildReaders {
  tasks(signal?: AbortSignal): AsyncIterable<GhlTask>;
  notes(contactId: string, signal?: AbortSignal): Promise<GhlNote[]>;
  appointments(window: Window, signal?: AbortSignal): AsyncIterable<AppointmentLike>;
  /** Reads one child by id: resolves when it exists, rejects with a 404 when it is gone. */
  exists(child: ChildKind, contactId: string, ghlId: string, signal?: AbortSignal): Promise<void>;
}

/** The readers over `deps.ghl` for `locationId`. */
export function defaultChildReaders(deps: ContactSyncDeps, locationId: string): ChildReaders {
  const ghl = deps.ghl.location(locationId, 'backfill');
  return {
    async *tasks(signal) {
      for await (const page of locationTaskPages(ghl, { signal })) yield* page.tasks;
    },
    notes: (contactId, signal) => contactNotes(ghl, contactId, { signal }),
    async *appointments(window, signal) {
      const calendars = await locationCalendars(ghl, { signal });
      if (calendars.length === 0) return;
      for await (const part of locationAppointmentWindows(ghl, calendars, window, { signal })) {
        for (const event of part.events) yield appointmentFromEvent(event);
      }
    },
    async exists(child, contactId, ghlId, signal) {
      const call = signal ? { signal } : {};
      if (child === 'task') await ghl.getTask(contactId, ghlId, call);
      else if (child === 'note') await ghl.getNote(contactId, ghlId, call);
      else await ghl.getAppointment(ghlId, call);
    },
  };
}
