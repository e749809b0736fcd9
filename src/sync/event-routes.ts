/**
 * Which job a stored webhook becomes (ARCHITECTURE.md §1.2). Each kind of record contributes a
 * route; the dispatcher asks them in order and keeps an event no route takes as `deferred`, so
 * a later version can still process it.
 */
import type { InboxEntry } from '../store/inbox.ts';
import { CONTACT_SYNC_JOB, personKey } from './jobs.ts';
import type { ContactSyncPayload } from './jobs.ts';
import { appointmentRoute } from './appointment-route.ts';
import { taskRoute } from './task-route.ts';
import { noteRoute } from './note-route.ts';
import { ttEventRoute } from './tt-event-route.ts';

/** A job to enqueue for an event. */
export interface JobSpec {
  name: string;
  payload: unknown;
  /** Ordering key: the person (`personKey`), so one person's changes run in order. */
  key: string;
  /** Merges with a waiting job of the same key and coalesce key (it reads the latest state). */
  coalesceKey?: string | undefined;
}

/** The job for an event, `undefined` when the route does not take it, or a reason it is bad. */
export type EventRoute = (
  entry: InboxEntry,
  event: Record<string, unknown>,
) => JobSpec | { invalid: string } | undefined;

const CONTACT_EVENTS = new Set([
  'ContactCreate',
  'ContactUpdate',
  'ContactDelete',
  'ContactTagUpdate',
  'ContactDndUpdate',
]);

/** Contact events → `contact-sync`, one coalescing job per person. */
export const contactRoute: EventRoute = (entry, event) => {
  if (!CONTACT_EVENTS.has(entry.eventType)) return undefined;
  const contactId = typeof event['id'] === 'string' ? event['id'] : undefined;
  const locationId =
    typeof event['locationId'] === 'string' ? event['locationId'] : entry.locationId;
  if (!contactId || !locationId) return { invalid: 'contact event without id or locationId' };
  const payload: ContactSyncPayload = {
    locationId,
    contactId,
    trigger: entry.eventType,
    eventId: entry.eventId,
  };
  return {
    name: CONTACT_SYNC_JOB,
    payload,
    key: personKey(locationId, contactId),
    coalesceKey: 'contact',
  };
};

/** Every route, asked in order. Add a kind of record by adding its route here. */
export const EVENT_ROUTES: readonly EventRoute[] = [
  contactRoute,
  taskRoute,
  noteRoute,
  appointmentRoute,
  ttEventRoute,
];

/** The job for `entry`, or why it is invalid, or undefined (no route: deferred). */
export function routeEvent(entry: InboxEntry): JobSpec | { invalid: string } | undefined {
  const event = JSON.parse(entry.payload) as Record<string, unknown>;
  for (const route of EVENT_ROUTES) {
    const spec = route(entry, event);
    if (spec) return spec;
  }
  return undefined;
}
