/**
 * `ttsync reconcile` as a process (SQLite in TTSYNC_DATA_DIR) against both sandboxes: a dry run
 * (`--contacts-only`) prints the drift and exits 0; `--heal` refuses with exit 1 when half the people vanished, and
 * heals with a raised `--max-unlink-share`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../src/store/database.ts';
import { listLinks } from '../src/store/links.ts';
import { backfillContacts } from '../src/sync/backfill.ts';
import { runTtsync } from './support/processes.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { cliEnv, startSandboxes, syncDeps } from './support/sync-harness.ts';

let boxes: Sandboxes;
before(async () => {
  boxes = await startSandboxes({ surface: 'extended' }, 20);
});
after(() => boxes.close());

test('ttsync reconcile: dry run, refused heal (exit 1), heal with a raised share', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ttsync-reconcile-'));
  try {
    const store = await openStore({ sqlitePath: join(dir, 'ttsync.db') });
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(syncDeps(store, boxes), { locationId });
    const links = await listLinks(store.db, 'person', { state: 'active' });
    await store.close();
    const half = links.slice(0, Math.ceil(links.length / 2));
    const ghl = boxes.ghl.location(locationId);
    for (const link of half) await ghl.deleteContact(link.ghlId ?? '');
    const env = cliEnv(boxes, dir);

    const dry = runTtsync(['reconcile', '--show', '2', '--contacts-only'], env);
    assert.equal(await dry.exited, 0, dry.output());
    assert.match(dry.output(), new RegExp(`drift: 0 missing, ${half.length} extra, 0 different`));
    assert.match(dry.output(), /… and \d+ more/);
    assert.match(dry.output(), /--heal would refuse/);
    assert.doesNotMatch(dry.output(), /tasks: /, '--contacts-only scans no children');

    const refused = runTtsync(['reconcile', '--heal'], env);
    assert.equal(await refused.exited, 1, refused.output());
    assert.match(refused.output(), /refusing to heal/);

    const healed = runTtsync(['reconcile', '--heal', '--max-unlink-share', '0.6'], env);
    assert.equal(await healed.exited, 0, healed.output());
    assert.match(healed.output(), new RegExp(`Healed: ${half.length} unlinked`));
    assert.match(healed.output(), /tasks: \d+ in GHL, \d+ linked; drift: \d+ missing/);
    assert.match(healed.output(), /GHL calls: \d+/);

    const usage = runTtsync(['reconcile', '--heal', '--dry-run'], env);
    assert.equal(await usage.exited, 2);
    const badWindow = runTtsync(['reconcile', '--days-ahead', 'soon'], env);
    assert.equal(await badWindow.exited, 2);
    assert.match(badWindow.output(), /--days-back 30\] \[--days-ahead 180\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
