/**
 * Appointments (ghl-api.md §2.8): a contact's appointments, a location's calendars, calendar
 * events by time window, and one appointment by id.
 */
import { AppError } from '../../shared/errors.ts';
import type { components as CalendarsApi } from '../generated/calendars.ts';
import type { GhlAppointment, GhlCalendarEvent } from '../types.ts';
import type { CallOptions, GhlContext } from './context.ts';
import { READ, call, seg } from './context.ts';

/** `GET /contacts/{id}/appointments`: times come zone-less ("YYYY-MM-DD HH:mm:ss"). */
export async function listContactAppointments(
  ctx: GhlContext,
  contactId: string,
  options?: CallOptions,
): Promise<GhlAppointment[]> {
  const body = await call<{ events: GhlAppointment[] }>(
    ctx,
    { method: 'GET', path: `/contacts/${seg(contactId)}/appointments`, scope: READ },
    options,
  );
  return body.events;
}

/** A calendar of a location (spec `CalendarDTO`; the fields ttsync reads). */
export type GhlCalendar = Pick<CalendarsApi['schemas']['CalendarDTO'], 'locationId' | 'name'> &
  Partial<Pick<CalendarsApi['schemas']['CalendarDTO'], 'groupId' | 'isActive' | 'calendarType'>> & {
    id: string;
  };

/**
 * `GET /calendars/`: every calendar of the location (drafts included, GHL's default). Needs
 * `calendars.readonly` and `Version: 2021-04-15`.
 */
export async function listCalendars(
  ctx: GhlContext,
  filter: { groupId?: string } = {},
  options?: CallOptions,
): Promise<GhlCalendar[]> {
  const body = await call<{ calendars?: GhlCalendar[] }>(
    ctx,
    {
      method: 'GET',
      path: '/calendars/',
      scope: 'calendars.readonly',
      query: { locationId: ctx.locationId, groupId: filter.groupId },
    },
    options,
  );
  return body.calendars ?? [];
}

/** `GET /calendars/events/appointments/{eventId}` (`calendars/events.readonly`). */
export async function getAppointment(
  ctx: GhlContext,
  eventId: string,
  options?: CallOptions,
): Promise<GhlCalendarEvent> {
  const body = await call<{ event: GhlCalendarEvent }>(
    ctx,
    {
      method: 'GET',
      path: `/calendars/events/appointments/${seg(eventId)}`,
      scope: 'calendars/events.readonly',
    },
    options,
  );
  return body.event;
}

/** Which events `listCalendarEvents` reads: one of calendar, user or group, and a window. */
export interface CalendarWindow {
  calendarId?: string;
  userId?: string;
  groupId?: string;
  /** Window start, epoch ms or Date. */
  start: number | Date;
  /** Window end, epoch ms or Date. */
  end: number | Date;
}

/**
 * `GET /calendars/events` for one window (the only time-window listing GHL has). Needs
 * `calendars/events.readonly` and `Version: 2021-04-15`.
 */
export async function listCalendarEvents(
  ctx: GhlContext,
  window: CalendarWindow,
  options?: CallOptions,
): Promise<GhlCalendarEvent[]> {
  const chosen = [window.calendarId, window.userId, window.groupId].filter(Boolean).length;
  if (chosen !== 1) {
    throw new AppError(
      'validation_failed',
      'GHL calendar events need exactly one of calendarId, userId or groupId',
    );
  }
  const start = +window.start;
  const end = +window.end;
  if (!(end > start))
    throw new AppError('validation_failed', 'Calendar window end must be after its start');
  const body = await call<{ events: GhlCalendarEvent[] }>(
    ctx,
    {
      method: 'GET',
      path: '/calendars/events',
      scope: 'calendars/events.readonly',
      query: {
        locationId: ctx.locationId,
        calendarId: window.calendarId,
        userId: window.userId,
        groupId: window.groupId,
        startTime: String(start),
        endTime: String(end),
      },
    },
    options,
  );
  return body.events;
}

/**
 * Calendar events over a long range, one window of `stepMs` (default 7 days) at a time, so one
 * response never has to hold a whole year.
 */
export async function* iterateCalendarEvents(
  ctx: GhlContext,
  window: CalendarWindow,
  options: CallOptions & { stepMs?: number } = {},
): AsyncGenerator<GhlCalendarEvent, void, undefined> {
  const step = options.stepMs ?? 7 * 24 * 3600_000;
  const end = +window.end;
  for (let from = +window.start; from < end; from += step) {
    const events = await listCalendarEvents(
      ctx,
      { ...window, start: from, end: Math.min(end, from + step) },
      options,
    );
    yield* events;
  }
}
