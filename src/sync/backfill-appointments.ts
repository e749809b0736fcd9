/**
 * `ttsync backfill appointments`: every appointment of the location starting in a time range
 * (default one year back to one year ahead), read through `GET /calendars/` once and then
 * `GET /calendars/events` one calendar × window (default 31 days) at a time, so the calls depend
 * on calendars × range, not on contacts. Each appointment is synced by `syncAppointment` with
 * the event as read (no second read). Checkpoint: the calendar and window to read next, plus the
 * range itself, so a resume reads the same range even on a later day.
 */
import type { GhlCalendarEvent } from '../ghl/types.ts';
import { APPOINTMENT_SYNC_JOB, appointmentCoalesceKey } from './appointment-jobs.ts';
import type { AppointmentSyncPayload } from './appointment-jobs.ts';
import { appointmentFromEvent } from './appointment-mapping.ts';
import { syncAppointment } from './appointment-sync.ts';
import {
  DEFAULT_CHILD_CONCURRENCY,
  PhaseCheckpoint,
  READ_AHEAD,
  readAhead,
  snapshot,
  syncChildren,
} from './backfill-phase.ts';
import type { ChildItem, ChildPhaseOptions, ChildPhaseProgress } from './backfill-phase.ts';
import {
  DEFAULT_APPOINTMENT_STEP_MS,
  locationAppointmentWindows,
  locationCalendars,
  windowsPerCalendar,
} from './child-streams.ts';
import type { AppointmentPosition, AppointmentRange } from './child-streams.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

const DAY_MS = 86_400_000;

export interface AppointmentBackfillOptions extends ChildPhaseOptions {
  /** Appointments starting at or after this (epoch ms); default a year before now. */
  from?: number | undefined;
  /** Appointments starting before this (epoch ms); default a year after now. */
  to?: number | undefined;
  /** One calendar-events call covers this much; default 31 days. */
  stepMs?: number | undefined;
}

interface Position {
  range: Required<AppointmentRange>;
  next: AppointmentPosition | undefined;
}

/** The range of a fresh run. */
export function appointmentRange(
  now: number,
  options: Pick<AppointmentBackfillOptions, 'from' | 'to' | 'stepMs'>,
): Required<AppointmentRange> {
  const range = {
    start: options.from ?? now - 365 * DAY_MS,
    end: options.to ?? now + 365 * DAY_MS,
    stepMs: options.stepMs ?? DEFAULT_APPOINTMENT_STEP_MS,
  };
  if (!(range.end > range.start)) {
    throw new RangeError('the appointment range must end after it starts (--from before --to)');
  }
  if (!(range.stepMs > 0)) throw new RangeError('the appointment window must be positive');
  return range;
}

/** Runs (or resumes) the appointments phase; resolves with its final counts. */
export async function backfillAppointments(
  deps: ContactSyncDeps,
  options: AppointmentBackfillOptions,
): Promise<ChildPhaseProgress> {
  const { locationId, signal } = options;
  const started = deps.clock.now();
  const checkpoint = new PhaseCheckpoint<Position>(deps, 'appointments', locationId);
  const { position, progress } = await checkpoint.start('appointments', options);
  const range = position?.range ?? appointmentRange(started, options);
  const ghl = deps.ghl.location(locationId, 'backfill');
  const calendars = await locationCalendars(ghl, { lane: 'backfill', signal });
  progress.calls++;
  progress.remainingCalls = calendars.length * windowsPerCalendar(range);
  const source = locationAppointmentWindows(ghl, calendars, range, {
    lane: 'backfill',
    signal,
    from: position?.next,
  });
  const windows = options.gate
    ? readAhead(source, READ_AHEAD, (window) => window.events.length + 1)
    : source;
  // Windows are gathered until they hold enough appointments to keep the sync busy (a window
  // often holds a handful), then synced together and checkpointed after the last of them.
  const minBatch = 4 * DEFAULT_CHILD_CONCURRENCY;
  let items: ChildItem[] = [];
  let windowsInBatch = 0;
  const flush = async (next: AppointmentPosition | undefined, left: number): Promise<void> => {
    await options.gate;
    await syncChildren(deps, items, options, progress);
    progress.pages += windowsInBatch;
    progress.remainingCalls = left;
    progress.elapsedMs = deps.clock.now() - started;
    if (next) await checkpoint.save({ range, next }, progress);
    options.onProgress?.(snapshot(progress));
    items = [];
    windowsInBatch = 0;
  };
  for await (const window of windows) {
    progress.calls++;
    progress.records += window.events.length;
    windowsInBatch++;
    for (const event of window.events) {
      const item = appointmentItem(locationId, event, deps, signal);
      if (item) items.push(item);
      else progress.outcomes.skipped++;
    }
    if (items.length >= minBatch || window.next === undefined) {
      await flush(window.next, window.remainingCalls);
    }
  }
  await checkpoint.clear();
  progress.done = true;
  progress.remainingCalls = 0;
  progress.elapsedMs = deps.clock.now() - started;
  return progress;
}

/** The sync of one listed appointment, or undefined for one without a contact. */
function appointmentItem(
  locationId: string,
  event: GhlCalendarEvent,
  deps: ContactSyncDeps,
  signal: AbortSignal | undefined,
): ChildItem | undefined {
  if (!event.contactId) return undefined;
  const payload: AppointmentSyncPayload = {
    locationId,
    contactId: event.contactId,
    appointmentId: event.id,
    trigger: 'backfill',
    appointment: appointmentFromEvent(event),
  };
  return {
    contactId: event.contactId,
    sync: async () => (await syncAppointment(deps, payload, signal)).kind,
    retry: {
      name: APPOINTMENT_SYNC_JOB,
      payload,
      coalesceKey: appointmentCoalesceKey(event.id),
    },
  };
}
