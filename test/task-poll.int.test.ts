/**
 * The task poll against both sandboxes over HTTP, on both databases and both Tenant Turner
 * surfaces: a task created and then edited in GHL with no webhook (GHL has no TaskUpdate event)
 * is caught by the poll, runs as the webhooks' `task-sync` job, and reaches Tenant Turner
 * (extended) or the timeline (real); a second cycle hands nothing over, before and after the
 * jobs ran; an empty and a short page delete and unlink nothing; a crash before a page's commit
 * hands that page over again on the next cycle, and each task still becomes one Tenant Turner
 * task.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../src/store/database.ts';
import { getCursor } from '../src/store/cursors.ts';
import { findLinkByGhlId } from '../src/store/links.ts';
import { listTimeline } from '../src/store/records.ts';
import { pollTasks, taskPollStream } from '../src/sync/task-poll.ts';
import { TASK_SYNC_JOB } from '../src/sync/task-route.ts';
import { operator } from './support/operator.ts';
import { crashingQueue, pollSuite } from './support/poll-harness.ts';
import { rowCounts as countRows } from './support/row-counts.ts';
import { describeEachDialect } from './support/stores.ts';
import type { Sandboxes } from './support/sync-harness.ts';

interface TtTaskDto {
  Title: string;
  TaskStatus: string;
  ExternalId?: string;
}

function ttTasks(boxes: Sandboxes, ghlTaskId: string): TtTaskDto[] {
  const all = (boxes.ttBox.state()['tasks'] ?? []) as TtTaskDto[];
  return all.filter((t) => t.ExternalId === ghlTaskId);
}

let serial = 0;

/** A new contact with `titles.length` tasks, made through the operator API (no webhook). */
async function contactWithTasks(boxes: Sandboxes, titles: string[]) {
  const n = ++serial;
  const contact = await boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Pat',
    lastName: `Poll ${n}`,
    email: `pat.poll.${n}@example.com`,
    phone: `+1415888${String(1000 + n).slice(-4)}`,
  });
  const tasks: { id: string }[] = [];
  for (const title of titles) {
    const answer = await operator<{ task: { id: string } }>(
      boxes.ghlBox,
      'POST',
      `/__sandbox/contacts/${contact.id}/tasks`,
      { title, dueDate: '2026-12-10T15:00:00.000Z' },
    );
    tasks.push(answer.task);
  }
  return { contact, tasks };
}

const rowCounts = (store: Store) =>
  countRows(store, ['versions', 'timeline', 'links', 'snapshots']);

for (const surface of ['extended', 'real'] as const) {
  describeEachDialect(`task poll (${surface} surface)`, (stores) => {
    /** `synced(count)` runs the queue until `count` task-sync jobs have completed in total. */
    const { open, synced } = pollSuite(stores, surface, TASK_SYNC_JOB);

    test('a task created, then edited, with no webhook is caught by the poll', async () => {
      const { boxes, store, deps, queue, locationId } = await open(`task-poll-edit-${surface}`);
      const { contact, tasks } = await contactWithTasks(boxes, ['Send the lease']);
      const taskId = tasks[0]?.id ?? '';

      const first = await pollTasks(deps, { locationId, queue });
      assert.deepEqual(first.enqueued, { new: 1, changed: 0 }, JSON.stringify(first));
      assert.equal(first.calls, 1, 'one short page');
      await queue.start();
      await synced(1);
      const link = await findLinkByGhlId(store.db, 'task', locationId, taskId);
      assert.equal(link?.state, 'active');
      const person = await findLinkByGhlId(store.db, 'person', locationId, contact.id);
      assert.equal(person?.state, 'active', 'the task linked its person first');
      if (surface === 'extended') assert.equal(ttTasks(boxes, taskId)[0]?.Title, 'Send the lease');

      // An edit through the public API: GHL announces it by no event.
      await boxes.ghl
        .location(locationId)
        .updateTask(contact.id, taskId, { title: 'Send the signed lease' });
      const edited = await pollTasks(deps, { locationId, queue });
      assert.deepEqual(edited.enqueued, { new: 0, changed: 1 }, JSON.stringify(edited));
      await synced(2);
      if (surface === 'extended') {
        assert.equal(ttTasks(boxes, taskId)[0]?.Title, 'Send the signed lease');
        assert.equal(ttTasks(boxes, taskId).length, 1);
      } else {
        assert.equal(ttTasks(boxes, taskId).length, 0);
      }
      const timeline = await listTimeline(store.db, link.id);
      assert.deepEqual(
        timeline.map((entry) => entry.kind),
        ['task_created', 'task_updated'],
      );
      assert.match(timeline[1]?.summary ?? '', /Send the signed lease/);
      if (surface === 'real') assert.match(timeline[1]?.summary ?? '', /no tasks/);

      // Nothing new: the next cycle hands nothing over and only empties the tie-break set
      // (the change it held is synced); the one after that writes nothing at all.
      const before = await rowCounts(store);
      const idle = await pollTasks(deps, { locationId, queue });
      assert.equal(idle.unchanged, 1);
      assert.deepEqual(idle.enqueued, { new: 0, changed: 0 });
      assert.equal(idle.pending, 0);
      const cursor = await getCursor(store.db, taskPollStream(locationId));
      assert.deepEqual(cursor?.tieBreak, []);
      const still = await pollTasks(deps, { locationId, queue });
      assert.deepEqual(still.enqueued, { new: 0, changed: 0 });
      assert.deepEqual(await getCursor(store.db, taskPollStream(locationId)), cursor);
      assert.deepEqual(await rowCounts(store), before);
    });

    test('a second cycle before the jobs ran hands nothing over again', async () => {
      const { boxes, store, deps, queue, locationId } = await open(`task-poll-twice-${surface}`, {
        handlers: false,
      });
      const { tasks } = await contactWithTasks(boxes, ['One', 'Two', 'Three']);
      const first = await pollTasks(deps, { locationId, queue, pageSize: 2 });
      assert.equal(first.pages, 2);
      assert.equal(first.calls, 2);
      assert.deepEqual(first.enqueued, { new: 3, changed: 0 });
      const cursor = await getCursor(store.db, taskPollStream(locationId));
      assert.deepEqual(
        cursor?.tieBreak.map((entry) => entry.split(':')[0]).sort(),
        tasks.map((t) => t.id).sort(),
      );
      const again = await pollTasks(deps, { locationId, queue, pageSize: 2 });
      assert.equal(again.alreadyQueued, 3);
      assert.deepEqual(again.enqueued, { new: 0, changed: 0 });
      assert.deepEqual(await getCursor(store.db, taskPollStream(locationId)), cursor);
      assert.equal((await queue.counts()).waiting, 3);
    });

    test('an empty page and a short page delete and unlink nothing', async () => {
      const { boxes, store, deps, queue, locationId } = await open(`task-poll-empty-${surface}`);
      const { tasks } = await contactWithTasks(boxes, ['A', 'B', 'C']);
      await pollTasks(deps, { locationId, queue });
      await queue.start();
      await synced(3);
      const ttBefore = tasks.map((t) => ttTasks(boxes, t.id).length);

      // Deleted in GHL without a webhook: one short page, then an empty one.
      await operator(boxes.ghlBox, 'DELETE', `/__sandbox/tasks/${tasks[0]?.id ?? ''}`);
      const before = await rowCounts(store);
      const short = await pollTasks(deps, { locationId, queue, pageSize: 5 });
      assert.equal(short.seen, 2);
      for (const t of tasks.slice(1)) {
        await operator(boxes.ghlBox, 'DELETE', `/__sandbox/tasks/${t.id}`);
      }
      const empty = await pollTasks(deps, { locationId, queue });
      assert.equal(empty.seen, 0);
      assert.equal(empty.pages, 1);
      for (const result of [short, empty]) {
        assert.deepEqual(result.enqueued, { new: 0, changed: 0 });
      }
      for (const t of tasks) {
        const link = await findLinkByGhlId(store.db, 'task', locationId, t.id);
        assert.equal(link?.state, 'active', 'a poll never unlinks');
      }
      assert.deepEqual(
        tasks.map((t) => ttTasks(boxes, t.id).length),
        ttBefore,
      );
      assert.deepEqual(await rowCounts(store), before);
      const counts = await queue.counts();
      assert.equal(counts.waiting + counts.active, 0, 'no job was handed over');
    });

    test('a crash before a page commits hands that page over again, and each task syncs once', async () => {
      const { boxes, store, deps, queue, locationId } = await open(`task-poll-crash-${surface}`);
      const { tasks } = await contactWithTasks(boxes, ['P', 'Q', 'R', 'S']);
      // The process dies while committing the second page: its transaction rolls back.
      const crashing = crashingQueue(queue, 2);
      await assert.rejects(pollTasks(deps, { locationId, queue: crashing, pageSize: 2 }), /crash/);
      const halfway = await getCursor(store.db, taskPollStream(locationId));
      assert.equal(halfway?.tieBreak.length, 2, 'the first page was committed');
      assert.equal((await queue.counts()).waiting, 2, "the second page's jobs rolled back");

      const redo = await pollTasks(deps, { locationId, queue, pageSize: 2 });
      assert.equal(redo.alreadyQueued, 2);
      assert.deepEqual(redo.enqueued, { new: 2, changed: 0 });
      await queue.start();
      await synced(4);
      for (const t of tasks) {
        const link = await findLinkByGhlId(store.db, 'task', locationId, t.id);
        assert.equal(link?.state, 'active');
        assert.equal(ttTasks(boxes, t.id).length, surface === 'extended' ? 1 : 0);
      }
      const idle = await pollTasks(deps, { locationId, queue, pageSize: 2 });
      assert.equal(idle.unchanged, 4);
      assert.equal(idle.pending, 0);
    });
  });
}
