/**
 * The polls of `ttsync serve` end to end: both sandboxes and ttsync as processes over HTTP, on
 * both Tenant Turner surfaces, with the GHL sandbox dropping every webhook. The contact still
 * gets its lead (contact poll), its task reaches Tenant Turner (extended) or ttsync's timeline
 * (real) and so does an edit GHL would announce by no event anyway (task poll), and an
 * appointment booked and then moved becomes a showing and its update (appointment poll).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  childTimelineReaches,
  contactWithLead,
  ghlOperator,
  startChildStack,
  ttRecordOf,
  ttState,
} from './support/children-e2e.ts';
import type { ChildStack } from './support/children-e2e.ts';
import { eventually } from './support/processes.ts';

interface TtTask {
  Title: string;
  ExternalId: string | null;
}

interface TtShowing {
  ScheduledTime: string | null;
  ExternalId: string | null;
}

interface TtProperty {
  Address: string;
  City: string;
  State: string;
  ZipCode: string;
  IsActive: boolean;
}

const HOUR = 3_600_000;
const START = new Date(Math.ceil((Date.now() + 2 * 24 * HOUR) / HOUR) * HOUR).toISOString();
const LATER = new Date(Date.parse(START) + 3 * HOUR).toISOString();

for (const surface of ['extended', 'real'] as const) {
  describe(`polls of ttsync serve with every webhook dropped (${surface} surface)`, () => {
    const extended = surface === 'extended';
    let stack: ChildStack;
    before(async () => {
      stack = await startChildStack(surface, {
        ghlFaults: { webhookDropRate: 1 },
        env: {
          TTSYNC_POLL_INTERVAL_MS: '300',
          TTSYNC_TASK_POLL_INTERVAL_MS: '300',
          TTSYNC_APPOINTMENT_POLL_INTERVAL_MS: '300',
          TTSYNC_POLL_BUDGET_SHARE: '1',
          TTSYNC_APPOINTMENT_POLL_DAYS_BACK: '1',
          TTSYNC_APPOINTMENT_POLL_DAYS_AHEAD: '20',
        },
      });
    });
    after(() => stack.close());

    test('a contact, its task, a task edit and a moved appointment all arrive by the polls', async () => {
      const { contactId } = await contactWithLead(stack, 'Polly', surface === 'extended' ? 1 : 2);

      const { task } = await ghlOperator<{ task: { id: string } }>(
        stack,
        'POST',
        `/__sandbox/contacts/${contactId}/tasks`,
        { title: 'Return the keys' },
      );
      assert.deepEqual(await childTimelineReaches(stack, 'task', task.id, 1), ['task_created']);
      await ghlOperator(stack, 'PATCH', `/__sandbox/tasks/${task.id}`, {
        title: 'Return both sets of keys',
      });
      assert.deepEqual(await childTimelineReaches(stack, 'task', task.id, 2), [
        'task_created',
        'task_updated',
      ]);
      const ttTask = await ttRecordOf<TtTask>(stack, 'tasks', task.id);
      if (extended) assert.equal(ttTask?.Title, 'Return both sets of keys');
      else assert.equal(ttTask, undefined, 'the real surface has no tasks');

      const { properties } = await ttState<{ properties: TtProperty[] }>(stack);
      const rental = properties.find((p) => p.IsActive);
      assert.ok(rental);
      const { appointment } = await ghlOperator<{ appointment: { id: string } }>(
        stack,
        'POST',
        `/__sandbox/contacts/${contactId}/appointments`,
        {
          address: `${rental.Address}, ${rental.City}, ${rental.State} ${rental.ZipCode}`,
          startTime: START,
          appointmentStatus: 'confirmed',
        },
      );
      await childTimelineReaches(stack, 'appointment', appointment.id, 1);
      assert.ok(await ttRecordOf<TtShowing>(stack, 'showings', appointment.id));
      await ghlOperator(stack, 'PATCH', `/__sandbox/appointments/${appointment.id}`, {
        startTime: LATER,
      });
      const kinds = await childTimelineReaches(stack, 'appointment', appointment.id, 2);
      assert.equal(kinds.length, 2);
      if (extended) {
        await eventually(async () => {
          const showing = await ttRecordOf<TtShowing>(stack, 'showings', appointment.id);
          return Date.parse(showing?.ScheduledTime ?? '') === Date.parse(LATER) ? true : undefined;
        }, 'the showing rescheduled');
      }
      const { deliveries } = await ghlOperator<{ deliveries: { outcome: string }[] }>(
        stack,
        'GET',
        '/__sandbox/webhooks',
      );
      assert.ok(deliveries.length >= 4, 'GHL emitted the events');
      assert.ok(
        deliveries.every((d) => d.outcome === 'dropped'),
        'and dropped every one of them',
      );
    });
  });
}
