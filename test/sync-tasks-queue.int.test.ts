/**
 * Tasks through the job queue and through failures, on both databases (extended surface, where
 * Tenant Turner has tasks to duplicate): a TaskCreate without `contactId` runs as `task-resolve`,
 * which enqueues `task-sync` under the person's key; a task that the search cannot find is
 * retried, not dropped; a create whose response was lost, retried, and a crash between the create
 * and the commit make no second Tenant Turner task.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { findLinkByGhlId } from '../src/store/links.ts';
import { routeEvent } from '../src/sync/event-routes.ts';
import { personKey } from '../src/sync/jobs.ts';
import { registerSyncHandlers } from '../src/sync/jobs.ts';
import { TASK_RESOLVE_JOB, TASK_SYNC_JOB } from '../src/sync/task-route.ts';
import { syncTask } from '../src/sync/task-sync.ts';
import { operator } from './support/operator.ts';
import { QueueHarness } from './support/queue-harness.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { ghlInboxEntry, startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

function ttTaskCount(boxes: Sandboxes, ghlTaskId: string): number {
  const all = (boxes.ttBox.state()['tasks'] ?? []) as { ExternalId?: string }[];
  return all.filter((t) => t.ExternalId === ghlTaskId).length;
}

async function contactWithTask(boxes: Sandboxes, n: number, title: string) {
  const contact = await boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Quin',
    lastName: `Queue ${n}`,
    email: `quin.${n}@example.com`,
    phone: `+1415777${String(1000 + n).slice(-4)}`,
  });
  const { task } = await operator<{ task: { id: string } }>(
    boxes.ghlBox,
    'POST',
    `/__sandbox/contacts/${contact.id}/tasks`,
    { title },
  );
  return { contact, task };
}

describeEachDialect('tasks through the queue and failures', (stores) => {
  let boxes: Sandboxes;
  let queues: QueueHarness;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' });
  });
  after(() => boxes.close());
  afterEach(() => queues.stopAll());

  test('a TaskCreate without contactId is resolved, then synced under the person key', async () => {
    queues = new QueueHarness();
    const store = await stores.open('task-queue');
    const deps = syncDeps(store, boxes);
    const queue = queues.open(store);
    registerSyncHandlers(queue, deps);
    const locationId = boxes.ghlBox.locationId;
    const { contact, task } = await contactWithTask(
      boxes,
      stores.dialect === 'sqlite' ? 1 : 2,
      'Q',
    );
    await queue.start();
    for (const id of [task.id, 'missing-task-0000000001']) {
      const spec = routeEvent(
        ghlInboxEntry('TaskCreate', `wh-${id}`, { locationId, id, title: 'Q' }),
      );
      assert.ok(spec && 'name' in spec);
      assert.equal(spec.name, TASK_RESOLVE_JOB);
      await queue.enqueue(spec.name, spec.payload, {
        key: spec.key,
        coalesceKey: spec.coalesceKey,
      });
    }
    const [synced] = await queues.outcomes.wait(
      (o) => o.name === TASK_SYNC_JOB && o.outcome === 'completed',
      'task-sync completed',
    );
    assert.equal(synced?.key, personKey(locationId, contact.id));
    assert.equal(ttTaskCount(boxes, task.id), 1);
    const link = await findLinkByGhlId(store.db, 'task', locationId, task.id);
    assert.equal(link?.state, 'active');
    await queues.outcomes.wait(
      (o) => o.name === TASK_RESOLVE_JOB && o.outcome === 'retry',
      'the unresolvable task retried',
    );
  });

  test('a lost create response and a crash before the commit make no second TT task', async () => {
    queues = new QueueHarness();
    const store = await stores.open('task-once');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    const n = stores.dialect === 'sqlite' ? 3 : 4;
    const { contact, task } = await contactWithTask(boxes, n, 'Once');
    const job = { locationId, contactId: contact.id, taskId: task.id, trigger: 'TaskCreate' };
    const faults = (drop: number) =>
      operator(boxes.ttBox, 'POST', '/__sandbox/faults', {
        dropResponses: { 'POST /v1/applications/:applicationId/tasks': drop },
      });
    await faults(1);
    await assert.rejects(syncTask(deps, job), 'the lost response fails the first try');
    await faults(0);
    assert.equal(ttTaskCount(boxes, task.id), 1, 'the first attempt made the task');
    assert.equal((await syncTask(deps, job)).kind, 'created');
    assert.equal(ttTaskCount(boxes, task.id), 1);
    const link = await findLinkByGhlId(store.db, 'task', locationId, task.id);
    assert.equal(link?.state, 'active');

    // Another database that never committed: the create returns the first task.
    const crashed = await stores.open('task-crashed');
    const again = await syncTask(syncDeps(crashed, boxes), job);
    assert.equal(again.kind, 'created');
    assert.equal(ttTaskCount(boxes, task.id), 1);
  });
});
