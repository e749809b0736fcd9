/**
 * Batch commands run in a worker thread with a bounded heap (src/cli/bounded.ts): a bad
 * TTSYNC_BATCH_HEAP_MB is refused before any work, and Ctrl+C / SIGTERM still reach the
 * command (relayed by the main thread), which stops at a checkpoint and says so; the next run
 * goes on from there with no lead made twice.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  operatorJson,
  runTtsync,
  startGhlSandboxProcess,
  startTtSandboxProcess,
  ttsyncEnv,
} from './support/processes.ts';
import type { GhlSandboxProcessInfo, TtSandboxProcessInfo } from './support/processes.ts';
import { ghlRateLimitOff } from './support/sandbox-processes.ts';

const CONTACTS = 1_200;

describe('batch commands in a bounded worker', () => {
  let ghl: GhlSandboxProcessInfo;
  let tt: TtSandboxProcessInfo;
  let dataDir: string;
  before(async () => {
    [ghl, tt] = await Promise.all([
      // A slow search, so the backfill is surely mid-run when it is stopped.
      startGhlSandboxProcess(['--contacts', String(CONTACTS), '--search-delay-ms', '300']),
      startTtSandboxProcess(['--leads', '0', '--showings', '0']),
    ]);
    await ghlRateLimitOff(ghl);
    dataDir = mkdtempSync(join(tmpdir(), 'ttsync-bounded-'));
  });
  after(async () => {
    await Promise.all([ghl.process.stop(), tt.process.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a bad TTSYNC_BATCH_HEAP_MB is refused before anything runs', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'ttsync-bounded-bad-'));
    try {
      for (const value of ['lots', '32', '100.5']) {
        const run = runTtsync(
          ['backfill', 'contacts'],
          ttsyncEnv(ghl, tt, emptyDir, { TTSYNC_BATCH_HEAP_MB: value }),
        );
        assert.equal(await run.exited, 2, run.output());
        assert.match(run.output(), new RegExp(`TTSYNC_BATCH_HEAP_MB .*got "${value}"`));
      }
      assert.equal(existsSync(join(emptyDir, 'ttsync.db')), false, 'no database was opened');
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  test('SIGTERM stops a backfill at a checkpoint; the next run finishes it', async () => {
    const env = ttsyncEnv(ghl, tt, dataDir);
    const args = ['backfill', 'contacts', '--page-size', '100'];
    const first = runTtsync(args, env);
    await first.waitFor(/\d+ of \d+ contacts/, 60_000);
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 130, first.output());
    assert.ok(Date.now() - stoppedAt < 10_000, 'stopped promptly');
    assert.match(first.output(), /stopped by signal; every finished page is checkpointed/);
    assert.doesNotMatch(first.output(), /Backfill done|Could not reach/);

    const second = runTtsync(args, env);
    assert.equal(await second.exited, 0, second.output());
    assert.match(second.output(), /resumed/);
    const done = /Backfill done: (\d+) of (\d+) contacts/.exec(second.output());
    assert.equal(done?.[1], String(CONTACTS), second.output());

    const { leads } = await operatorJson<{ leads: { ExternalId: string }[] }>(
      `${tt.url}/__sandbox/state`,
    );
    const ids = leads.map((lead) => lead.ExternalId);
    assert.ok(leads.length > CONTACTS / 2, `most contacts became leads (${leads.length})`);
    assert.equal(new Set(ids).size, ids.length, 'no contact has two leads');
  });
});
