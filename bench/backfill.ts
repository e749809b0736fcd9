/**
 * Backfill speed and memory (issue 4): `ttsync backfill contacts` as its own process against
 * both sandboxes (their own processes) with rate limits off, on SQLite (synchronous=FULL).
 * Prints contacts/s (target ≥ 1,000/s) and the backfill process's peak RSS (VmHWM; target
 * ≤ 256 MB, not growing with the count) for each contact count.
 *
 *   npm run bench:backfill                      # 10,000 and 100,000 contacts
 *   BENCH_COUNTS=2000,20000 npm run bench:backfill
 *   TTSYNC_BATCH_HEAP_MB=128 npm run bench:backfill   # the backfill worker's heap (default 160)
 *   TTSYNC_BATCH_HEAP_MB=0 BACKFILL_NODE_OPTIONS='--max-old-space-size=128' npm run bench:backfill
 *                                               # main thread, heap set by Node flags
 *
 * Children (issue 5; bench/support/backfill-children.ts): `ttsync backfill` of every phase for
 * contacts with 3 tasks, 2 notes and 1 appointment each, at the GHL sandbox's real limits with a
 * shortened window; prints GHL calls per contact, the share of the rate limit used and the 429s.
 *
 *   BENCH_CHILDREN=1 npm run bench:backfill     # 2,000 contacts, 100 calls per 1,000 ms window
 *   BENCH_CHILDREN=1 BENCH_CHILD_CONTACTS=500 BENCH_WINDOW_MS=2000 npm run bench:backfill
 *   BENCH_CHILDREN=1 BENCH_BACKFILL_ARGS='--child-concurrency 32' npm run bench:backfill
 *   BENCH_CHILDREN=1 BENCH_DATABASE=postgres npm run bench:backfill   # or SQLITE_SYNCHRONOUS=NORMAL
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  operatorJson,
  runTtsync,
  startGhlSandboxProcess,
  startTtSandboxProcess,
  ttsyncEnv,
} from '../test/support/processes.ts';
import { runChildrenScenario } from './support/backfill-children.ts';

const COUNTS = (process.env['BENCH_COUNTS'] ?? '10000,100000').split(',').map(Number);

/** Peak resident set of a live process, in MiB (Linux `VmHWM`). */
function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

if (process.env['BENCH_CHILDREN']) {
  await runChildrenScenario({
    contacts: Number(process.env['BENCH_CHILD_CONTACTS'] ?? 2000),
    windowMs: Number(process.env['BENCH_WINDOW_MS'] ?? 1000),
    args: (process.env['BENCH_BACKFILL_ARGS'] ?? '').split(' ').filter(Boolean),
    database: process.env['BENCH_DATABASE'] === 'postgres' ? 'postgres' : 'sqlite',
  });
} else {
  await contactsScenario();
}

async function contactsScenario(): Promise<void> {
  console.log('ttsync backfill contacts, rate limits off, SQLite synchronous=FULL, 500 per page');
  for (const count of COUNTS) {
    const [ghl, tt] = await Promise.all([
      startGhlSandboxProcess(['--contacts', String(count), '--search-delay-ms', '0']),
      startTtSandboxProcess(['--leads', '0', '--showings', '0']),
    ]);
    const dataDir = mkdtempSync(join(tmpdir(), 'ttsync-bench-backfill-'));
    try {
      await operatorJson(`${ghl.url}/__sandbox/rate-limit`, 'POST', { enabled: false });
      const run = runTtsync(
        ['backfill', 'contacts', '--concurrency', process.env['BENCH_CONCURRENCY'] ?? '16'],
        ttsyncEnv(ghl, tt, dataDir, {
          LOG_LEVEL: 'error',
          ...(process.env['BACKFILL_NODE_OPTIONS']
            ? { NODE_OPTIONS: process.env['BACKFILL_NODE_OPTIONS'] }
            : {}),
          GHL_RATE_LIMIT_MAX: '1000000000',
          ...(process.env['SQLITE_SYNCHRONOUS']
            ? { SQLITE_SYNCHRONOUS: process.env['SQLITE_SYNCHRONOUS'] }
            : {}),
        }),
      );
      let peak = 0;
      const sampler = setInterval(() => {
        const pid = run.child.pid;
        const rss = pid === undefined ? undefined : peakRssMiB(pid);
        if (rss !== undefined) peak = Math.max(peak, rss);
      }, 100);
      const started = performance.now();
      const code = await run.exited;
      clearInterval(sampler);
      const seconds = (performance.now() - started) / 1000;
      const done = /Backfill done: (\d+) of \d+ contacts \((\d+)\/s\)[^\n]*?: (\d+) created/.exec(
        run.output(),
      );
      if (code !== 0 || !done) throw new Error(`backfill failed (${code}):\n${run.output()}`);
      const contacts = Number(done[1]);
      console.log(
        `${String(count).padStart(7)} contacts: ${done[2]} contacts/s while backfilling, ` +
          `${(contacts / seconds).toFixed(0)}/s over ${seconds.toFixed(1)} s with process start, ` +
          `${done[3]} leads created, peak RSS ${peak.toFixed(0)} MiB`,
      );
    } finally {
      await Promise.all([ghl.process.stop(), tt.process.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
