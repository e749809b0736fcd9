/**
 * Tasks end to end: `ttsync serve` and both sandboxes as separate processes over HTTP, on both
 * Tenant Turner surfaces. The GHL sandbox sends every TaskCreate without `contactId` (as real
 * GHL does at times); the task still reaches Tenant Turner (extended) or ttsync's timeline
 * (real). An edit, which GHL announces by no event, rides on the next event of the task (its
 * completion); the deletion follows; `ttsync timeline` lists each step at GHL's own time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  childTimelineReaches,
  contactWithLead,
  ghlOperator,
  ghlUsers,
  startChildStack,
  timelineOf,
  ttRecordOf,
  ttState,
  webhookTimestamp,
} from './support/children-e2e.ts';
import type { ChildStack } from './support/children-e2e.ts';
import { runTtsync } from './support/processes.ts';

interface TtTask {
  TaskId: number;
  ApplicationId: number;
  Title: string;
  Description: string | null;
  TaskStatus: string;
  DueDate: string | null;
  AssignedToUserEmail: string | null;
  ExternalId: string | null;
}

interface GhlTask {
  id: string;
}

const NO_TASKS = 'not applied: Tenant Turner has no tasks';

for (const surface of ['extended', 'real'] as const) {
  describe(`tasks end to end (${surface} surface)`, () => {
    const extended = surface === 'extended';
    let stack: ChildStack;
    before(async () => {
      stack = await startChildStack(surface, { ghlFaults: { taskCreateWithoutContactRate: 1 } });
    });
    after(() => stack.close());

    test('a TaskCreate without contactId arrives; an edit rides on the completion; deletion follows', async () => {
      const { contactId, email, leadId } = await contactWithLead(stack, 'Eve', 1);
      const [agent] = await ghlUsers(stack);
      assert.ok(agent, 'the location has a user');
      const { task } = await ghlOperator<{ task: GhlTask }>(
        stack,
        'POST',
        `/__sandbox/contacts/${contactId}/tasks`,
        {
          title: 'Book a showing',
          body: 'Call before noon',
          dueDate: '2026-12-05T17:00:00Z',
          assignedTo: agent.id,
        },
      );
      const ttTask = () => ttRecordOf<TtTask>(stack, 'tasks', task.id);

      assert.deepEqual(await childTimelineReaches(stack, 'task', task.id, 1), ['task_created']);
      const created = await ttTask();
      if (extended) {
        assert.equal(created?.Title, 'Book a showing');
        assert.equal(created.Description, 'Call before noon');
        assert.equal(created.TaskStatus, 'New');
        assert.equal(created.DueDate?.slice(0, 10), '2026-12-05');
        assert.equal(created.AssignedToUserEmail, agent.email, 'the assignee by email');
        assert.equal(created.ApplicationId, leadId);
      } else {
        assert.equal(created, undefined);
      }

      // GHL sends no event for an edit: it is caught by the task's next event.
      await ghlOperator(stack, 'PATCH', `/__sandbox/tasks/${task.id}`, {
        title: 'Book a showing on Friday',
        dueDate: '2026-12-06T17:00:00Z',
      });
      await ghlOperator(stack, 'PATCH', `/__sandbox/tasks/${task.id}`, { completed: true });
      assert.deepEqual(await childTimelineReaches(stack, 'task', task.id, 2), [
        'task_created',
        'task_completed',
      ]);
      if (extended) {
        const done = await ttTask();
        assert.ok(done, 'the Tenant Turner task');
        assert.equal(done.TaskId, created?.TaskId, 'the same Tenant Turner task');
        assert.equal(done.Title, 'Book a showing on Friday');
        assert.equal(done.DueDate?.slice(0, 10), '2026-12-06');
        assert.equal(done.TaskStatus, 'Completed');
      }

      await ghlOperator(stack, 'DELETE', `/__sandbox/tasks/${task.id}`);
      assert.deepEqual(await childTimelineReaches(stack, 'task', task.id, 3), [
        'task_created',
        'task_completed',
        'task_deleted',
      ]);
      assert.equal(await ttTask(), undefined);
      const { tasks } = await ttState<{ tasks: TtTask[] }>(stack);
      if (!extended) assert.deepEqual(tasks, [], 'nothing was written to Tenant Turner');

      const { lines } = await timelineOf(stack, email);
      const steps = lines.filter((l) => l.kind.startsWith('task_'));
      assert.deepEqual(
        steps.map((l) => [l.kind, l.source, l.when]),
        [
          ['task_created', 'ghl', webhookTimestamp(stack, 'TaskCreate', task.id, 'dateAdded')],
          ['task_completed', 'ghl', webhookTimestamp(stack, 'TaskComplete', task.id)],
          ['task_deleted', 'ghl', webhookTimestamp(stack, 'TaskDelete', task.id)],
        ],
        "each step at GHL's own time",
      );
      const [add, complete, remove] = steps.map((l) => l.summary);
      assert.match(add ?? '', /^Task "Book a showing" created in GHL; /);
      assert.match(complete ?? '', /^Task "Book a showing on Friday" completed in GHL; /);
      assert.match(remove ?? '', /^Task "Book a showing on Friday" deleted in GHL; /);
      for (const summary of [add, complete, remove]) {
        assert.equal(summary?.endsWith(NO_TASKS), !extended, summary);
      }
      if (extended) {
        const ttId = created?.TaskId;
        assert.match(add ?? '', new RegExp(`; Tenant Turner task ${ttId} created$`));
        assert.match(complete ?? '', new RegExp(`; Tenant Turner task ${ttId} updated$`));
        assert.match(remove ?? '', new RegExp(`; Tenant Turner task ${ttId} deleted$`));
      }
    });

    test('an edit GHL announces by no event is caught by ttsync poll tasks', async () => {
      const { contactId, email } = await contactWithLead(stack, 'Eli', 2);
      const { task } = await ghlOperator<{ task: GhlTask }>(
        stack,
        'POST',
        `/__sandbox/contacts/${contactId}/tasks`,
        { title: 'Send the application link' },
      );
      await childTimelineReaches(stack, 'task', task.id, 1);
      const before = await ttRecordOf<TtTask>(stack, 'tasks', task.id);
      await ghlOperator(stack, 'PATCH', `/__sandbox/tasks/${task.id}`, {
        title: 'Send the application link and the pet policy',
        body: 'Two cats',
      });

      const poll = runTtsync(['poll', 'tasks'], stack.env);
      assert.equal(await poll.exited, 0, poll.output());
      assert.match(poll.output(), /\b1 changed handed to the queue \(task-sync\)/);
      assert.deepEqual(await childTimelineReaches(stack, 'task', task.id, 2), [
        'task_created',
        'task_updated',
      ]);
      const after = await ttRecordOf<TtTask>(stack, 'tasks', task.id);
      if (extended) {
        assert.equal(after?.TaskId, before?.TaskId, 'the same Tenant Turner task');
        assert.equal(after?.Title, 'Send the application link and the pet policy');
        assert.equal(after?.Description, 'Two cats');
        assert.equal(after?.TaskStatus, 'New');
      } else {
        assert.equal(after, undefined);
      }
      const again = runTtsync(['poll', 'tasks'], stack.env);
      assert.equal(await again.exited, 0, again.output());
      assert.match(again.output(), /\b0 new and 0 changed handed to the queue/);

      const { lines } = await timelineOf(stack, email);
      const edit = lines.find((l) => l.kind === 'task_updated');
      assert.ok(edit, 'the edit is on the timeline');
      assert.equal(edit.source, 'ghl');
      assert.match(
        edit.summary,
        /^Task "Send the application link and the pet policy" updated in GHL; /,
      );
      assert.equal(edit.summary.endsWith(NO_TASKS), !extended, edit.summary);
    });
  });
}
