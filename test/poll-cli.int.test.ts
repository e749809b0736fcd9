/**
 * `ttsync poll tasks` and `ttsync poll appointments` as processes (SQLite in TTSYNC_DATA_DIR)
 * against in-process sandboxes (Tenant Turner extended, which has tasks): each prints what it
 * found and handed over, runs the jobs until the queue is idle, and the task and the showing
 * exist once in Tenant Turner; a second run hands nothing over; a run while another process
 * holds the stream's lock exits 1 and says so; options of another stream and bad numbers exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../src/store/database.ts';
import { releaseLock, tryAcquireLock } from '../src/store/locks.ts';
import { pollLockName } from '../src/sync/poll-lock.ts';
import { operator } from './support/operator.ts';
import { runTtsync } from './support/processes.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { cliEnv, startSandboxes } from './support/sync-harness.ts';

let boxes: Sandboxes;
let dir: string;
before(async () => {
  boxes = await startSandboxes({ surface: 'extended' }, 0);
  dir = mkdtempSync(join(tmpdir(), 'ttsync-poll-children-'));
});
after(async () => {
  await boxes.close();
  rmSync(dir, { recursive: true, force: true });
});

function byExternalId(kind: 'tasks' | 'showings', id: string): unknown[] {
  const all = (boxes.ttBox.state()[kind] ?? []) as { ExternalId?: string | null }[];
  return all.filter((record) => record.ExternalId === id);
}

test('ttsync poll tasks and poll appointments hand over what changed, run it, and say so', async () => {
  const env = cliEnv(boxes, dir);
  const contact = await boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Cli',
    lastName: 'Children',
    email: 'cli.children@example.com',
    phone: '+14155558101',
  });
  const { task } = await operator<{ task: { id: string } }>(
    boxes.ghlBox,
    'POST',
    `/__sandbox/contacts/${contact.id}/tasks`,
    { title: 'Polled from the command line' },
  );
  const rental = (
    boxes.ttBox.state()['properties'] as {
      Address: string;
      City: string;
      State: string;
      ZipCode: string;
      IsActive: boolean;
    }[]
  ).find((p) => p.IsActive);
  assert.ok(rental);
  const { appointment } = await operator<{ appointment: { id: string } }>(
    boxes.ghlBox,
    'POST',
    `/__sandbox/contacts/${contact.id}/appointments`,
    { address: `${rental.Address}, ${rental.City}, ${rental.State} ${rental.ZipCode}` },
  );

  const tasks = runTtsync(['poll', 'tasks'], env);
  assert.equal(await tasks.exited, 0, tasks.output());
  assert.match(
    tasks.output(),
    /Scanned 1 task on 1 page \(1 GHL call\): 0 unchanged, 0 already queued, 1 new and 0 changed handed to the queue \(task-sync\)/,
  );
  assert.match(tasks.output(), /Queue idle: 0 waiting, 0 running, 0 retrying, 0 delayed, 0 dead/);
  assert.equal(byExternalId('tasks', task.id).length, 1);

  const again = runTtsync(['poll', 'tasks', '--page-size', '10', '--no-work'], env);
  assert.equal(await again.exited, 0, again.output());
  assert.match(again.output(), /1 unchanged, 0 already queued, 0 new and 0 changed/);
  assert.match(again.output(), /--no-work/);

  const appointments = runTtsync(['poll', 'appointments', '--days-back', '1'], env);
  assert.equal(await appointments.exited, 0, appointments.output());
  assert.match(
    appointments.output(),
    /Polled appointments updated since .* on \d+ calendars?, .*: 1 found, 0 already seen, 0 changed earlier, 0 unchanged, 1 new and 0 changed handed to the queue \(appointment-sync\)/,
  );
  assert.equal(byExternalId('showings', appointment.id).length, 1);

  const idle = runTtsync(['poll', 'appointments', '--days-back', '1'], env);
  assert.equal(await idle.exited, 0, idle.output());
  assert.match(idle.output(), /1 found, 1 already seen, .* 0 new and 0 changed/);
  assert.equal(byExternalId('showings', appointment.id).length, 1);

  const store = await openStore({ sqlitePath: join(dir, 'ttsync.db') });
  const lock = pollLockName('tasks', boxes.ghlBox.locationId);
  try {
    assert.ok(await tryAcquireLock(store.db, lock, 'serve-elsewhere', 60_000, Date.now()));
    const busy = runTtsync(['poll', 'tasks'], env);
    assert.equal(await busy.exited, 1, busy.output());
    assert.match(busy.output(), /Another ttsync process is running this poll now/);
  } finally {
    await releaseLock(store.db, lock, 'serve-elsewhere');
    await store.close();
  }

  const misplaced = runTtsync(['poll', 'tasks', '--days-back', '3'], env);
  assert.equal(await misplaced.exited, 2);
  assert.match(misplaced.output(), /poll tasks takes no --days-back/);
  const bad = runTtsync(['poll', 'appointments', '--days-ahead', 'soon'], env);
  assert.equal(await bad.exited, 2);
  assert.match(bad.output(), /--days-ahead takes a whole number/);
});
