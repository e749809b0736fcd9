/**
 * A backfill killed with SIGKILL at random moments, restarted each time, ends with exactly one
 * lead per contact. ttsync and both sandboxes run as separate processes. CI runs 600 contacts;
 * `TTSYNC_FULL=1` runs the 2,000.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { operatorJson, runTtsync, ttsyncEnv } from './support/processes.ts';
import type { GhlSandboxProcessInfo, TtSandboxProcessInfo } from './support/processes.ts';
import { ghlRateLimitOff, startEmptySandboxProcesses } from './support/sandbox-processes.ts';

const CONTACTS = process.env['TTSYNC_FULL'] ? 2_000 : 600;
const PAGE_SIZE = CONTACTS / 10;
const KILLS = 5;

/** A small seeded generator, so a failing run can be repeated with the printed seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe(`backfill of ${CONTACTS} contacts killed ${KILLS} times`, () => {
  let ghl: GhlSandboxProcessInfo;
  let tt: TtSandboxProcessInfo;
  let dataDir: string;
  before(async () => {
    [ghl, tt] = await startEmptySandboxProcesses();
    await ghlRateLimitOff(ghl);
    dataDir = mkdtempSync(join(tmpdir(), 'ttsync-crash-'));
    const ids: string[] = [];
    for (let batch = 0; batch < CONTACTS; batch += 50) {
      const created = await Promise.all(
        Array.from({ length: Math.min(50, CONTACTS - batch) }, (_, i) => {
          const n = batch + i;
          return operatorJson<{ contact: { id: string } }>(
            `${ghl.url}/__sandbox/contacts`,
            'POST',
            {
              firstName: 'Lead',
              lastName: `Number ${n}`,
              email: `lead${n}@example.com`,
              phone: `+1415${String(5_000_000 + n).padStart(7, '0')}`,
            },
          );
        }),
      );
      ids.push(...created.map((c) => c.contact.id));
    }
    assert.equal(new Set(ids).size, CONTACTS);
    await operatorJson(`${ghl.url}/__sandbox/search/flush`, 'POST');
  });
  after(async () => {
    await Promise.all([ghl.process.stop(), tt.process.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('ends with exactly one lead per contact and no duplicates', async (t) => {
    const seed = Number(process.env['TTSYNC_SEED'] ?? Date.now() % 1_000_000);
    t.diagnostic(`seed ${seed} (TTSYNC_SEED=${seed} repeats this run)`);
    const next = random(seed);
    const env = ttsyncEnv(ghl, tt, dataDir);
    const args = ['backfill', 'contacts', '--page-size', String(PAGE_SIZE)];
    let resumed = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const run = runTtsync(args, env);
      // Kill somewhere in the run: after 0–2 finished pages, plus up to 300 ms into the next.
      const pages = Math.floor(next() * 3);
      if (pages > 0) await run.waitFor(new RegExp(`(contacts.*\\n[^]*){${pages}}`), 60_000);
      await new Promise((resolve) => setTimeout(resolve, next() * 300));
      await run.stop('SIGKILL');
      if (/resumed/.test(run.output())) resumed++;
    }
    const last = runTtsync(args, env);
    assert.equal(await last.exited, 0, last.output());
    assert.match(last.output(), /Backfill done/);

    const { leads } = await operatorJson<{ leads: { ExternalId: string; Email: string }[] }>(
      `${tt.url}/__sandbox/state`,
    );
    const byContact = new Map<string, number>();
    for (const lead of leads)
      byContact.set(lead.ExternalId, (byContact.get(lead.ExternalId) ?? 0) + 1);
    const duplicates = [...byContact.values()].filter((n) => n > 1).length;
    assert.equal(duplicates, 0, 'no contact has two leads');
    assert.equal(leads.length, CONTACTS, 'exactly one lead per contact');
    t.diagnostic(
      `${leads.length} leads after ${KILLS} kills; ${resumed} runs resumed a checkpoint`,
    );
  });
});
