/**
 * Webhook ingest (issue 4): signed GHL events driven at `ttsync serve --no-work` from a load
 * generator in another process (50 keep-alive connections), on SQLite (synchronous=FULL: a 200
 * means committed and fsynced) and on PostgreSQL, next to a bare floor in the same run: plain
 * node:http, Ed25519 verify, one SQLite insert per event with the same durability. Prints
 * verified-and-stored webhooks/s, ack p50/p99, and ttsync's rate as a share of the floor
 * (targets on SQLite: ≥ 0.8 of the floor, p99 ≤ 25 ms).
 *
 * The load generator is wrk (C; Debian package `wrk`) when it is installed, else a Node one
 * (bench/support/webhook-load.ts). The same load against a server that answers at once, with
 * no work, shows what the generator itself adds to every figure: the Node generator alone has
 * an ack p99 of 15-25 ms on a 2-core machine, so it cannot show a server's 25 ms.
 *
 *   npm run bench:ingest                        # 20,000 events per target
 *   BENCH_EVENTS=5000 npm run bench:ingest
 *   BENCH_GENERATOR=node npm run bench:ingest   # or wrk
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { runTtsync } from '../test/support/processes.ts';
import type { RunningProcess } from '../test/support/processes.ts';
import { signedEvents } from './support/signed-events.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** Events sent to each target before the measured ones (JIT, heap sizing, connections). */
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 2_000);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
/** Which targets to run besides the floor: `sqlite`, `pg` (default both). */
const TARGETS = new Set((process.env['BENCH_TARGETS'] ?? 'sqlite,pg').split(','));
const PG_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const WRK_FOUND = spawnSync('wrk', ['--version']).error === undefined;
const GENERATOR = process.env['BENCH_GENERATOR'] ?? (WRK_FOUND ? 'wrk' : 'node');
if (GENERATOR !== 'wrk' && GENERATOR !== 'node') {
  throw new Error(`BENCH_GENERATOR must be wrk or node, got "${GENERATOR}"`);
}
if (GENERATOR === 'wrk' && !WRK_FOUND) {
  throw new Error('BENCH_GENERATOR=wrk, but wrk is not installed (Debian: apt-get install wrk)');
}

const keys = generateKeyPairSync('ed25519');
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const b64 = (text: string): string => Buffer.from(text).toString('base64');

interface Load {
  count: number;
  failures: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function node(args: string[]): RunningProcess {
  return wrapped(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
}

function wrapped(child: ReturnType<typeof spawn>): RunningProcess {
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    output: () => text,
    exited,
    waitFor: async (pattern) => {
      for (;;) {
        const match = text.match(pattern);
        if (match) return match;
        if (child.exitCode !== null) throw new Error(`exited:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function drive(url: string, count: number): Promise<Load> {
  const load =
    GENERATOR === 'wrk'
      ? wrk(url, count)
      : node([
          'bench/support/webhook-load.ts',
          url,
          String(count),
          String(CONNECTIONS),
          b64(privatePem),
        ]);
  const code = await load.exited;
  const line = load.output().trim().split('\n').at(-1) ?? '';
  if (code !== 0) throw new Error(`load generator failed:\n${load.output()}`);
  const result = JSON.parse(line) as Load;
  // wrk's count includes the few duplicates sent while the last answers were awaited.
  return { ...result, count: Math.min(result.count, count) };
}

/** wrk posting `count` fresh signed events once each (bench/support/wrk-post.lua). */
function wrk(url: string, count: number): RunningProcess {
  const file = join(dir, 'events.tsv');
  const events = signedEvents(count, keys.privateKey);
  writeFileSync(file, events.map((e) => `${e.signature}\t${e.body.toString('utf8')}\n`).join(''));
  const child = spawn(
    'wrk',
    [
      '-t1',
      `-c${CONNECTIONS}`,
      '-d600s',
      '--timeout',
      '30s',
      '-s',
      'bench/support/wrk-post.lua',
      url,
      '--',
      file,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const run = wrapped(child);
  // wrk runs for a duration; SIGINT ends it (and its clock) once every event has its answer.
  void run.waitFor(/answered all/).then(
    () => child.kill('SIGINT'),
    () => undefined,
  );
  return run;
}

async function measure(
  name: string,
  start: () => Promise<{ url: string; stored: () => Promise<number>; stop: () => Promise<void> }>,
): Promise<Load & { name: string; stored: number }> {
  const target = await start();
  try {
    await drive(target.url, Math.min(WARMUP, EVENTS)); // warm-up: not measured
    const before = await target.stored();
    const load = await drive(target.url, EVENTS);
    // wrk stops once as many answers as events have come back, some of them for duplicates
    // sent meanwhile, so a few events may still be in flight: let them land before counting.
    let stored = (await target.stored()) - before;
    for (let unchanged = 0; stored < load.count && unchanged < 5;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = (await target.stored()) - before;
      unchanged = now === stored ? unchanged + 1 : 0;
      stored = now;
    }
    return { name, ...load, stored };
  } finally {
    await target.stop();
  }
}

function ttsyncEnvFor(dataDir: string, databaseUrl?: string): Record<string, string> {
  return {
    GHL_BASE_URL: 'http://127.0.0.1:9',
    GHL_PRIVATE_TOKEN: 'pit-bench-0000000000',
    GHL_LOCATION_ID: 've9EPM428h8vShlRW1KT',
    GHL_WEBHOOK_PUBLIC_KEYS: publicPem.replace(/\n/g, '\\n'),
    TT_BASE_URL: 'http://127.0.0.1:9',
    TT_API_KEY: 'tt_live_bench_0000',
    TTSYNC_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PORT: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env['SQLITE_SYNCHRONOUS']
      ? { SQLITE_SYNCHRONOUS: process.env['SQLITE_SYNCHRONOUS'] }
      : {}),
    // For profiling: BENCH_TTSYNC_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
    ...(process.env['BENCH_TTSYNC_NODE_OPTIONS']
      ? { NODE_OPTIONS: process.env['BENCH_TTSYNC_NODE_OPTIONS'] }
      : {}),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'ttsync-bench-ingest-'));
const NULL_NAME = 'load generator alone (server answers at once)';

const results: (Load & { name: string; stored: number })[] = [];
for (let round = 0; round < ROUNDS; round++) {
  try {
    results.push(
      await measure(NULL_NAME, async () => {
        const server = node(['bench/support/null-server.ts']);
        const [, url = ''] = await server.waitFor(/listening on (\S+)/);
        return {
          url,
          stored: async () => EVENTS,
          stop: async () => void (await server.stop()),
        };
      }),
    );
    results.push(
      await measure('bare floor (node:http + verify + SQLite insert)', async () => {
        const file = join(dir, `bare-${round}.db`);
        const server = node(['bench/support/bare-ingest.ts', file, b64(publicPem)]);
        const [, url = ''] = await server.waitFor(/listening on (\S+)/);
        return {
          url,
          stored: async () => sqliteCount(file, 'select count(*) as n from inbox'),
          stop: async () => void (await server.stop()),
        };
      }),
    );
    if (TARGETS.has('sqlite'))
      results.push(
        await measure('ttsync on SQLite', async () => {
          const dataDir = join(dir, `sqlite-${round}`);
          const server = runTtsync(['serve', '--no-work'], ttsyncEnvFor(dataDir));
          const [, url = ''] = await server.waitFor(/ttsync serving on (\S+) /, 60_000);
          return {
            url: `${url}/webhooks/ghl`,
            stored: async () =>
              sqliteCount(join(dataDir, 'ttsync.db'), 'select count(*) as n from inbox'),
            stop: async () => void (await server.stop()),
          };
        }),
      );
    if (!TARGETS.has('pg')) continue;
    const pgDatabase = `ttsync_bench_${process.pid}_${round}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${pgDatabase}`);
    const url = new URL(PG_URL);
    url.pathname = `/${pgDatabase}`;
    try {
      results.push(
        await measure('ttsync on PostgreSQL', async () => {
          const server = runTtsync(
            ['serve', '--no-work'],
            ttsyncEnvFor(join(dir, `pg-${round}`), url.toString()),
          );
          const [, base = ''] = await server.waitFor(/ttsync serving on (\S+) /, 60_000);
          const client = new pg.Client({ connectionString: url.toString() });
          await client.connect();
          return {
            url: `${base}/webhooks/ghl`,
            stored: async () =>
              Number(
                (await client.query<{ n: string }>('select count(*) as n from inbox')).rows[0]?.n,
              ),
            stop: async () => {
              await client.end();
              await server.stop();
            },
          };
        }),
      );
    } finally {
      await admin.query(`drop database if exists ${pgDatabase} with (force)`);
      await admin.end();
    }
  } finally {
    rmSync(join(dir, `bare-${round}.db`), { force: true });
  }
}
rmSync(dir, { recursive: true, force: true });

function sqliteCount(file: string, query: string): number {
  const db = new DatabaseSync(file, { readOnly: true, timeout: 10_000 });
  try {
    return Number((db.prepare(query).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

const median = (values: number[]): number =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? Number.NaN;
console.log(
  `Webhook ingest: ${EVENTS} signed events per target and round, ${ROUNDS} rounds (medians), ${CONNECTIONS} connections, load generator (${GENERATOR === 'wrk' ? 'wrk' : 'Node, bench/support/webhook-load.ts'}) in its own process`,
);
const names = [...new Set(results.map((r) => r.name))];
const summary = names.map((name) => {
  const runs = results.filter((r) => r.name === name);
  return {
    name,
    perSecond: median(runs.map((r) => r.perSecond)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    stored: runs.reduce((n, r) => n + r.stored, 0),
    count: runs.reduce((n, r) => n + r.count, 0),
    failures: runs.reduce((n, r) => n + r.failures, 0),
  };
});
for (const r of summary) {
  console.log(
    `${r.name.padEnd(50)} ${r.perSecond.toFixed(0).padStart(6)} ${r.name === NULL_NAME ? 'acked/s ' : 'stored/s'}   ack p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms${r.name === NULL_NAME ? '' : `   stored ${r.stored}/${r.count}`}${r.failures ? `   failures ${r.failures}` : ''}`,
  );
}
const floor = summary.find((r) => r.name.startsWith('bare floor'));
const sqlite = summary.find((r) => r.name === 'ttsync on SQLite');
if (floor && sqlite) {
  console.log(
    `ttsync on SQLite / bare floor: ${(sqlite.perSecond / floor.perSecond).toFixed(2)} (target ≥ 0.8); p99 ${sqlite.p99.toFixed(1)} ms (target ≤ 25 ms)`,
  );
}
