/**
 * `ttsync poll contacts` as a process (SQLite in TTSYNC_DATA_DIR) against in-process sandboxes:
 * the first run syncs a contact changed in the last minute and says so; a second run finds it
 * already seen and creates nothing; a bad command line exits 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runTtsync } from './support/processes.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { cliEnv, startSandboxes } from './support/sync-harness.ts';

let boxes: Sandboxes;
let dir: string;
before(async () => {
  boxes = await startSandboxes({}, 0);
  dir = mkdtempSync(join(tmpdir(), 'ttsync-poll-'));
});
after(async () => {
  await boxes.close();
  rmSync(dir, { recursive: true, force: true });
});

test('ttsync poll contacts syncs what changed, once, and prints it', async () => {
  const env = cliEnv(boxes, dir);
  const contact = await boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Cli',
    lastName: 'Poll',
    email: 'cli.poll@example.com',
    phone: '+14155558001',
  });
  const first = runTtsync(['poll', 'contacts'], env);
  assert.equal(await first.exited, 0, first.output());
  assert.match(first.output(), /1 found \(0 already seen\) on 1 page: 1 created/);
  const leads = (boxes.ttBox.state()['leads'] as { ExternalId: string }[]).filter(
    (l) => l.ExternalId === contact.id,
  );
  assert.equal(leads.length, 1);

  const second = runTtsync(['poll', 'contacts', '--page-size', '10'], env);
  assert.equal(await second.exited, 0, second.output());
  assert.match(second.output(), /1 found \(1 already seen\) on 1 page: 0 created/);

  const usage = runTtsync(['poll', 'leads'], env);
  assert.equal(await usage.exited, 2);
  assert.match(usage.output(), /Usage: ttsync poll contacts/);
});
