/**
 * GHL task → Tenant Turner task against both sandboxes over HTTP, on both databases and both
 * Tenant Turner surfaces: a task is created once under its person (linked inline first), a
 * completion and an edit that GHL announces by no event are caught by the next job, a delete
 * deletes (extended) or is recorded as kept on ttsync's side (real), a repeated job writes
 * nothing, and a TaskCreate without `contactId` is resolved by the location task search.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Store } from '../src/store/database.ts';
import { findLinkByGhlId } from '../src/store/links.ts';
import { listTimeline, listVersions } from '../src/store/records.ts';
import { routeEvent } from '../src/sync/event-routes.ts';
import { personKey } from '../src/sync/jobs.ts';
import { resolveTaskContact } from '../src/sync/task-jobs.ts';
import { TASK_RESOLVE_JOB, TASK_SYNC_JOB } from '../src/sync/task-route.ts';
import type { TaskResolvePayload } from '../src/sync/task-route.ts';
import { syncTask } from '../src/sync/task-sync.ts';
import { operator } from './support/operator.ts';
import { rowCounts } from './support/row-counts.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { ghlInboxEntry, startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

interface TtTaskDto {
  TaskId: number;
  ApplicationId: number;
  Title: string;
  Description?: string;
  TaskStatus: string;
  DueDate?: string;
  AssignedToUserEmail?: string;
  ExternalId?: string;
}

function ttTasks(boxes: Sandboxes, ghlTaskId: string): TtTaskDto[] {
  const all = (boxes.ttBox.state()['tasks'] ?? []) as TtTaskDto[];
  return all.filter((t) => t.ExternalId === ghlTaskId);
}

async function newContact(boxes: Sandboxes, suffix: number) {
  return boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Tia',
    lastName: `Task ${suffix}`,
    email: `tia.${suffix}@example.com`,
    phone: `+1415666${String(1000 + suffix).slice(-4)}`,
  });
}

const counts = (store: Store) => rowCounts(store, ['versions', 'audit', 'timeline']);

for (const surface of ['extended', 'real'] as const) {
  describeEachDialect(`task → TT task (${surface} surface)`, (stores) => {
    let boxes: Sandboxes;
    before(async () => {
      boxes = await startSandboxes({ surface });
    });
    after(() => boxes.close());

    test('create, repeat, complete, silent edit and delete', async () => {
      const store = await stores.open(`tasks-${surface}`);
      const deps = syncDeps(store, boxes);
      const locationId = boxes.ghlBox.locationId;
      const contact = await newContact(boxes, surface === 'extended' ? 1 : 2);
      const [user] = await boxes.ghl.location(locationId).listUsers();
      assert.ok(user?.email, 'the sandbox location has a user');
      const { task } = await operator<{ task: { id: string } }>(
        boxes.ghlBox,
        'POST',
        `/__sandbox/contacts/${contact.id}/tasks`,
        {
          title: 'Call back about the 2BR',
          body: 'Wants a weekend showing',
          dueDate: '2026-12-04T15:00:00.000Z',
          assignedTo: user.id,
        },
      );
      const job = {
        locationId,
        contactId: contact.id,
        taskId: task.id,
        trigger: 'TaskCreate',
        occurredRaw: '2026-11-28T10:15:00-05:00',
      };

      // The contact was never synced: the task links it first.
      const created = await syncTask(deps, job);
      assert.equal(created.kind, surface === 'extended' ? 'created' : 'not_applied');
      const person = await findLinkByGhlId(store.db, 'person', locationId, contact.id);
      assert.equal(person?.state, 'active');
      const link = await findLinkByGhlId(store.db, 'task', locationId, task.id);
      assert.equal(link?.state, 'active');
      assert.equal(link.parentId, person.id);
      if (surface === 'extended') {
        const [tt] = ttTasks(boxes, task.id);
        assert.ok(tt, 'the TT task carries the GHL task id as ExternalId');
        assert.equal(String(tt.ApplicationId), person.ttId);
        assert.equal(tt.Title, 'Call back about the 2BR');
        assert.equal(tt.Description, 'Wants a weekend showing');
        assert.equal(tt.TaskStatus, 'New');
        assert.match(tt.DueDate ?? '', /^2026-12-04/);
        assert.equal(tt.AssignedToUserEmail, user.email.toLowerCase());
        assert.equal(link.ttId, String(tt.TaskId));
      } else {
        assert.equal(ttTasks(boxes, task.id).length, 0);
        assert.equal(link.ttId, undefined);
      }
      const [entry] = await listTimeline(store.db, link.id);
      assert.equal(entry?.kind, 'task_created');
      assert.equal(entry.source, 'ghl');
      assert.equal(entry.occurredRaw, job.occurredRaw);
      assert.equal(entry.occurredAt, Date.parse(job.occurredRaw));
      if (surface === 'real') assert.match(entry.summary, /Tenant Turner has no tasks/);

      // A repeated job writes nothing.
      const before1 = await counts(store);
      assert.equal((await syncTask(deps, job)).kind, 'unchanged');
      assert.deepEqual(await counts(store), before1);

      // Completed.
      await operator(boxes.ghlBox, 'PATCH', `/__sandbox/tasks/${task.id}`, { completed: true });
      const done = await syncTask(deps, {
        ...job,
        trigger: 'TaskComplete',
        occurredRaw: '2026-11-28T16:00:00Z',
      });
      if (surface === 'extended') {
        assert.deepEqual(done, {
          kind: 'updated',
          ttTaskId: Number(link.ttId),
          fields: ['taskStatus'],
        });
        assert.equal(ttTasks(boxes, task.id)[0]?.TaskStatus, 'Completed');
      } else {
        assert.deepEqual(done, {
          kind: 'not_applied',
          change: 'task_completed',
          reason: 'not applied: Tenant Turner has no tasks',
        });
      }

      // An edit GHL announces by no event: caught by the next job for the task.
      await operator(boxes.ghlBox, 'PATCH', `/__sandbox/tasks/${task.id}`, {
        title: 'Call back about the 3BR',
      });
      const edited = await syncTask(deps, { ...job, trigger: 'poll', occurredRaw: undefined });
      assert.equal(edited.kind, surface === 'extended' ? 'updated' : 'not_applied');
      if (surface === 'extended') {
        assert.equal(ttTasks(boxes, task.id)[0]?.Title, 'Call back about the 3BR');
      }
      const versions = await listVersions(store.db, link.id);
      assert.equal(versions.length, 3);
      assert.ok(
        versions.every((v) => v.outcome === (surface === 'extended' ? 'applied' : 'not_applied')),
      );

      // Deleted.
      await operator(boxes.ghlBox, 'DELETE', `/__sandbox/tasks/${task.id}`);
      const removed = await syncTask(deps, {
        ...job,
        trigger: 'TaskDelete',
        occurredRaw: '2026-11-29T09:00:00Z',
      });
      assert.equal(removed.kind, surface === 'extended' ? 'deleted' : 'not_applied');
      assert.equal(ttTasks(boxes, task.id).length, 0);
      const gone = await findLinkByGhlId(store.db, 'task', locationId, task.id);
      assert.equal(gone?.state, 'unlinked');
      assert.deepEqual(
        (await listTimeline(store.db, link.id)).map((t) => t.kind),
        ['task_created', 'task_completed', 'task_updated', 'task_deleted'],
      );
      const before2 = await counts(store);
      assert.equal((await syncTask(deps, { ...job, trigger: 'TaskDelete' })).kind, 'unchanged');
      assert.deepEqual(await counts(store), before2);
    });

    test('completed, reopened and completed again: each change has its timeline entry', async () => {
      const store = await stores.open(`reopen-${surface}`);
      const deps = syncDeps(store, boxes);
      const locationId = boxes.ghlBox.locationId;
      const contact = await newContact(boxes, surface === 'extended' ? 5 : 6);
      const { task } = await operator<{ task: { id: string } }>(
        boxes.ghlBox,
        'POST',
        `/__sandbox/contacts/${contact.id}/tasks`,
        { title: 'Collect the deposit' },
      );
      const job = { locationId, contactId: contact.id, taskId: task.id, trigger: 'TaskCreate' };
      await syncTask(deps, job);
      for (const completed of [true, false, true]) {
        await operator(boxes.ghlBox, 'PATCH', `/__sandbox/tasks/${task.id}`, { completed });
        await syncTask(deps, { ...job, trigger: completed ? 'TaskComplete' : 'poll' });
      }
      const link = await findLinkByGhlId(store.db, 'task', locationId, task.id);
      assert.deepEqual(
        (await listTimeline(store.db, link?.id ?? '')).map((t) => t.kind),
        ['task_created', 'task_completed', 'task_reopened', 'task_completed'],
      );
      if (surface === 'extended') {
        assert.equal(ttTasks(boxes, task.id)[0]?.TaskStatus, 'Completed');
      }
    });

    test('a TaskCreate without contactId is resolved by the location task search', async () => {
      const store = await stores.open(`resolve-${surface}`);
      const deps = syncDeps(store, boxes);
      const locationId = boxes.ghlBox.locationId;
      const contact = await newContact(boxes, surface === 'extended' ? 3 : 4);
      const { task } = await operator<{ task: { id: string } }>(
        boxes.ghlBox,
        'POST',
        `/__sandbox/contacts/${contact.id}/tasks`,
        { title: `Send the application link ${surface}` },
      );
      const withContact = routeEvent(
        ghlInboxEntry('TaskComplete', 'wh-TaskComplete', {
          locationId,
          id: task.id,
          contactId: contact.id,
        }),
      );
      assert.ok(withContact && 'name' in withContact);
      assert.equal(withContact.name, TASK_SYNC_JOB);
      assert.equal(withContact.key, personKey(locationId, contact.id));
      assert.equal(withContact.coalesceKey, `task:${task.id}`);

      const spec = routeEvent(
        ghlInboxEntry('TaskCreate', 'wh-TaskCreate', {
          locationId,
          id: task.id,
          title: `Send the application link ${surface}`,
          dateAdded: '2026-11-28T12:00:00.000Z',
        }),
      );
      assert.ok(spec && 'name' in spec, 'not dropped');
      assert.equal(spec.name, TASK_RESOLVE_JOB);
      const payload = spec.payload as TaskResolvePayload;
      const contactId = await resolveTaskContact(deps, locationId, task.id, payload.title);
      assert.equal(contactId, contact.id);
      assert.equal(
        await resolveTaskContact(deps, locationId, 'no-such-task-id-000000'),
        undefined,
        'not found: the job throws and retries',
      );
      const outcome = await syncTask(deps, { ...payload, contactId });
      assert.equal(outcome.kind, surface === 'extended' ? 'created' : 'not_applied');
      const link = await findLinkByGhlId(store.db, 'task', locationId, task.id);
      const [entry] = await listTimeline(store.db, link?.id ?? '');
      assert.equal(entry?.occurredRaw, '2026-11-28T12:00:00.000Z');
    });
  });
}
