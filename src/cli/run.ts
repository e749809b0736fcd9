/**
 * Command dispatch for `ttsync`. Commands are thin wrappers over library functions; this module
 * and `bin/ttsync.ts` are the only places that decide exit codes.
 *
 * Each command's module (and the config's) is imported when that command runs, not up front:
 * the whole app takes about a second of CPU to load, which `ttsync --help`, the sandboxes and
 * the small commands need not pay.
 */
import { isMainThread } from 'node:worker_threads';
import { AppError } from '../shared/errors.ts';
import type { Config } from '../config.ts';
import type { StartDemo } from './start.ts';

/** Entry points the bin wires in from outside `src/` (the sandboxes). */
export interface CliHooks {
  sandbox: Record<string, (argv: string[]) => Promise<void>>;
  /** Starts both sandboxes for `ttsync start` without credentials. */
  startDemo?: StartDemo;
}

const USAGE = `ttsync: keeps HighLevel (GHL) and Tenant Turner in step.

Usage:
  ttsync start                       the main job: serve, sync, backfill contacts once
                                     (without credentials: against both sandboxes)
  ttsync serve [--port N] [--no-work]  webhook ingress, dispatcher and workers
  ttsync worker                      workers only (PostgreSQL mode, run as many as needed)
  ttsync backfill contacts [--restart] [--concurrency N]
                                     every GHL contact to Tenant Turner, resumable
  ttsync backfill [tasks|notes|appointments] [--restart] [--from DATE --to DATE]
                                     contacts with their tasks, notes and appointments (no
                                     phase: all), resumable; ttsync backfill --help for more
  ttsync poll contacts [--lookback-ms N] [--page-size N]
                                     GHL contacts changed since the last poll, once
  ttsync poll tasks [--page-size N] [--no-work]
                                     GHL tasks new or changed since last synced (no TaskUpdate
                                     event exists) to task-sync jobs, run until the queue is idle
  ttsync poll appointments [--lookback-ms N] [--days-back N] [--days-ahead N] [--no-work]
                                     GHL calendar events changed since the last poll, in a
                                     window around now, to appointment-sync jobs, run likewise
  ttsync poll tt [--page-size N]     Tenant Turner leads and showings changed since the last
                                     poll onto the timeline, and GHL entries to TT activities
  ttsync reconcile [--dry-run|--heal] [--max-unlink-share 0.05] [--show N] [--contacts-only]
                                     compare contacts, tasks, notes and appointments with
                                     Tenant Turner; --heal fixes the drift (docs/reconcile.md)
  ttsync migrate                     bring the database schema up to date
  ttsync timeline <email|contactId>  one person's timeline, oldest first (store only)
  ttsync jobs [--json]               the job queue: counts, and the dead jobs with their error
  ttsync jobs retry <id>|--all       put dead jobs back (after fixing what they say)
  ttsync jobs discard <id> --yes     drop a dead job and the change it carried
  ttsync connect ghl                 connect a GHL location through OAuth (GHL_CLIENT_ID …)
  ttsync sandbox ghl [options]       the GHL sandbox: --port N --seed S --contacts N
                                     --search-delay-ms N --rate-window-ms N
  ttsync sandbox tt [options]        the Tenant Turner sandbox: --port N --surface real|extended
                                     --seed S --rentals N --leads N --webhook-url U
  ttsync help                        this text

Configuration: environment variables, see docs/configuration.md.
Docs: README.md, docs/`;

/** Commands that run in a worker thread with a bounded heap (`bounded.ts`). */
const BATCH_COMMANDS = new Set(['backfill', 'reconcile', 'poll']);

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: string[], hooks: CliHooks): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && BATCH_COMMANDS.has(command) && isMainThread) {
    const bounded = await import('./bounded.ts');
    const heapMb = bounded.batchHeapMb();
    if (typeof heapMb !== 'number') {
      console.error(`ttsync: ${heapMb.error}`);
      return 2;
    }
    if (heapMb > 0) return bounded.runBounded(argv, heapMb);
  }
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return 0;
      case 'start':
        return await (await import('./start.ts')).start(await config(), hooks.startDemo);
      case 'serve':
        return await (await import('./commands.ts')).serve(await config(), rest);
      case 'worker':
        return await (await import('./commands.ts')).worker(await config());
      case 'migrate':
        return await (await import('./commands.ts')).migrate(await config());
      case 'timeline':
        return await (await import('./timeline.ts')).timeline(await config(), rest);
      case 'jobs':
        return await (await import('./jobs.ts')).jobs(await config(), rest);
      case 'connect':
        return await (await import('./commands.ts')).connect(await config(), rest);
      case 'backfill': {
        const phases = await import('./backfill.ts');
        if (rest.includes('--help') || rest.includes('-h')) {
          console.log(phases.BACKFILL_USAGE);
          return 0;
        }
        return rest[0] === 'contacts'
          ? await (await import('./commands.ts')).backfill(await config(), rest)
          : await phases.backfillPhases(await config(), rest);
      }
      case 'poll':
        return await (await import('./poll.ts')).poll(await config(), rest);
      case 'reconcile':
        return await (await import('./reconcile.ts')).reconcile(await config(), rest);
      case 'sandbox': {
        const [which, ...args] = rest;
        const run = which ? hooks.sandbox[which] : undefined;
        if (!run) {
          console.error(
            `Unknown sandbox "${which ?? ''}". Available: ${Object.keys(hooks.sandbox).join(', ')}.`,
          );
          return 2;
        }
        await run(args);
        return 0;
      }
      default:
        console.error(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof AppError) {
      console.error(`ttsync: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** The configuration from the environment (`src/config.ts`, loaded with the command). */
async function config(): Promise<Config> {
  return (await import('../config.ts')).loadConfig();
}
