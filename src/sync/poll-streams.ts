/**
 * The GHL polls `ttsync serve` runs: one poller per stream (contacts, tasks, appointments), each
 * with its own minimum interval (`0` turns a stream off) and an equal slice of the share of the
 * location's GHL budget that polls may use (poll-budget.ts), so a stream whose cycle costs many
 * calls (a large location's task scan) waits longer than its minimum. See docs/sync.md, "Polls".
 */
import type { JobQueue } from '../queue/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { pollAppointments } from './appointment-poll.ts';
import { startContactPoller } from './contact-poller.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import type { PollBudget } from './poll-budget.ts';
import { startPollLoop } from './poll-loop.ts';
import type { Poller } from './poll-loop.ts';
import { pollTasks } from './task-poll.ts';

/** The settings of the polls (config: TTSYNC_*POLL*). */
export interface PollSettings {
  /** Minimum pause between contact polls; 0: off. */
  contactsIntervalMs: number;
  /** Minimum pause between task scans; 0: off. */
  tasksIntervalMs: number;
  /** Minimum pause between appointment polls; 0: off. */
  appointmentsIntervalMs: number;
  /** Share of the location's sustained GHL rate all polls together may use, in (0, 1]. */
  budgetShare: number;
  appointmentDaysBack: number;
  appointmentDaysAhead: number;
}

/** Starts the enabled pollers; `stop()` stops them all. */
export function startPollers(
  deps: ContactSyncDeps,
  options: {
    locationId: string;
    queue: JobQueue;
    clock: Clock;
    logger: Logger;
    settings: PollSettings;
  },
): Poller {
  const { locationId, queue, clock, logger, settings } = options;
  const enabled = [
    settings.contactsIntervalMs,
    settings.tasksIntervalMs,
    settings.appointmentsIntervalMs,
  ].filter((ms) => ms > 0).length;
  const budget: PollBudget = {
    source: deps.ghl.limiter,
    share: settings.budgetShare / Math.max(1, enabled),
  };
  const common = { locationId, clock, budget, db: deps.db };
  const pollers: Poller[] = [];
  if (settings.contactsIntervalMs > 0) {
    pollers.push(
      startContactPoller(deps, {
        ...common,
        intervalMs: settings.contactsIntervalMs,
        logger: logger.child({ stream: 'contacts' }),
        queue,
      }),
    );
  }
  if (settings.tasksIntervalMs > 0) {
    pollers.push(
      startPollLoop({
        ...common,
        stream: 'tasks',
        intervalMs: settings.tasksIntervalMs,
        logger: logger.child({ stream: 'tasks' }),
        cycle: (signal) => pollTasks(deps, { locationId, queue, signal }),
        report: (r) => ({
          calls: r.calls,
          busy: r.enqueued.new + r.enqueued.changed > 0,
          fields: { seen: r.seen, ...r.enqueued, unchanged: r.unchanged, pending: r.pending },
        }),
      }),
    );
  }
  if (settings.appointmentsIntervalMs > 0) {
    pollers.push(
      startPollLoop({
        ...common,
        stream: 'appointments',
        intervalMs: settings.appointmentsIntervalMs,
        logger: logger.child({ stream: 'appointments' }),
        cycle: (signal) =>
          pollAppointments(deps, {
            locationId,
            queue,
            signal,
            daysBack: settings.appointmentDaysBack,
            daysAhead: settings.appointmentDaysAhead,
          }),
        report: (r) => ({
          calls: r.calls,
          busy: r.enqueued.new + r.enqueued.changed > 0,
          fields: { seen: r.seen, calendars: r.calendars, ...r.enqueued, cursor: r.cursor },
        }),
      }),
    );
  }
  return {
    async stop() {
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };
}
