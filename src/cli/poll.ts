/**
 * `ttsync poll contacts|tasks|appointments`: one incremental poll of a GHL stream, printing what
 * it found and did (docs/sync.md, "Polls").
 * - contacts [--lookback-ms N] [--page-size 1..500]: the contacts changed since the last poll (the
 *   first one looks back from now), synced to Tenant Turner here; a contact that fails is handed
 *   to the job queue, as in a backfill.
 * - tasks [--page-size N] [--no-work]: every task of the location compared with what ttsync last
 *   synced; the new and changed ones become `task-sync` jobs.
 * - appointments [--lookback-ms N] [--days-back N] [--days-ahead N] [--no-work]: calendar events
 *   in the window changed since the last poll become `appointment-sync` jobs.
 * The jobs are run here until the queue is idle, unless `--no-work` leaves them to
 * `ttsync serve` or `ttsync worker`.
 * - tt [--page-size 1..100] [--lookback-ms N]: Tenant Turner leads and showings onto the
 *   timeline, then GHL-side entries to Tenant Turner activities (`poll-tt.ts`).
 */
import { parseArgs } from 'node:util';
import { Ttsync } from '../app.ts';
import type { Config } from '../config.ts';
import type { JobCounts } from '../queue/index.ts';
import { pollAppointments } from '../sync/appointment-poll.ts';
import type { AppointmentPollResult } from '../sync/appointment-poll.ts';
import { pollContacts } from '../sync/contact-poll.ts';
import type { PollResult } from '../sync/contact-poll.ts';
import { drainQueue } from '../sync/poll-drain.ts';
import { pollLockName, underPollLock } from '../sync/poll-lock.ts';
import { pollTasks } from '../sync/task-poll.ts';
import type { TaskPollResult } from '../sync/task-poll.ts';
import { processLogger } from './commands.ts';
import { pollTt } from './poll-tt.ts';
import { stoppedExit, untilSignal } from './signals.ts';

const USAGE = `Usage: ttsync poll contacts [--lookback-ms N] [--page-size 1..500]
       ttsync poll tasks [--page-size N] [--no-work]
       ttsync poll appointments [--lookback-ms N] [--days-back N] [--days-ahead N] [--no-work]
       ttsync poll tt [--page-size 1..100] [--lookback-ms N]`;

const NUMERIC = ['lookback-ms', 'page-size', 'days-back', 'days-ahead'] as const;

const ALLOWED: Record<string, readonly string[]> = {
  contacts: ['lookback-ms', 'page-size'],
  tasks: ['page-size', 'no-work'],
  appointments: ['lookback-ms', 'days-back', 'days-ahead', 'no-work'],
};

/** Runs the command; resolves with the exit code. */
export async function poll(config: Config, argv: string[]): Promise<number> {
  if (argv[0] === 'tt') return pollTt(config, argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'lookback-ms': { type: 'string' },
      'page-size': { type: 'string' },
      'days-back': { type: 'string' },
      'days-ahead': { type: 'string' },
      'no-work': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const stream = positionals[0] ?? '';
  const allowed = ALLOWED[stream];
  if (!allowed || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const misplaced = Object.keys(values).filter((name) => !allowed.includes(name));
  if (misplaced.length > 0) {
    console.error(`ttsync: poll ${stream} takes no --${misplaced.join(', --')}.\n${USAGE}`);
    return 2;
  }
  const numbers: Partial<Record<(typeof NUMERIC)[number], number>> = {};
  for (const name of NUMERIC) {
    const value = values[name];
    if (value === undefined) continue;
    if (!/^\d+$/.test(value)) {
      console.error(`ttsync: --${name} takes a whole number, got "${value}".\n${USAGE}`);
      return 2;
    }
    numbers[name] = Number(value);
  }
  const logger = processLogger(config, 'ttsync-poll');
  const app = await Ttsync.open({ config, logger });
  const stop = new AbortController();
  void untilSignal().then(() => stop.abort());
  const signal = stop.signal;
  const { locationId, queue } = app;
  const locked = <T>(cycle: () => Promise<T>): Promise<T> =>
    underPollLock(app.store.db, pollLockName(stream, locationId), cycle);
  try {
    if (stream === 'contacts') {
      const result = await locked(() =>
        pollContacts(app.deps, {
          locationId,
          queue,
          signal,
          ...(numbers['lookback-ms'] !== undefined ? { lookbackMs: numbers['lookback-ms'] } : {}),
          ...(numbers['page-size'] !== undefined ? { pageLimit: numbers['page-size'] } : {}),
        }),
      );
      console.log(pollLine(result));
      return 0;
    }
    if (stream === 'tasks') {
      const result = await locked(() =>
        pollTasks(app.deps, {
          locationId,
          queue,
          signal,
          ...(numbers['page-size'] !== undefined ? { pageSize: numbers['page-size'] } : {}),
        }),
      );
      console.log(taskPollLine(result));
    } else {
      const result = await locked(() =>
        pollAppointments(app.deps, {
          locationId,
          queue,
          signal,
          lookbackMs: numbers['lookback-ms'],
          daysBack: numbers['days-back'] ?? config.TTSYNC_APPOINTMENT_POLL_DAYS_BACK,
          daysAhead: numbers['days-ahead'] ?? config.TTSYNC_APPOINTMENT_POLL_DAYS_AHEAD,
        }),
      );
      console.log(appointmentPollLine(result));
    }
    if (values['no-work']) {
      console.log('Jobs left to `ttsync serve` or `ttsync worker` (--no-work).');
      return 0;
    }
    const counts = await drainQueue(queue, app.deps.clock, {
      signal,
      onProgress: (c) => console.log(`Running jobs: ${countsLine(c)}`),
    });
    console.log(`Queue idle: ${countsLine(counts)}`);
    return 0;
  } catch (error) {
    return stoppedExit(
      stop.signal,
      error,
      'each page that finished is kept with its cursor: run it again to go on',
    );
  } finally {
    await app.close();
  }
}

/** One line saying what a contact poll did. */
export function pollLine(r: PollResult): string {
  const o = r.outcomes;
  const cursor = r.cursor === undefined ? 'none yet' : new Date(r.cursor).toISOString();
  return (
    `Polled contacts updated since ${new Date(r.since).toISOString()}: ${r.seen} found ` +
    `(${r.alreadySeen} already seen) on ${plural(r.pages, 'page')}: ` +
    `${o.created} created, ${o.linked_existing} linked, ${o.updated} updated, ` +
    `${o.not_applied} not applied, ${o.unchanged} unchanged, ${o.unlinked} unlinked, ` +
    `${o.skipped} skipped, ${o.failed} queued for retry; cursor ${cursor}`
  );
}

/** One line saying what a task poll did. */
export function taskPollLine(r: TaskPollResult): string {
  return (
    `Scanned ${plural(r.seen, 'task')} on ${plural(r.pages, 'page')} (${plural(r.calls, 'GHL call')}): ` +
    `${r.unchanged} unchanged, ${r.alreadyQueued} already queued, ` +
    `${r.enqueued.new} new and ${r.enqueued.changed} changed handed to the queue (task-sync), ` +
    `${r.noContact} without a contact; ${r.pending} awaiting sync`
  );
}

/** One line saying what an appointment poll did. */
export function appointmentPollLine(r: AppointmentPollResult): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const cursor = r.cursor === undefined ? 'none yet' : iso(r.cursor);
  return (
    `Polled appointments updated since ${iso(r.since)} on ${plural(r.calendars, 'calendar')}, ` +
    `${iso(r.window.start).slice(0, 10)} to ${iso(r.window.end).slice(0, 10)} ` +
    `(${plural(r.calls, 'GHL call')}): ${r.seen} found, ${r.alreadySeen} already seen, ` +
    `${r.older} changed earlier, ${r.unchanged} unchanged, ` +
    `${r.enqueued.new} new and ${r.enqueued.changed} changed handed to the queue ` +
    `(appointment-sync), ${r.noContact} without a contact; cursor ${cursor}`
  );
}

function countsLine(c: JobCounts): string {
  return `${c.waiting} waiting, ${c.active} running, ${c.retrying} retrying, ${c.delayed} delayed, ${c.dead} dead`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
