/**
 * Readers of a location's children in GHL, for the backfill and reconciliation. Each reads with
 * as few calls as GHL allows and says where it stands, so a caller can checkpoint and resume:
 * - tasks: the location task search, a page at a time (`skip` is the resume point). The search
 *   sorts newest first, so a task created meanwhile shifts older ones to a later page (seen
 *   twice, harmless: the task sync compares hashes); one deleted meanwhile may shift one past a
 *   page boundary, which the task webhooks and reconciliation cover;
 * - appointments: `GET /calendars/` once, then `GET /calendars/events` one calendar × window at a
 *   time (the only time-window listing GHL has). An event is yielded in the window its start
 *   falls in, so one spanning a boundary is not read twice;
 * - notes: `GET /contacts/{id}/notes`, one call per contact (GHL has no location-wide listing).
 */
import type { GhlLocationClient } from '../ghl/client.ts';
import type { GhlCalendar } from '../ghl/ops/calendars.ts';
import type { Lane } from '../ghl/rate-limiter.ts';
import type { GhlCalendarEvent, GhlNote, GhlTask } from '../ghl/types.ts';

/** Lane and abort signal for the reads. */
export interface StreamCallOptions {
  lane?: Lane | undefined;
  signal?: AbortSignal | undefined;
}

const callOptions = (options: StreamCallOptions): { lane?: Lane; signal?: AbortSignal } => ({
  ...(options.lane ? { lane: options.lane } : {}),
  ...(options.signal ? { signal: options.signal } : {}),
});

/** One page of the location task search. */
export interface TaskPage {
  tasks: GhlTask[];
  /** The `skip` this page was read at. */
  skip: number;
  /** Where the next page starts; undefined after the last page. */
  nextSkip: number | undefined;
}

/** Default tasks per search page (GHL documents no maximum; 100 is what its UI asks for). */
export const TASK_PAGE_SIZE = 100;

/**
 * Every task of the location through `POST /locations/{id}/tasks/search`, a page at a time,
 * from `skip` (a checkpoint's `nextSkip`; default 0). One call per page.
 */
export async function* locationTaskPages(
  ghl: GhlLocationClient,
  options: StreamCallOptions & { pageSize?: number; skip?: number } = {},
): AsyncGenerator<TaskPage, void, undefined> {
  const pageSize = options.pageSize ?? TASK_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`task page size must be a positive integer, got ${pageSize}`);
  }
  let skip = options.skip ?? 0;
  let page: GhlTask[] = [];
  const tasks = ghl.searchLocationTasks(
    {},
    { ...callOptions(options), pageSize, ...(skip > 0 ? { skip } : {}) },
  );
  for await (const task of tasks) {
    page.push(task);
    if (page.length === pageSize) {
      yield { tasks: page, skip, nextSkip: skip + pageSize };
      skip += pageSize;
      page = [];
    }
  }
  yield { tasks: page, skip, nextSkip: undefined };
}

/** A time range of appointments to read, and how much of it one call covers. */
export interface AppointmentRange {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  /** One `GET /calendars/events` call covers this much; default 31 days. */
  stepMs?: number;
}

/** Where an appointment read stands: the calendar being read and the next window's start. */
export interface AppointmentPosition {
  calendarId: string;
  windowStart: number;
}

/** The events of one calendar × window. */
export interface AppointmentWindow {
  calendar: GhlCalendar;
  start: number;
  end: number;
  events: GhlCalendarEvent[];
  /** Where to resume after this window; undefined after the last window of the last calendar. */
  next: AppointmentPosition | undefined;
  /** Calendar × window reads still to come after this one (for estimates). */
  remainingCalls: number;
}

export const DEFAULT_APPOINTMENT_STEP_MS = 31 * 24 * 3600_000;

/** The calendars of the location, in id order (a stable order to resume in). */
export async function locationCalendars(
  ghl: GhlLocationClient,
  options: StreamCallOptions = {},
): Promise<GhlCalendar[]> {
  const calendars = await ghl.listCalendars({}, callOptions(options));
  return calendars.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** How many `GET /calendars/events` calls `range` takes per calendar. */
export function windowsPerCalendar(range: AppointmentRange): number {
  const step = range.stepMs ?? DEFAULT_APPOINTMENT_STEP_MS;
  return Math.max(0, Math.ceil((range.end - range.start) / step));
}

/**
 * Every appointment of the location starting in `range`: each of `calendars` (from
 * `locationCalendars`) window by window, from `from` (a checkpoint's `next`) on. One call per
 * calendar × window.
 */
export async function* locationAppointmentWindows(
  ghl: GhlLocationClient,
  calendars: readonly GhlCalendar[],
  range: AppointmentRange,
  options: StreamCallOptions & { from?: AppointmentPosition | undefined } = {},
): AsyncGenerator<AppointmentWindow, void, undefined> {
  const step = range.stepMs ?? DEFAULT_APPOINTMENT_STEP_MS;
  if (!(step > 0)) throw new RangeError(`appointment window step must be positive, got ${step}`);
  if (!(range.end > range.start)) {
    throw new RangeError('the appointment range must end after it starts');
  }
  const perCalendar = windowsPerCalendar(range);
  const from = options.from;
  const first = from ? calendars.findIndex((calendar) => calendar.id >= from.calendarId) : 0;
  if (first < 0) return;
  for (let c = first; c < calendars.length; c++) {
    const calendar = calendars[c] as GhlCalendar;
    let start = range.start;
    if (from && calendar.id === from.calendarId) start = Math.max(range.start, from.windowStart);
    for (; start < range.end; start += step) {
      const end = Math.min(range.end, start + step);
      const events = await ghl.listCalendarEvents(
        { calendarId: calendar.id, start, end },
        callOptions(options),
      );
      const after = end < range.end ? end : undefined;
      const nextCalendar = calendars[c + 1];
      const next: AppointmentPosition | undefined =
        after !== undefined
          ? { calendarId: calendar.id, windowStart: after }
          : nextCalendar
            ? { calendarId: nextCalendar.id, windowStart: range.start }
            : undefined;
      const leftHere = after === undefined ? 0 : Math.ceil((range.end - after) / step);
      yield {
        calendar,
        start,
        end,
        events: events.filter((event) => startsWithin(event, start, end)),
        next,
        remainingCalls: leftHere + (calendars.length - c - 1) * perCalendar,
      };
    }
  }
}

/** Whether `event` starts in [start, end); an unreadable start counts as inside. */
function startsWithin(event: GhlCalendarEvent, start: number, end: number): boolean {
  const ms = Date.parse(event.startTime);
  return Number.isNaN(ms) || (ms >= start && ms < end);
}

/** A contact's notes (`GET /contacts/{id}/notes`, one call, unpaginated). */
export function contactNotes(
  ghl: GhlLocationClient,
  contactId: string,
  options: StreamCallOptions = {},
): Promise<GhlNote[]> {
  return ghl.listNotes(contactId, callOptions(options));
}
