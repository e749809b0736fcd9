/**
 * The children scenario of `bench/backfill.ts` (issue 5): `ttsync backfill` (every phase) as its
 * own process against both sandboxes (their own processes), the GHL sandbox with its real
 * limits (100 requests per window) at a shortened window, and ttsync's limiter told the same.
 * Seeds contacts with 3 tasks, 2 notes and 1 appointment each through the sandbox's operator
 * endpoints (not rate limited), then prints, from the GHL sandbox's own traffic counters:
 * the GHL calls per contact (target ≤ 1.1), the share of the rate limit used while the backfill
 * runs (calls / (duration × limit / window), target ≥ 90%), the 429s (target 0), the calls per
 * endpoint, and the durations; and checks every seeded record reached Tenant Turner once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { operatorJson, runTtsync, ttsyncEnv } from '../../test/support/processes.ts';
import {
  ghlApiTraffic,
  seedContactsWithChildren,
  startBackfillSandboxes,
} from '../../test/support/backfill-children-seed.ts';

export interface ChildrenScenario {
  contacts: number;
  /** The sandbox's (and ttsync's) burst window, ms. */
  windowMs: number;
  /** ttsync backfill arguments after `backfill`. */
  args: string[];
  /** `sqlite` (default; SQLITE_SYNCHRONOUS from the environment) or a fresh PostgreSQL database. */
  database: 'sqlite' | 'postgres';
}

const PG_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh PostgreSQL database for one run: its URL and how to drop it. */
async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ttsync_bench_children_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

const CHILDREN = { tasks: 3, notes: 2, appointments: 1 };

/** Runs the scenario and prints its figures; throws when the run or the Tenant Turner check fails. */
export async function runChildrenScenario(scenario: ChildrenScenario): Promise<void> {
  const { contacts, windowMs } = scenario;
  const [ghl, tt] = await startBackfillSandboxes(windowMs);
  const dataDir = mkdtempSync(join(tmpdir(), 'ttsync-bench-children-'));
  const postgres = scenario.database === 'postgres' ? await freshPostgres() : undefined;
  try {
    const seedStarted = performance.now();
    const seeded = await seedContactsWithChildren(ghl.url, tt.url, contacts, CHILDREN, {
      width: 32,
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const { rateLimit } = await operatorJson<{ rateLimit: { max: number; windowMs: number } }>(
      `${ghl.url}/__sandbox/stats`,
    );
    console.log(
      `ttsync backfill (all phases): ${contacts} contacts × ${CHILDREN.tasks} tasks, ` +
        `${CHILDREN.notes} notes, ${CHILDREN.appointments} appointment (seeded in ` +
        `${seedSeconds.toFixed(1)} s); GHL sandbox limit ${rateLimit.max} per ` +
        `${rateLimit.windowMs} ms, Tenant Turner extended surface, ` +
        (postgres
          ? 'PostgreSQL'
          : `SQLite synchronous=${process.env['SQLITE_SYNCHRONOUS'] ?? 'FULL'}`),
    );
    const before = await ghlApiTraffic(ghl.url);
    const run = runTtsync(
      ['backfill', ...scenario.args],
      ttsyncEnv(ghl, tt, dataDir, {
        LOG_LEVEL: 'error',
        GHL_RATE_LIMIT_WINDOW_MS: String(windowMs),
        GHL_RATE_LIMIT_MAX: String(rateLimit.max),
        ...(postgres ? { DATABASE_URL: postgres.url } : {}),
        ...(process.env['SQLITE_SYNCHRONOUS']
          ? { SQLITE_SYNCHRONOUS: process.env['SQLITE_SYNCHRONOUS'] }
          : {}),
        // For profiling: BENCH_TTSYNC_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
        ...(process.env['BENCH_TTSYNC_NODE_OPTIONS']
          ? { NODE_OPTIONS: process.env['BENCH_TTSYNC_NODE_OPTIONS'] }
          : {}),
      }),
    );
    const started = performance.now();
    const code = await run.exited;
    const processSeconds = (performance.now() - started) / 1000;
    const output = run.output();
    const done = /Backfill done in ([\d.]+) s: (\d+) GHL calls/.exec(output);
    if (code !== 0 || !done) throw new Error(`backfill failed (${code}):\n${output}`);
    const after = await ghlApiTraffic(ghl.url);
    const calls = after.calls - before.calls;
    const limited = after.limited - before.limited;
    const backfillSeconds = Number(done[1]);
    const perSecond = rateLimit.max / (rateLimit.windowMs / 1000);
    const share = (seconds: number): string =>
      `${((100 * calls) / (seconds * perSecond)).toFixed(1)}%`;
    const progress = output.split('\n').filter((line) => line.startsWith('['));
    for (const line of [progress[0], progress[Math.floor(progress.length / 2)], progress.at(-1)])
      if (line) console.log(`  ${line}`);
    for (const line of output.split('\n').filter((l) => /^Backfill done|^ {2}\w+: /.test(l)))
      console.log(`  ${line}`);
    const byRoute = Object.entries(after.byRoute)
      .map(([route, n]) => [route, n - (before.byRoute[route] ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .map(([route, n]) => `${route} ${n}`);
    console.log(`  GHL calls by endpoint (sandbox counters): ${byRoute.join(', ')}`);
    console.log(
      `  ${calls} GHL calls for ${contacts} contacts: ${(calls / contacts).toFixed(3)} per contact; ` +
        `${limited} × 429; rate limit used ${share(backfillSeconds)} over the backfill's ` +
        `${backfillSeconds.toFixed(1)} s (${share(processSeconds)} over the process's ` +
        `${processSeconds.toFixed(1)} s with start-up and shutdown)`,
    );
    await checkTenantTurner(tt.url, seeded);
  } finally {
    await Promise.all([ghl.process.stop(), tt.process.stop()]);
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Every seeded record is in Tenant Turner exactly once; prints the counts. */
async function checkTenantTurner(
  ttUrl: string,
  seeded: Awaited<ReturnType<typeof seedContactsWithChildren>>,
): Promise<void> {
  const state = await operatorJson<Record<string, { ExternalId: string | null }[]>>(
    `${ttUrl}/__sandbox/state`,
  );
  const expected: [string, string[]][] = [
    ['leads', seeded.contactIds],
    ['tasks', seeded.taskIds],
    ['notes', seeded.noteIds],
    ['showings', seeded.appointmentIds],
  ];
  const parts: string[] = [];
  for (const [kind, ids] of expected) {
    const records = state[kind] ?? [];
    const external = new Set(records.map((r) => r.ExternalId));
    const wanted = new Set(ids);
    const missing = ids.filter((id) => !external.has(id)).length;
    const extra =
      records.length - external.size + [...external].filter((id) => !wanted.has(id ?? '')).length;
    parts.push(`${kind} ${records.length}/${ids.length}`);
    if (missing > 0 || extra > 0) {
      throw new Error(`Tenant Turner ${kind}: ${missing} missing, ${extra} duplicate or extra`);
    }
  }
  console.log(`  Tenant Turner (extended) has each seeded record once: ${parts.join(', ')}`);
}
