/**
 * `ttsync backfill` (every phase) as a process against both sandboxes as processes, the GHL
 * sandbox with its real limits at a 1 s window (and ttsync's limiter told the same): contacts
 * with 3 tasks, 2 notes and 1 appointment each reach Tenant Turner's extended surface exactly
 * once, with one notes call per contact and no second read of any child; a second run writes
 * nothing and reads no notes; runs killed with SIGKILL at random moments and rerun leave no
 * duplicate. CI runs 30 contacts (the kill test 60); `TTSYNC_FULL=1` runs 200 (kill test 400).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { operatorJson, runTtsync, ttsyncEnv } from './support/processes.ts';
import type { GhlSandboxProcessInfo, TtSandboxProcessInfo } from './support/processes.ts';
import {
  ghlApiTraffic,
  seedContactsWithChildren,
  startBackfillSandboxes,
} from './support/backfill-children-seed.ts';
import type { SeededChildren } from './support/backfill-children-seed.ts';

const FULL = process.env['TTSYNC_FULL'] !== undefined;
const CONTACTS = FULL ? 200 : 30;
const KILL_CONTACTS = FULL ? 400 : 60;
const KILLS = 3;
const CHILDREN = { tasks: 3, notes: 2, appointments: 1 };
const WINDOW_MS = '1000';

interface TtRecord {
  ExternalId: string | null;
}

interface Stack {
  ghl: GhlSandboxProcessInfo;
  tt: TtSandboxProcessInfo;
  dataDir: string;
  env: Record<string, string>;
  seeded: SeededChildren;
}

async function startStack(contacts: number): Promise<Stack> {
  const [ghl, tt] = await startBackfillSandboxes(Number(WINDOW_MS));
  const seeded = await seedContactsWithChildren(ghl.url, tt.url, contacts, CHILDREN);
  const dataDir = mkdtempSync(join(tmpdir(), 'ttsync-backfill-children-'));
  const env = ttsyncEnv(ghl, tt, dataDir, { GHL_RATE_LIMIT_WINDOW_MS: WINDOW_MS });
  return { ghl, tt, dataDir, env, seeded };
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (!stack) return;
  await Promise.all([stack.ghl.process.stop(), stack.tt.process.stop()]);
  rmSync(stack.dataDir, { recursive: true, force: true });
}

/** Tenant Turner's records by kind, keyed by ExternalId with how many records carry it. */
async function ttRecords(stack: Stack): Promise<Record<string, Map<string, number>>> {
  const state = await operatorJson<Record<string, TtRecord[]>>(`${stack.tt.url}/__sandbox/state`);
  const out: Record<string, Map<string, number>> = {};
  for (const kind of ['leads', 'tasks', 'notes', 'showings']) {
    const counts = new Map<string, number>();
    for (const record of state[kind] ?? []) {
      const id = record.ExternalId ?? '(none)';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    out[kind] = counts;
  }
  return out;
}

/** Every seeded record is in Tenant Turner once, and nothing else is. */
async function assertExactlyOnce(stack: Stack): Promise<void> {
  const records = await ttRecords(stack);
  const expected: Record<string, string[]> = {
    leads: stack.seeded.contactIds,
    tasks: stack.seeded.taskIds,
    notes: stack.seeded.noteIds,
    showings: stack.seeded.appointmentIds,
  };
  for (const [kind, ids] of Object.entries(expected)) {
    const counts = records[kind] as Map<string, number>;
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual(twice, [], `no ${kind} record twice`);
    assert.deepEqual([...counts.keys()].sort(), [...ids].sort(), `every ${kind} record once`);
  }
}

describe(`ttsync backfill of ${CONTACTS} contacts with tasks, notes and appointments`, () => {
  let stack: Stack | undefined;
  before(async () => {
    stack = await startStack(CONTACTS);
  });
  after(() => stopStack(stack));

  test('every child reaches Tenant Turner once, one notes call per contact, no 429', async () => {
    const s = stack as Stack;
    const before = await ghlApiTraffic(s.ghl.url);
    const run = runTtsync(['backfill'], s.env);
    assert.equal(await run.exited, 0, run.output());
    assert.match(run.output(), /Backfill done/);
    assert.match(run.output(), /GHL calls \d+, ~\d+ to go: ~[\d.]+ s at 100 per 1\.0 s/);
    await assertExactlyOnce(s);
    const traffic = await ghlApiTraffic(s.ghl.url);
    const calls = (route: string): number =>
      (traffic.byRoute[route] ?? 0) - (before.byRoute[route] ?? 0);
    assert.equal(traffic.limited - before.limited, 0, 'no 429');
    assert.equal(calls('GET /contacts/:id/notes'), CONTACTS, 'one notes call per contact');
    assert.equal(
      calls('POST /locations/:locationId/tasks/search'),
      Math.ceil((CONTACTS * 3 + 1) / 100),
    );
    for (const route of [
      'GET /contacts/:id',
      'GET /contacts/:id/tasks/:taskId',
      'GET /contacts/:id/notes/:noteId',
      'GET /contacts/:id/appointments',
      'GET /calendars/events/appointments/:eventId',
    ]) {
      assert.equal(calls(route), 0, `no ${route}: the listing's record is synced as read`);
    }
  });

  test('a second run writes nothing and reads no notes', async () => {
    const s = stack as Stack;
    const before = await ghlApiTraffic(s.ghl.url);
    const run = runTtsync(['backfill'], s.env);
    assert.equal(await run.exited, 0, run.output());
    const output = run.output();
    for (const phase of ['tasks', 'appointments', 'notes']) {
      assert.match(output, new RegExp(`${phase}: .*: 0 created, 0 updated, 0 deleted`));
    }
    assert.match(output, /contacts: .*: 0 created, 0 linked, 0 updated/);
    assert.match(output, new RegExp(`notes: 0 read \\(0 contacts read, ${CONTACTS} not needed\\)`));
    const traffic = await ghlApiTraffic(s.ghl.url);
    assert.equal(
      (traffic.byRoute['GET /contacts/:id/notes'] ?? 0) -
        (before.byRoute['GET /contacts/:id/notes'] ?? 0),
      0,
    );
    await assertExactlyOnce(s);
  });
});

describe(`ttsync backfill of ${KILL_CONTACTS} contacts killed ${KILLS} times`, () => {
  let stack: Stack | undefined;
  before(async () => {
    stack = await startStack(KILL_CONTACTS);
  });
  after(() => stopStack(stack));

  test('SIGKILL anywhere, then a rerun: every child once, no duplicate', async (t) => {
    const s = stack as Stack;
    const seed = Number(process.env['TTSYNC_SEED'] ?? Date.now() % 1_000_000);
    t.diagnostic(`seed ${seed} (TTSYNC_SEED=${seed} repeats this run)`);
    let state = seed;
    const next = (): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    let resumed = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const run = runTtsync(['backfill', '--task-page-size', '20'], s.env);
      // Kill once the children are under way (a progress line names one), 0–1.5 s later.
      await run.waitFor(/\[[\d.]+ s\] .*(tasks|appointments|notes) \d+/, 120_000).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, next() * 1500));
      await run.stop('SIGKILL');
      if (/resumed/.test(run.output())) resumed++;
    }
    const last = runTtsync(['backfill', '--task-page-size', '20'], s.env);
    assert.equal(await last.exited, 0, last.output());
    assert.match(last.output(), /Backfill done/);
    await assertExactlyOnce(s);
    t.diagnostic(`${KILLS} kills, ${resumed} runs resumed a checkpoint`);
  });
});

describe('ttsync backfill with bad input', () => {
  test('an unknown phase or a bad option exits 2 and says what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['backfill', 'leads'], /unknown phase "leads" \(contacts, tasks, notes or appointments\)/],
      [
        ['backfill', 'notes', '--child-concurrency', '0'],
        /--child-concurrency must be a whole number from 1 to 256, got "0"/,
      ],
      [
        ['backfill', '--from', 'yesterday'],
        /--from must be a date such as 2025-01-31, got "yesterday"/,
      ],
      [['backfill', '--from', '2026-02-01', '--to', '2026-01-01'], /--to must be after --from/],
    ];
    for (const [args, message] of cases) {
      const run = runTtsync(args);
      assert.equal(await run.exited, 2, run.output());
      assert.match(run.output(), message);
      assert.match(run.output(), /Usage: ttsync backfill/);
    }
  });
});
