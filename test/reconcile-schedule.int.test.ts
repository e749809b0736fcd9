/**
 * The scheduled reconcile (what `ttsync serve` runs every TTSYNC_RECONCILE_INTERVAL_MS) against
 * both sandboxes in-process, on both databases: a cycle heals the drift a contacts-only backfill
 * leaves and logs its summary; a reconcile never overlaps another (the second is refused with
 * `lock_timeout` while the first holds the lock, and the schedule skips a cycle); and stop() ends the schedule cleanly.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppError } from '../src/shared/errors.ts';
import type { Logger } from '../src/shared/logger.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { systemClock } from '../src/shared/clock.ts';
import { backfillContacts } from '../src/sync/backfill.ts';
import { withLock } from '../src/store/locks.ts';
import { reconcileCycle, startReconciler } from '../src/sync/reconcile-schedule.ts';
import type { ReconcileCycle, Reconciler } from '../src/sync/reconcile-schedule.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

/** A logger that keeps what it was given at info and warn. */
function recordingLogger(lines: { level: string; fields: unknown; message: string }[]): Logger {
  const keep =
    (level: string) =>
    (fields: unknown, message = ''): void => {
      lines.push({ level, fields, message });
    };
  return { ...silentLogger, info: keep('info'), warn: keep('warn') };
}

describeEachDialect('scheduled reconcile', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' }, 8);
  });
  after(() => boxes.close());

  test('a cycle heals and logs its summary; cycles never overlap; stop ends it', async () => {
    const store = await stores.open('reconcile-schedule');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    const lines: { level: string; fields: unknown; message: string }[] = [];
    const cycles: ReconcileCycle[] = [];
    let twoCycles!: () => void;
    const done = new Promise<void>((resolve) => (twoCycles = resolve));
    let reconciler: Reconciler | undefined;
    // Another reconcile (`ttsync reconcile`, another process) holds the lock: the schedule skips,
    // and a reconcile started meanwhile is refused at once.
    const overlap = await withLock(store.db, `reconcile:${locationId}`, 'other', async () => {
      reconciler = startReconciler(deps, {
        locationId,
        intervalMs: 20,
        maxUnlinkShare: 0.05,
        clock: systemClock,
        logger: recordingLogger(lines),
        onCycle: (cycle) => {
          cycles.push(cycle);
          if (cycles.length === 2) twoCycles();
        },
      });
      while (!lines.some((l) => /another reconcile is running/.test(l.message))) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return reconcileCycle(deps, { locationId, heal: false }).catch((error: unknown) => error);
    });
    assert.equal(cycles.length, 0, 'no cycle while the lock was held');
    await done;
    assert.ok(reconciler);
    await reconciler.stop();
    const settled = cycles.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(cycles.length, settled, 'no cycle after stop()');

    assert.ok(overlap instanceof AppError && overlap.code === 'lock_timeout', String(overlap));
    const [first, second] = cycles;
    assert.ok(first?.heal?.healed, 'the first cycle healed');
    const created = first.heal.childOutcomes.task['created'] ?? 0;
    assert.ok(created > 0, 'the missing tasks were created');
    assert.equal(second?.report.children?.counts.task.missing, 0, 'the next cycle finds none');
    const done1 = lines.find((l) => l.message === 'reconcile done');
    assert.ok(done1, JSON.stringify(lines));
    assert.match(JSON.stringify(done1.fields), /"taskDrift":\{"missing":\d+/);
  });
});
