/**
 * Incremental poll of GHL appointments by calendar window (issue 5): GHL drops a webhook that is
 * not answered in time, and `GET /calendars/events` is the only listing of appointments by time.
 * Each cycle reads the location's calendars (`GET /calendars/`), then every calendar's events in
 * a window around now (default 30 days back to 90 days ahead, in steps of at most 31 days), and
 * hands over those changed since the cursor as the `appointment-sync` job the webhooks produce
 * (same key and coalesce key; trigger `poll`; the job carries the event, as a webhook's does).
 *
 * Cursor (stream `poll:appointments:<locationId>`, helpers in poll-cursor.ts): the largest
 * `dateUpdated` seen, with the events at exactly that time as the tie-break set (`id:hash`, as
 * `dateUpdated` may have whole seconds and an event may change twice in one). An event is a
 * candidate when its `dateUpdated` is at or after the cursor minus a lookback and it is not in the
 * set; a candidate whose state hashes to what ttsync last synced is not handed over again. The
 * jobs and the new cursor commit in one transaction at the end of the cycle (the cursor spans
 * every calendar, so it cannot move per calendar): a crash before the commit repeats the cycle's
 * hand-over, which the queue coalesces and the sync's hash comparison makes a no-op.
 *
 * Cost per cycle: 1 + calendars × ⌈window ÷ step⌉ calls (5 calendars, 120 days in 31-day steps:
 * 21 calls). An appointment moved outside the window, or deleted, is not seen here: an empty or
 * short listing never deletes anything (AppointmentDelete and reconciliation own deletion).
 */
import type { GhlCalendarEvent } from '../ghl/types.ts';
import type { JobQueue } from '../queue/index.ts';
import { putCursor } from '../store/cursors.ts';
import type { Cursor } from '../store/cursors.ts';
import { APPOINTMENT_SYNC_JOB, appointmentCoalesceKey } from './appointment-jobs.ts';
import type { AppointmentSyncPayload } from './appointment-jobs.ts';
import type { AppointmentLike } from './appointment-mapping.ts';
import { appointmentFromEvent, appointmentHash, appointmentState } from './appointment-mapping.ts';
import { locationAppointmentWindows, locationCalendars } from './child-streams.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { personKey } from './jobs.ts';
import { advanceCursor, pollStart, seenAt, stampOf, startingCursor } from './poll-cursor.ts';
import type { Stamped } from './poll-cursor.ts';
import { alreadySynced, knownHashes } from './poll-known.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The default window: 30 days back, 90 days ahead, read 31 days per call. */
const DEFAULT_APPOINTMENT_WINDOW = { daysBack: 30, daysAhead: 90, stepDays: 31 };

/** Options of one appointment poll. */
export interface AppointmentPollOptions {
  locationId: string;
  /** Where the `appointment-sync` jobs go. */
  queue: JobQueue;
  /** How far behind the cursor to read again; default one minute. */
  lookbackMs?: number | undefined;
  /** Days before now the window starts; default 30. */
  daysBack?: number | undefined;
  /** Days after now the window ends; default 90. */
  daysAhead?: number | undefined;
  /** Days per `GET /calendars/events` call; default 31. */
  stepDays?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** What one appointment poll did. */
export interface AppointmentPollResult {
  locationId: string;
  /** The lower bound of `dateUpdated` read (epoch ms). */
  since: number;
  /** The window read (epoch ms). */
  window: { start: number; end: number };
  calendars: number;
  /** GHL calls made: the calendar list and one per calendar and window step. */
  calls: number;
  /** Events in the window (each once). */
  seen: number;
  /** Events at the cursor's time already in its tie-break set. */
  alreadySeen: number;
  /** Events changed before the cursor's lookback. */
  older: number;
  /** Changed events whose state is what ttsync last synced (or that were deleted). */
  unchanged: number;
  /** `appointment-sync` jobs enqueued: appointments ttsync never synced, and changed ones. */
  enqueued: { new: number; changed: number };
  /** Events without a contact (blocked slots): nothing to sync. */
  noContact: number;
  /** The cursor after the poll (epoch ms). */
  cursor: number | undefined;
}

/** The cursor stream of a location's appointment poll. */
export function appointmentPollStream(locationId: string): string {
  return `poll:appointments:${locationId}`;
}

/** Runs one poll of `locationId`'s calendars; resolves with what it handed over. */
export async function pollAppointments(
  deps: ContactSyncDeps,
  options: AppointmentPollOptions,
): Promise<AppointmentPollResult> {
  const { locationId, signal } = options;
  const window = windowOf(options, deps.clock.now());
  const stream = appointmentPollStream(locationId);
  const { cursor, startedAt, since } = await pollStart(deps, stream, options.lookbackMs);
  const ghl = deps.ghl.location(locationId, 'reconcile');
  const calls = { lane: 'reconcile' as const, signal };
  const calendars = await locationCalendars(ghl, calls);
  const range = { start: window.start, end: window.end, stepMs: window.stepMs };
  const events = new Map<string, GhlCalendarEvent>();
  let windows = 0;
  for await (const read of locationAppointmentWindows(ghl, calendars, range, calls)) {
    windows++;
    for (const event of read.events) events.set(event.id, event);
  }
  const result: AppointmentPollResult = {
    locationId,
    since,
    window: { start: window.start, end: window.end },
    calendars: calendars.length,
    calls: 1 + windows,
    seen: events.size,
    alreadySeen: 0,
    older: 0,
    unchanged: 0,
    enqueued: { new: 0, changed: 0 },
    noContact: 0,
    cursor: cursor ? Number(cursor.value) : undefined,
  };
  const reads = [...events.values()].map(readOf);
  const jobs = await changedSince(deps, locationId, reads, { cursor, since }, result);
  const stamps = reads.map((read) => read.stamp);
  const next = advanceCursor(cursor, stamps) ?? (cursor ? undefined : startingCursor(startedAt));
  if (jobs.length > 0 || next) {
    // Stopped (serve closing, Ctrl-C): the next poll reads the same events again.
    signal?.throwIfAborted();
    await deps.db.transaction().execute(async (trx) => {
      const batch = jobs.map((job) => ({
        name: APPOINTMENT_SYNC_JOB,
        payload: job,
        options: {
          key: personKey(job.locationId, job.contactId),
          coalesceKey: appointmentCoalesceKey(job.appointmentId),
        },
      }));
      await options.queue.enqueueMany(batch, { transaction: trx });
      if (next) await putCursor(trx, stream, next, deps.clock.now());
    });
  }
  if (next) result.cursor = Number(next.value);
  return result;
}

/** An event as the poll compares it. */
interface Read {
  event: GhlCalendarEvent;
  appointment: AppointmentLike;
  /** The hash the sync compares, when the event's state is readable. */
  hash: string | undefined;
  /**
   * Its id in the tie-break set, with its hash: GHL's `dateUpdated` may have whole seconds, so a
   * second change within the same second must not look already seen.
   */
  stamp: Stamped;
}

function readOf(event: GhlCalendarEvent): Read {
  const appointment = appointmentFromEvent(event);
  const state = appointmentState(appointment);
  const hash = typeof state === 'string' ? undefined : appointmentHash(state);
  const id = `${event.id}:${hash?.slice(0, 16) ?? '-'}`;
  return { event, appointment, hash, stamp: { id, ms: stampOf(event.dateUpdated) } };
}

/** The `appointment-sync` jobs for the events changed since the cursor; counts the rest. */
async function changedSince(
  deps: ContactSyncDeps,
  locationId: string,
  reads: readonly Read[],
  from: { cursor: Cursor | undefined; since: number },
  result: AppointmentPollResult,
): Promise<AppointmentSyncPayload[]> {
  const candidates: Read[] = [];
  for (const read of reads) {
    const { ms } = read.stamp;
    if (!read.event.contactId) result.noContact++;
    else if (seenAt(from.cursor, read.stamp)) result.alreadySeen++;
    else if (ms !== undefined && ms < from.since) result.older++;
    else candidates.push(read);
  }
  const known = await knownHashes(
    deps.db,
    'appointment',
    locationId,
    candidates.map((read) => read.event.id),
  );
  const jobs: AppointmentSyncPayload[] = [];
  for (const { event, appointment, hash } of candidates) {
    const seen = known.get(event.id);
    if (hash !== undefined && alreadySynced(seen, hash)) {
      result.unchanged++;
      continue;
    }
    if (seen?.hash === undefined) result.enqueued.new++;
    else result.enqueued.changed++;
    jobs.push({
      locationId,
      contactId: event.contactId,
      appointmentId: event.id,
      trigger: 'poll',
      appointment,
    });
  }
  return jobs;
}

/** The window around `now`, checked. */
function windowOf(
  options: AppointmentPollOptions,
  now: number,
): { start: number; end: number; stepMs: number } {
  const daysBack = options.daysBack ?? DEFAULT_APPOINTMENT_WINDOW.daysBack;
  const daysAhead = options.daysAhead ?? DEFAULT_APPOINTMENT_WINDOW.daysAhead;
  const stepDays = options.stepDays ?? DEFAULT_APPOINTMENT_WINDOW.stepDays;
  if (!(daysBack >= 0 && daysAhead >= 0 && daysBack + daysAhead > 0 && stepDays > 0)) {
    throw new RangeError(
      `appointment poll window needs days back and ahead ≥ 0 (not both 0) and a step > 0; got ${daysBack}, ${daysAhead}, ${stepDays}`,
    );
  }
  return {
    start: now - daysBack * DAY_MS,
    end: now + daysAhead * DAY_MS,
    stepMs: stepDays * DAY_MS,
  };
}
