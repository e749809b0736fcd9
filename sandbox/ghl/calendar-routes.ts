/**
 * Appointments: the contact's list (Version 2021-07-28, zone-less times) and the calendar
 * endpoints (Version 2021-04-15): the location's calendars, events by epoch-ms window,
 * create/edit/get appointment and delete event (`{ succeeded }`, spelled correctly here, 201 as
 * declared in the spec).
 */
import type { FastifyInstance } from 'fastify';
import type { AppointmentInput } from './activity-mutations.ts';
import { appointmentResponseDto, calendarEventDto, contactEventDto } from './activity-views.ts';
import { requireContact } from './contact-access.ts';
import type { SandboxContext } from './context.ts';
import { CREATE_APPOINTMENT, EDIT_APPOINTMENT } from './dto-specs.ts';
import { parseDto } from './dto-validation.ts';
import {
  badRequest,
  invalidId,
  locationForbidden,
  notFound,
  unprocessable,
} from './http-errors.ts';
import { isFirebaseId } from './ids.ts';
import type { AppointmentRecord } from './model.ts';
import { apiRoute, assertLocation, queryText } from './route-kit.ts';
import type { AccessTokenRecord } from './tokens.ts';

const CALENDARS = '2021-04-15';
const STATUSES = ['new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid'];

function parseTime(key: string, value: unknown): number {
  const text = String(value);
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(ms)) throw unprocessable([`${key} must be a valid ISO 8601 date string`]);
  return ms;
}

function timeZoneOf(ctx: SandboxContext, locationId: string): string {
  return ctx.state.location(locationId)?.timezone ?? 'UTC';
}

function requireAppointment(
  ctx: SandboxContext,
  principal: AccessTokenRecord,
  id: string | undefined,
): AppointmentRecord {
  if (id === undefined || !isFirebaseId(id)) throw invalidId('event');
  const event = ctx.state.appointments.get(id);
  if (event === undefined) throw notFound('Appointment', id);
  if (event.locationId !== principal.locationId) throw locationForbidden();
  return event;
}

/** Maps a validated create/edit body to mutation input, checking calendar and status. */
function toAppointmentInput(
  ctx: SandboxContext,
  locationId: string,
  raw: Record<string, unknown>,
): AppointmentInput {
  const input: AppointmentInput = {};
  const status = raw['appointmentStatus'];
  if (typeof status === 'string' && !STATUSES.includes(status)) {
    throw unprocessable([
      `appointmentStatus must be one of the following values: ${STATUSES.join(', ')}`,
    ]);
  }
  if (typeof raw['calendarId'] === 'string') {
    const calendar = ctx.state.calendarsOf(locationId).find((c) => c.id === raw['calendarId']);
    if (calendar === undefined) throw badRequest('Calendar not found');
    input.calendarId = calendar.id;
    input.groupId = calendar.groupId;
  }
  for (const key of [
    'title',
    'address',
    'description',
    'meetingLocationType',
    'appointmentStatus',
    'assignedUserId',
  ] as const) {
    const value = raw[key];
    if (typeof value === 'string') input[key] = value;
  }
  if (raw['startTime'] !== undefined && raw['startTime'] !== null)
    input.startMs = parseTime('startTime', raw['startTime']);
  if (raw['endTime'] !== undefined && raw['endTime'] !== null)
    input.endMs = parseTime('endTime', raw['endTime']);
  return input;
}

export function registerCalendarRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  apiRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/calendars/',
      version: CALENDARS,
      auth: { scope: 'calendars.readonly' },
    },
    ({ principal, query }) => {
      const locationId = assertLocation(principal, queryText(query['locationId']));
      const groupId = queryText(query['groupId']);
      const calendars = ctx.state
        .calendarsOf(locationId)
        .filter((calendar) => groupId === undefined || calendar.groupId === groupId)
        .map((calendar) => ({
          id: calendar.id,
          locationId: calendar.locationId,
          groupId: calendar.groupId,
          name: calendar.name,
          isActive: true,
          calendarType: 'event',
          slug: calendar.name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
        }));
      return { status: 200, body: { calendars } };
    },
  );

  apiRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/contacts/:id/appointments',
      version: '2021-07-28',
      auth: { scope: 'contacts.readonly' },
    },
    ({ principal, params }) => {
      const contact = requireContact(ctx, principal, params['id']);
      const zone = timeZoneOf(ctx, contact.locationId);
      return {
        status: 200,
        body: {
          events: ctx.state.appointments
            .forContact(contact.id)
            .map((e) => contactEventDto(e, zone)),
        },
      };
    },
  );

  apiRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/calendars/events',
      version: CALENDARS,
      auth: { scope: 'calendars/events.readonly' },
    },
    ({ principal, query }) => {
      const locationId = assertLocation(principal, queryText(query['locationId']));
      const calendarId = queryText(query['calendarId']);
      const userId = queryText(query['userId']);
      const groupId = queryText(query['groupId']);
      if (calendarId === undefined && userId === undefined && groupId === undefined) {
        throw unprocessable(['Either calendarId, userId or groupId is required']);
      }
      const start = parseTime('startTime', queryText(query['startTime']));
      const end = parseTime('endTime', queryText(query['endTime']));
      const zone = timeZoneOf(ctx, locationId);
      const events = ctx.state.appointments
        .forLocation(locationId)
        .filter(
          (e) =>
            (calendarId === undefined || e.calendarId === calendarId) &&
            (userId === undefined || e.assignedUserId === userId || e.users.includes(userId)) &&
            (groupId === undefined || e.groupId === groupId) &&
            e.startMs < end &&
            e.endMs > start,
        )
        .sort((a, b) => a.startMs - b.startMs);
      return { status: 200, body: { events: events.map((e) => calendarEventDto(e, zone)) } };
    },
  );

  const write = { scope: 'calendars/events.write' };
  apiRoute(
    app,
    ctx,
    { method: 'POST', url: '/calendars/events/appointments', version: CALENDARS, auth: write },
    ({ principal, body }) => {
      const raw = parseDto(body, CREATE_APPOINTMENT);
      const locationId = assertLocation(principal, raw['locationId']);
      const contact = requireContact(ctx, principal, raw['contactId'] as string);
      const input = toAppointmentInput(ctx, locationId, raw);
      const owner =
        input.assignedUserId ?? ctx.state.usersOf(locationId)[0]?.id ?? principal.userId;
      const event = ctx.activityWrites.createAppointment(contact, {
        ...input,
        calendarId: input.calendarId ?? '',
        groupId: input.groupId ?? '',
        startMs: input.startMs ?? ctx.now(),
        assignedUserId: owner,
      });
      return { status: 200, body: appointmentResponseDto(event, timeZoneOf(ctx, locationId)) };
    },
  );

  apiRoute(
    app,
    ctx,
    {
      method: 'PUT',
      url: '/calendars/events/appointments/:eventId',
      version: CALENDARS,
      auth: write,
    },
    ({ principal, params, body }) => {
      const raw = parseDto(body, EDIT_APPOINTMENT);
      const existing = requireAppointment(ctx, principal, params['eventId']);
      const event = ctx.activityWrites.updateAppointment(
        existing,
        toAppointmentInput(ctx, existing.locationId, raw),
      );
      return {
        status: 200,
        body: appointmentResponseDto(event, timeZoneOf(ctx, event.locationId)),
      };
    },
  );

  apiRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/calendars/events/appointments/:eventId',
      version: CALENDARS,
      auth: { scope: 'calendars/events.readonly' },
    },
    ({ principal, params }) => {
      const event = requireAppointment(ctx, principal, params['eventId']);
      return {
        status: 200,
        body: { event: calendarEventDto(event, timeZoneOf(ctx, event.locationId)) },
      };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'DELETE', url: '/calendars/events/:eventId', version: CALENDARS, auth: write },
    ({ principal, params }) => {
      ctx.activityWrites.removeAppointment(requireAppointment(ctx, principal, params['eventId']));
      return { status: 201, body: { succeeded: true } };
    },
  );
}
