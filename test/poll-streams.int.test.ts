/**
 * The pollers `ttsync serve` runs, on a manual clock against both sandboxes, on both databases:
 * one per enabled stream, each polling at once; the pause after a cycle is the stream's minimum
 * interval or, when its GHL calls would take more than its slice of the polls' budget share,
 * longer; a disabled stream does not run; a stream another process is polling skips its turn;
 * `stop()` ends them all and leaves no timer.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { PrivateIntegrationAuth } from '../src/ghl/auth.ts';
import { GhlClient } from '../src/ghl/client.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { getCursor } from '../src/store/cursors.ts';
import { releaseLock, tryAcquireLock } from '../src/store/locks.ts';
import { appointmentPollStream } from '../src/sync/appointment-poll.ts';
import { pollStream } from '../src/sync/contact-poll.ts';
import { pollLockName } from '../src/sync/poll-lock.ts';
import { startPollers } from '../src/sync/poll-streams.ts';
import type { PollSettings } from '../src/sync/poll-streams.ts';
import { taskPollStream } from '../src/sync/task-poll.ts';
import { READ_WRITE } from './support/ghl-harness.ts';
import { operator } from './support/operator.ts';
import { QueueHarness } from './support/queue-harness.ts';
import { describeEachDialect } from './support/stores.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';

/** Waits until `check` holds, for 15 s at the most (the assertions after it say what failed). */
async function waitUntil(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeEachDialect('pollers of ttsync serve', (stores) => {
  let boxes: Sandboxes;
  let queues: QueueHarness;
  before(async () => {
    boxes = await startSandboxes({}, 0);
    // GHL tells the client its budget in the X-RateLimit-* headers: 8,640 calls a day here.
    await operator(boxes.ghlBox, 'POST', '/__sandbox/rate-limit', { daily: 8_640 });
  });
  after(() => boxes.close());
  afterEach(() => queues.stopAll());

  /** A fresh store, a queue on it, a manual clock, and the sync deps on them (`ghl` if given). */
  async function setUp(name: string, ghl: GhlClient = boxes.ghl) {
    queues = new QueueHarness();
    const store = await stores.open(`${name}-${stores.dialect}`);
    const queue = queues.open(store);
    const clock = new ManualClock(Date.now());
    const deps = { ...syncDeps(store, boxes), ghl, clock };
    return { store, queue, clock, deps, locationId: boxes.ghlBox.locationId };
  }

  /** Starts the pollers of `setUp`'s parts with `settings`. */
  function start(
    { deps, queue, clock, locationId }: Awaited<ReturnType<typeof setUp>>,
    settings: PollSettings,
  ) {
    return startPollers(deps, { locationId, queue, clock, logger: silentLogger, settings });
  }

  /** A new contact (`fields`) with one task titled `title`, made with no webhook. */
  async function contactWithTask(
    ghl: GhlClient,
    fields: { firstName: string; lastName: string; email: string },
    title: string,
  ): Promise<void> {
    const contact = await ghl.location(boxes.ghlBox.locationId).createContact(fields);
    await operator(boxes.ghlBox, 'POST', `/__sandbox/contacts/${contact.id}/tasks`, { title });
  }

  /** A GHL client of its own (its limiter learns the sandbox's budget from the headers). */
  function smallBudgetClient(): GhlClient {
    const { accessToken } = boxes.ghlBox.mintToken({ scopes: READ_WRITE, kind: 'pit' });
    return new GhlClient({
      auth: new PrivateIntegrationAuth({ token: accessToken }),
      baseUrl: boxes.ghlBox.url,
    });
  }

  test('one poller per stream, paced by the budget share, stopped cleanly', async () => {
    const ghl = smallBudgetClient();
    const rig = await setUp('pollers', ghl);
    const { store, clock, locationId } = rig;
    await contactWithTask(
      ghl,
      {
        firstName: 'Sched',
        lastName: `Uled ${stores.dialect}`,
        email: `sched.${stores.dialect}@example.com`,
      },
      'Polled on a schedule',
    );
    const pollers = start(rig, {
      contactsIntervalMs: 30_000,
      tasksIntervalMs: 50_000,
      appointmentsIntervalMs: 70_000,
      budgetShare: 0.3,
      appointmentDaysBack: 30,
      appointmentDaysAhead: 90,
    });
    try {
      // Each stream polls at once, then sleeps.
      await waitUntil(() => clock.pending >= 3);
      assert.equal(clock.pending, 3, 'three pollers waiting for their next cycle');
      assert.ok(await getCursor(store.db, pollStream(locationId)));
      assert.ok(await getCursor(store.db, appointmentPollStream(locationId)));
      const tasks = await getCursor(store.db, taskPollStream(locationId));
      assert.equal(tasks?.tieBreak.length, 1, 'the task was handed to the queue');

      // 8,640 calls a day × 0.3 ÷ 3 streams: one call per 100 s for each stream. The contact and
      // task polls made one call, the appointment poll 1 + 4 per calendar: each waits that long.
      const calendars = (await ghl.location(locationId).listCalendars()).length;
      const expected = [100_000, 100_000, (1 + 4 * calendars) * 100_000].sort((a, b) => a - b);
      assert.deepEqual(
        [...clock.sleeps].sort((a, b) => a - b),
        expected,
      );
      assert.ok(
        expected.every((ms) => ms > 70_000),
        'every pause is above its minimum',
      );
    } finally {
      await pollers.stop();
      ghl.stop();
    }
    assert.equal(clock.pending, 0, 'no poller left waiting');
  });

  test('a stream whose interval is 0 does not run; the others share the budget', async () => {
    const ghl = smallBudgetClient();
    const rig = await setUp('pollers-off', ghl);
    const { store, clock, locationId } = rig;
    const pollers = start(rig, {
      contactsIntervalMs: 10_000,
      tasksIntervalMs: 0,
      appointmentsIntervalMs: 0,
      budgetShare: 0.5,
      appointmentDaysBack: 1,
      appointmentDaysAhead: 1,
    });
    try {
      await waitUntil(() => clock.pending >= 1);
      // One stream with the whole 0.5: one call per 20 s.
      assert.deepEqual(clock.sleeps, [20_000]);
      assert.equal(await getCursor(store.db, appointmentPollStream(locationId)), undefined);
    } finally {
      await pollers.stop();
      ghl.stop();
    }
    assert.equal(clock.pending, 0);
  });

  test('a stream another process is polling skips its turn, then polls once the lock is free', async () => {
    const rig = await setUp('pollers-busy');
    const { store, queue, clock, locationId } = rig;
    await contactWithTask(
      boxes.ghl,
      {
        firstName: 'Busy',
        lastName: `Lock ${stores.dialect}`,
        email: `busy.lock.${stores.dialect}@example.com`,
      },
      'Polled once the lock is free',
    );
    const lock = pollLockName('tasks', locationId);
    assert.ok(await tryAcquireLock(store.db, lock, 'another-process', 60_000, Date.now()));
    const pollers = start(rig, {
      contactsIntervalMs: 0,
      tasksIntervalMs: 40_000,
      appointmentsIntervalMs: 0,
      budgetShare: 0.2,
      appointmentDaysBack: 1,
      appointmentDaysAhead: 1,
    });
    try {
      await waitUntil(() => clock.pending === 1);
      assert.deepEqual(clock.sleeps, [40_000], 'skipped: the minimum interval, no calls');
      assert.equal(await getCursor(store.db, taskPollStream(locationId)), undefined);
      assert.equal((await queue.counts()).waiting, 0);

      await releaseLock(store.db, lock, 'another-process');
      await clock.advance(40_000);
      await waitUntil(async () => (await queue.counts()).waiting > 0);
      assert.ok((await queue.counts()).waiting >= 1, 'the task was handed over');
      assert.ok(await getCursor(store.db, taskPollStream(locationId)));
    } finally {
      await pollers.stop();
    }
  });
});
