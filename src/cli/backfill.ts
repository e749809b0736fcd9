/**
 * `ttsync backfill [contacts|tasks|notes|appointments] [options]`: with no phase, every phase
 * (contacts, then tasks, appointments and notes side by side); with one, that phase. Prints a
 * progress line at most once a second (and when a phase finishes) with the counts per phase,
 * the GHL calls made and still to make, and the time the GHL budget needs for them.
 */
import { parseArgs } from 'node:util';
import { Ttsync } from '../app.ts';
import type { Config } from '../config.ts';
import { BACKFILL_PHASES } from '../sync/backfill-run.ts';
import type { BackfillPhase, BackfillReport } from '../sync/backfill-run.ts';
import type { ChildPhaseProgress } from '../sync/backfill-phase.ts';
import { processLogger, progressLine } from './commands.ts';
import { stoppedExit, untilSignal } from './signals.ts';

export const BACKFILL_USAGE = `Usage: ttsync backfill [contacts|tasks|notes|appointments] [options]
  (no phase: all four; contacts first, then the others side by side)
  --restart               ignore checkpoints and start over (notes: read every contact again)
  --concurrency N         contacts synced at once (default 8)
  --page-size N           contacts per search page, 1..500 (default 500)
  --child-concurrency N   notes synced at once (default 16; tasks and appointments a quarter
                          of it beside notes: the notes' calls are the budget)
  --task-page-size N      tasks per location search page (default 100)
  --from DATE --to DATE   appointments starting in this range (default a year back to a year ahead)
  --window-days N         days one calendar-events call covers (default 31)`;

const DAY_MS = 86_400_000;

/** Runs the command (any phase but `contacts` alone, which `backfill` in commands.ts runs). */
export async function backfillPhases(config: Config, argv: string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if (typeof parsed === 'string') {
    console.error(`ttsync backfill: ${parsed}\n${BACKFILL_USAGE}`);
    return 2;
  }
  const logger = processLogger(config, 'ttsync-backfill');
  const app = await Ttsync.open({ config, logger });
  const stop = new AbortController();
  void untilSignal().then(() => stop.abort());
  let lastLine = 0;
  const finished = new Set<string>();
  try {
    const report = await app.backfillAll({
      ...parsed,
      signal: stop.signal,
      onProgress: (r) => {
        const newlyDone = Object.values(r.children).filter((p) => p.done && !finished.has(p.phase));
        for (const p of newlyDone) finished.add(p.phase);
        const now = Date.now();
        if (newlyDone.length === 0 && now - lastLine < 1000) return;
        lastLine = now;
        console.log(reportLine(r));
      },
    });
    console.log(`Backfill done in ${seconds(report.elapsedMs)}: ${report.calls} GHL calls`);
    if (report.contacts) console.log(`  contacts: ${progressLine(report.contacts)}`);
    for (const phase of BACKFILL_PHASES) {
      const child = phase === 'contacts' ? undefined : report.children[phase];
      if (child) console.log(`  ${childSummary(child)}`);
    }
    return 0;
  } catch (error) {
    return stoppedExit(
      stop.signal,
      error,
      'every finished page is checkpointed: run the same command to go on',
    );
  } finally {
    await app.close();
  }
}

/** One progress line: counts per phase, calls, and the estimate. */
export function reportLine(r: BackfillReport): string {
  const parts: string[] = [];
  if (r.contacts) {
    const total = r.contacts.total !== undefined ? `/${r.contacts.total}` : '';
    parts.push(`contacts ${r.contacts.contacts}${total}${r.contacts.resumed ? ' (resumed)' : ''}`);
  }
  const { tasks, appointments, notes } = r.children;
  if (tasks) parts.push(`tasks ${tasks.records} (${tasks.pages} pages${done(tasks)})`);
  if (appointments) {
    parts.push(
      `appointments ${appointments.records} (${appointments.pages} windows${done(appointments)})`,
    );
  }
  if (notes) {
    parts.push(
      `notes ${notes.records} from ${notes.contactsRead} contacts` +
        `${notes.contactsSkipped > 0 ? `, ${notes.contactsSkipped} not needed` : ''}${done(notes)}`,
    );
  }
  const budget = `${r.budget.max} per ${seconds(r.budget.windowMs)}`;
  // When Tenant Turner or the database, not GHL, sets the pace, say so with the pace seen.
  const pace = r.elapsedMs > 5_000 ? (r.calls * 1000) / r.elapsedMs : undefined;
  const budgetRate = (r.budget.max * 1000) / r.budget.windowMs;
  const slower =
    pace !== undefined && pace > 0 && pace < 0.8 * budgetRate && r.remainingCalls > 0
      ? `; at the pace so far (${pace.toFixed(1)} calls/s) ~${seconds((r.remainingCalls * 1000) / pace)}`
      : '';
  return (
    `[${seconds(r.elapsedMs)}] ${parts.join(' · ')} · GHL calls ${r.calls}, ` +
    `~${r.remainingCalls} to go: ~${seconds(r.etaMs)} at ${budget}${slower}`
  );
}

/** A finished phase: what happened to its children. */
export function childSummary(p: ChildPhaseProgress): string {
  const o = p.outcomes;
  const notes =
    p.phase === 'notes'
      ? ` (${p.contactsRead} contacts read, ${p.contactsSkipped} not needed)`
      : '';
  return (
    `${p.phase}: ${p.records} read${notes}${p.resumed ? ', resumed' : ''}, ${p.calls} GHL calls: ` +
    `${o.created} created, ${o.updated} updated, ${o.deleted} deleted, ` +
    `${o.not_applied} not applied, ${o.unchanged} unchanged, ${o.skipped} skipped, ` +
    `${o.no_lead} without a lead, ${o.failed} queued for retry`
  );
}

const done = (p: ChildPhaseProgress): string =>
  `${p.resumed ? ', resumed' : ''}${p.done ? ', done' : ''}`;

function seconds(ms: number): string {
  return ms >= 100_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

type Parsed = Parameters<Ttsync['backfillAll']>[0] & object;

/** The options, or what is wrong with them. */
function parseOptions(argv: string[]): Parsed | string {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        restart: { type: 'boolean' },
        concurrency: { type: 'string' },
        'page-size': { type: 'string' },
        'child-concurrency': { type: 'string' },
        'task-page-size': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'window-days': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (positionals.length > 1) return `one phase at most, got ${positionals.join(' ')}`;
  const phase = positionals[0];
  if (phase !== undefined && !BACKFILL_PHASES.includes(phase as BackfillPhase)) {
    return `unknown phase "${phase}" (contacts, tasks, notes or appointments)`;
  }
  const out: Parsed = phase ? { phases: [phase as BackfillPhase] } : {};
  if (values['restart']) out.restart = true;
  const ints: [string, number, number, (n: number) => void][] = [
    ['concurrency', 1, 256, (n) => (out.concurrency = n)],
    ['page-size', 1, 500, (n) => (out.pageLimit = n)],
    ['child-concurrency', 1, 256, (n) => (out.childConcurrency = n)],
    ['task-page-size', 1, 1000, (n) => (out.taskPageSize = n)],
    [
      'window-days',
      1,
      366,
      (n) => (out.appointments = { ...out.appointments, stepMs: n * DAY_MS }),
    ],
  ];
  for (const [name, min, max, set] of ints) {
    const raw = values[name];
    if (typeof raw !== 'string') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      return `--${name} must be a whole number from ${min} to ${max}, got "${raw}"`;
    }
    set(n);
  }
  for (const name of ['from', 'to'] as const) {
    const raw = values[name];
    if (typeof raw !== 'string') continue;
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) return `--${name} must be a date such as 2025-01-31, got "${raw}"`;
    out.appointments = { ...out.appointments, [name]: ms };
  }
  const range = out.appointments;
  if (range?.from !== undefined && range.to !== undefined && range.to <= range.from) {
    return '--to must be after --from';
  }
  return out;
}
