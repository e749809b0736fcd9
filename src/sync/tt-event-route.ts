/**
 * Tenant Turner webhook events → a `tt-timeline` job (the `/webhooks/tt` side of
 * ARCHITECTURE.md §1.2): lead and viewing events, keyed by the lead so one lead's events run in
 * arrival order. Rental and lockbox events belong to no person's timeline: no route takes them,
 * so the dispatcher keeps them as `deferred`.
 */
import { TT_LEAD_EVENTS, TT_SHOWING_EVENTS } from '../tenant-turner/webhook-events.ts';
import type { EventRoute } from './event-routes.ts';
import { TT_TIMELINE_JOB } from './tt-event-job.ts';
import type { TtTimelinePayload } from './tt-event-job.ts';

const PERSON_EVENTS = new Set<string>([...TT_LEAD_EVENTS, ...TT_SHOWING_EVENTS]);

/** The `ApplicationId` of a delivery, whatever the case of its key. */
function applicationIdOf(event: Record<string, unknown>): number | undefined {
  const key = Object.keys(event).find((k) => k.toLowerCase() === 'applicationid');
  const value = key === undefined ? undefined : Number(event[key]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Tenant Turner lead and viewing events → `tt-timeline`. */
export const ttEventRoute: EventRoute = (entry, event) => {
  if (entry.provider !== 'tt' || !PERSON_EVENTS.has(entry.eventType)) return undefined;
  const applicationId = applicationIdOf(event);
  if (applicationId === undefined) {
    return { invalid: `Tenant Turner ${entry.eventType} event without an ApplicationId` };
  }
  const payload: TtTimelinePayload = { eventId: entry.eventId, body: entry.payload };
  return { name: TT_TIMELINE_JOB, payload, key: `tt-lead:${applicationId}` };
};
