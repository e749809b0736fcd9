/**
 * `ttsync start` without credentials, as a new user runs it (`npm start`): both sandboxes and
 * ttsync start on a fresh embedded database, the sample contacts sync, the console says where
 * to look, the store commands it suggests (`ttsync timeline`, `ttsync jobs`) read that same
 * database without credentials, and Ctrl+C (SIGINT) stops everything cleanly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually, runTtsync } from './support/processes.ts';

test('start without credentials syncs the sample contacts and says where to look', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ttsync-start-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  // No GHL or Tenant Turner credentials in the environment: the sandbox path.
  const env: Record<string, string> = { PORT: '0', TTSYNC_DATA_DIR: dataDir };
  for (const key of ['GHL_PRIVATE_TOKEN', 'GHL_CLIENT_ID', 'TT_API_KEY', 'DATABASE_URL']) {
    env[key] = '';
  }
  const run = runTtsync(['start'], env);
  t.after(() => run.stop('SIGKILL'));
  const [, created = '0', skipped = '0'] = await run.waitFor(
    /Contacts synced: 25 of 25 contacts[^:]*: (\d+) created.* (\d+) skipped/,
    60_000,
  );
  assert.equal(Number(created) + Number(skipped), 25);
  assert.ok(Number(created) > 0);
  const [, stateUrl = ''] = await run.waitFor(/Tenant Turner leads\s+(\S+)/);
  const state = (await (await fetch(stateUrl)).json()) as { leads: { Email: string }[] };
  assert.equal(state.leads.length, Number(created), 'every created lead is in Tenant Turner');
  // The commands the console suggests read the same (sandbox) database, still without credentials.
  assert.match(run.output(), /npx ttsync timeline dana@example\.com/);
  const email = state.leads[0]?.Email ?? '';
  const timeline = runTtsync(['timeline', email], env);
  assert.equal(await timeline.exited, 0, timeline.output());
  assert.match(timeline.output(), /Timeline of GHL contact \S+ \(Tenant Turner lead \d+, active\)/);
  const jobs = runTtsync(['jobs'], env);
  assert.equal(await jobs.exited, 0, jobs.output());
  assert.match(jobs.output(), new RegExp(`Jobs in ${join(dataDir, 'sandbox', 'ttsync.db')}`));
  // Tenant Turner's webhooks (a lead created for each) reach ttsync's /webhooks/tt and verify.
  const ttStats = `${stateUrl.replace(/\/__sandbox\/state$/, '')}/__sandbox/stats`;
  await eventually(async () => {
    const { webhooks } = (await (await fetch(ttStats)).json()) as {
      webhooks: { emitted: number; succeeded: number };
    };
    const seen = JSON.stringify(webhooks);
    assert.ok(webhooks.emitted >= Number(created), seen);
    assert.equal(webhooks.succeeded, webhooks.emitted, `every TT webhook accepted: ${seen}`);
    return true;
  }, 'the Tenant Turner webhooks to reach ttsync');
  const [, health = ''] = await run.waitFor(/ttsync health\s+(\S+)/);
  assert.equal((await fetch(health)).status, 200);
  assert.match(run.output(), /Try a change: create a contact in the GHL sandbox/);
  assert.equal(await run.stop('SIGINT'), 0, run.output());
});
