/**
 * GHL appointment → Tenant Turner showing, as data: what ttsync reads from an appointment, the
 * showing status each GHL status stands for, and the `PUT /v1/showings/{id}` steps that bring a
 * showing from where it is to where the appointment says it should be (Tenant Turner moves a
 * showing one state-machine step at a time: Requested → Scheduled → Confirmed, Scheduled or
 * Confirmed → NoShow, any pending state → Cancelled; a reschedule makes it Scheduled again).
 */
import type { GhlCalendarEvent } from '../ghl/types.ts';
import type { ShowingUpdate } from '../tenant-turner/inputs.ts';
import type { Showing, ShowingStatus } from '../tenant-turner/resources.ts';
import { contentHash } from './contact-mapping.ts';

/** The appointment fields ttsync uses (webhook `appointment`, or a calendar event). */
export interface AppointmentLike {
  id: string;
  contactId?: string | undefined;
  calendarId?: string | undefined;
  title?: string | undefined;
  address?: string | undefined;
  appointmentStatus?: string | undefined;
  startTime?: string | undefined;
  endTime?: string | undefined;
  /** When the appointment was booked, as GHL wrote it (the showing's timeline entry sits there). */
  dateAdded?: string | undefined;
  dateUpdated?: string | undefined;
}

/**
 * The fields the sync reads, from a calendar event (`GET /calendars/events`, or
 * `GET /calendars/events/appointments/{id}`), as an AppointmentCreate/Update webhook carries
 * them: zoned times, and `dateAdded` (where the booking's timeline entry sits) with `dateUpdated`.
 * Empty or missing fields are left out.
 */
export function appointmentFromEvent(event: GhlCalendarEvent): AppointmentLike {
  const { id, contactId, calendarId, title, address, appointmentStatus } = event;
  const fields = { contactId, calendarId, title, address, appointmentStatus };
  const times = {
    startTime: event.startTime,
    endTime: event.endTime,
    dateAdded: event.dateAdded,
    dateUpdated: event.dateUpdated,
  };
  const present = Object.entries({ ...fields, ...times }).filter(
    ([, value]) => typeof value === 'string' && value !== '',
  );
  return { id, ...(Object.fromEntries(present) as Omit<AppointmentLike, 'id'>) };
}

/** Where ttsync wants the showing: a Tenant Turner status, or attended (no TT status). */
export type ShowingGoal = 'Requested' | 'Confirmed' | 'Cancelled' | 'Attended' | 'NoShow';

/** GHL `appointmentStatus` → the showing's goal; unknown statuses leave it requested. */
const GOALS: Record<string, ShowingGoal> = {
  new: 'Requested',
  confirmed: 'Confirmed',
  cancelled: 'Cancelled',
  invalid: 'Cancelled',
  showed: 'Attended',
  noshow: 'NoShow',
};

/** The appointment as ttsync compares it: the hashed state and its time, raw and parsed. */
export interface AppointmentState {
  appointmentId: string;
  status: string;
  goal: ShowingGoal;
  /** `startTime` as GHL sent it, time zone included. */
  startRaw: string;
  startMs: number;
  address: string | undefined;
}

/** What the showing looks like now (read from Tenant Turner, or just created). */
export interface ShowingNow {
  status: ShowingStatus;
  scheduledMs: number | undefined;
  requestedMs: number | undefined;
}

/** The steps to apply, and why a goal cannot be reached (a closed showing), if it cannot. */
export interface ShowingPlan {
  steps: ShowingUpdate[];
  blocked: string | undefined;
  /** The status the showing has once the steps are applied. */
  status: ShowingStatus;
  scheduledMs: number | undefined;
}

/**
 * Parses a GHL time. ISO with an offset (webhooks, calendar events) is exact; the contact list's
 * zone-less `YYYY-MM-DD HH:mm:ss` is read as UTC and flagged.
 */
export function parseGhlTime(raw: string): { ms: number; zoned: boolean } | undefined {
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(raw);
  const ms = Date.parse(zoned ? raw : `${raw.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : { ms, zoned };
}

/** The state of `appointment`, or why it cannot become a showing. */
export function appointmentState(appointment: AppointmentLike): AppointmentState | string {
  const raw = appointment.startTime;
  const start = raw === undefined ? undefined : parseGhlTime(raw);
  if (raw === undefined || start === undefined) {
    return `appointment ${appointment.id} has no readable startTime (${raw ?? 'none'})`;
  }
  const status = (appointment.appointmentStatus ?? 'new').toLowerCase();
  return {
    appointmentId: appointment.id,
    status,
    goal: GOALS[status] ?? 'Requested',
    startRaw: raw,
    startMs: start.ms,
    address: appointment.address?.trim() || undefined,
  };
}

/** The hash that says whether an appointment changed since it was last synced. */
export function appointmentHash(state: AppointmentState): string {
  return contentHash({
    goal: state.goal,
    status: state.status,
    startMs: state.startMs,
    address: state.address ?? null,
  });
}

/** A showing as `ShowingNow`. */
export function showingNow(showing: Showing): ShowingNow {
  const first = showing.requestedTimes[0];
  return {
    status: showing.status,
    scheduledMs: showing.scheduledTime?.getTime(),
    requestedMs: first?.getTime(),
  };
}

const CLOSED: readonly ShowingStatus[] = ['Cancelled', 'NoShow'];

/** The steps that take `now` to `goal` at `startMs`. */
export function planShowing(now: ShowingNow, goal: ShowingGoal, startMs: number): ShowingPlan {
  const done = (steps: ShowingUpdate[], status: ShowingStatus, scheduledMs = now.scheduledMs) => ({
    steps,
    blocked: undefined,
    status,
    scheduledMs,
  });
  if (CLOSED.includes(now.status)) {
    if (now.status === goal) return done([], now.status);
    return {
      steps: [],
      blocked: `the showing is ${now.status} in Tenant Turner and cannot change any more`,
      status: now.status,
      scheduledMs: now.scheduledMs,
    };
  }
  if (goal === 'Cancelled') return done([{ status: 'Cancelled' }], 'Cancelled');
  const steps: ShowingUpdate[] = [];
  let status = now.status;
  let scheduledMs = now.scheduledMs;
  const at = scheduledMs ?? now.requestedMs;
  const needsTime =
    goal !== 'Requested' ? status === 'Requested' || at !== startMs : at !== startMs;
  if (needsTime) {
    steps.push({ scheduledTime: new Date(startMs) });
    status = 'Scheduled';
    scheduledMs = startMs;
  }
  if (goal === 'Confirmed' && status !== 'Confirmed') {
    steps.push({ status: 'Confirmed' });
    status = 'Confirmed';
  } else if (goal === 'NoShow') {
    steps.push({ status: 'NoShow' });
    status = 'NoShow';
  }
  return done(steps, status, scheduledMs);
}

/** Words for a step, for the timeline and the log. */
export function describeStep(step: ShowingUpdate): string {
  if (step.status !== undefined) return `status → ${step.status}`;
  if (step.scheduledTime !== undefined) return `scheduled for ${step.scheduledTime.toISOString()}`;
  return 'notes';
}
