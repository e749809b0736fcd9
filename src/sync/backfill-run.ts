/**
 * `ttsync backfill` (every phase) or one phase: contacts first (their leads are what the
 * children attach to), then tasks, appointments and notes side by side. The three child phases
 * share the location's GHL budget through the client's limiter, so running them together keeps
 * the limiter, not one phase's Tenant Turner writes, the bottleneck. While the contacts phase
 * runs (one GHL call per 500 contacts), the budget is spent reading ahead: task pages, calendar
 * windows and the notes of the contacts already committed; nothing of it is written before the
 * contacts are done. Every phase has its own checkpoint; a rerun resumes each where it stopped.
 *
 * The estimate: GHL calls still to make (per phase, as far as known) times the budget's
 * window over its size (100 calls per 10 s by default).
 */
import type { JobQueue } from '../queue/index.ts';
import { backfillAppointments, appointmentRange } from './backfill-appointments.ts';
import type { AppointmentBackfillOptions } from './backfill-appointments.ts';
import { NotePrefetch, backfillNotes } from './backfill-notes.ts';
import { backfillTasks } from './backfill-tasks.ts';
import { DEFAULT_CHILD_CONCURRENCY } from './backfill-phase.ts';
import type { ChildPhase, ChildPhaseProgress } from './backfill-phase.ts';
import { backfillContacts } from './backfill.ts';
import type { BackfillProgress } from './backfill.ts';
import { windowsPerCalendar } from './child-streams.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

export type BackfillPhase = 'contacts' | ChildPhase;

/** Every phase, in the order they start. */
export const BACKFILL_PHASES: readonly BackfillPhase[] = [
  'contacts',
  'tasks',
  'appointments',
  'notes',
];

export interface FullBackfillOptions {
  locationId: string;
  /** The phases to run; default all. */
  phases?: readonly BackfillPhase[] | undefined;
  queue?: JobQueue | undefined;
  /** Ignore every checkpoint (and what earlier notes passes read). */
  restart?: boolean | undefined;
  /** Contacts synced at once within a page; default 8. */
  concurrency?: number | undefined;
  /** Children synced at once per phase (beside notes, tasks and appointments a quarter); 16. */
  childConcurrency?: number | undefined;
  /** Contacts per search page; default 500. */
  pageLimit?: number | undefined;
  /** Tasks per search page; default 100. */
  taskPageSize?: number | undefined;
  appointments?: Pick<AppointmentBackfillOptions, 'from' | 'to' | 'stepMs'> | undefined;
  onProgress?: ((report: BackfillReport) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** Where the whole backfill stands. */
export interface BackfillReport {
  locationId: string;
  contacts: BackfillProgress | undefined;
  children: Partial<Record<ChildPhase, ChildPhaseProgress>>;
  /** GHL calls made by the phases so far. */
  calls: number;
  /** GHL calls still to make, as far as known. */
  remainingCalls: number;
  /** Time the budget needs for them. */
  etaMs: number;
  budget: { max: number; windowMs: number };
  elapsedMs: number;
}

/** Runs the chosen phases; resolves with the final report. */
export async function runBackfill(
  deps: ContactSyncDeps,
  options: FullBackfillOptions,
): Promise<BackfillReport> {
  const phases = new Set(options.phases ?? BACKFILL_PHASES);
  const { locationId } = options;
  const started = deps.clock.now();
  const report: BackfillReport = {
    locationId,
    contacts: undefined,
    children: {},
    calls: 0,
    remainingCalls: 0,
    etaMs: 0,
    budget: { max: 100, windowMs: 10_000 },
    elapsedMs: 0,
  };
  const pageLimit = options.pageLimit ?? 500;
  const estimate = (): BackfillReport => {
    const contacts = report.contacts;
    const total = contacts?.total;
    let calls = contacts ? contacts.pages : 0;
    let remaining = 0;
    if (phases.has('contacts') && contacts === undefined) remaining += 1;
    if (contacts && total !== undefined) {
      remaining += Math.ceil(Math.max(0, total - contacts.contacts) / pageLimit);
    }
    for (const phase of ['tasks', 'appointments', 'notes'] as const) {
      if (!phases.has(phase)) continue;
      const child = report.children[phase];
      calls += child?.calls ?? 0;
      remaining += child ? child.remainingCalls : firstEstimate(phase, total, options, started);
    }
    // The limiter's view: the configured budget, lowered by what GHL's headers say.
    const budget = deps.ghl.limiter.budget(locationId);
    report.budget = { max: budget.max, windowMs: budget.windowMs };
    report.calls = calls;
    report.remainingCalls = remaining;
    report.etaMs = (remaining * report.budget.windowMs) / Math.max(1, report.budget.max);
    report.elapsedMs = deps.clock.now() - started;
    return { ...report, children: { ...report.children } };
  };
  const emit = (): void => options.onProgress?.(estimate());
  const common = {
    locationId,
    queue: options.queue,
    restart: options.restart,
    signal: options.signal,
  };
  // A child phase failing stops the other child phases at their next child (each keeps its
  // checkpoint); the contacts phase runs on.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const prefetch =
    phases.has('contacts') && phases.has('notes')
      ? new NotePrefetch(deps, { locationId, restart: options.restart, signal })
      : undefined;
  const contacts = phases.has('contacts')
    ? backfillContacts(deps, {
        ...common,
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        pageLimit,
        onPage: (ids) => prefetch?.offer(ids),
        onProgress: (progress) => {
          report.contacts = progress;
          emit();
        },
      }).then((progress) => {
        report.contacts = progress;
        emit();
      })
    : Promise.resolve();
  // Tasks and appointments start with the contacts and read ahead; they sync after them. The
  // notes phase makes nearly every call (one per contact), so while it runs it gets most of the
  // concurrency: the few calls of tasks and appointments leave them time to spare, and their
  // writes must not crowd out the notes' and leave the GHL budget idle. Once the notes are
  // done, tasks and appointments take the full width.
  const width = options.childConcurrency ?? DEFAULT_CHILD_CONCURRENCY;
  let notesRunning = phases.has('notes');
  const child = {
    ...common,
    signal,
    concurrency: () => (notesRunning ? Math.max(2, Math.ceil(width / 4)) : width),
    gate: contacts,
    onProgress: (progress: ChildPhaseProgress) => {
      report.children[progress.phase] = progress;
      emit();
    },
  };
  const runs: Promise<ChildPhaseProgress>[] = [];
  if (phases.has('tasks')) {
    runs.push(backfillTasks(deps, { ...child, pageSize: options.taskPageSize }));
  }
  if (phases.has('appointments')) {
    runs.push(backfillAppointments(deps, { ...child, ...options.appointments }));
  }
  if (phases.has('notes')) {
    const notes = contacts
      .then(() => backfillNotes(deps, { ...child, concurrency: width, prefetch }))
      .finally(() => (notesRunning = false));
    runs.push(notes);
  }
  const done = runs.map((run) =>
    run.then(
      (progress) => {
        report.children[progress.phase] = progress;
        emit();
      },
      (error: unknown) => {
        stop.abort(error);
        throw error;
      },
    ),
  );
  const results = await Promise.allSettled([contacts, ...done]);
  prefetch?.stop();
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return estimate();
}

/** A child phase's calls before it has started: what is known from the contacts and range. */
function firstEstimate(
  phase: ChildPhase,
  contacts: number | undefined,
  options: FullBackfillOptions,
  now: number,
): number {
  if (phase === 'tasks') return 1;
  if (phase === 'notes') return contacts ?? 0;
  // At least one calendar: the calendar list plus its windows.
  return 1 + windowsPerCalendar(appointmentRange(now, options.appointments ?? {}));
}
