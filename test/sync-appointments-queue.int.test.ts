/**
 * Appointments through the job queue and through failures, on both databases (extended
 * surface): stored AppointmentCreate webhooks are routed to `appointment-sync` under the
 * person's key and complete with a showing; an appointment that matches no rental goes straight
 * to the dead-letter list (no retries) with the rule to add; and a showing create whose response
 * was lost is found again by its `ExternalId` on the retry, so no second showing is booked
 * (Tenant Turner's showing create is not idempotent).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { findLinkByGhlId } from '../src/store/links.ts';
import { APPOINTMENT_SYNC_JOB } from '../src/sync/appointment-jobs.ts';
import type { AppointmentLike } from '../src/sync/appointment-mapping.ts';
import { syncAppointment } from '../src/sync/appointment-sync.ts';
import { routeEvent } from '../src/sync/event-routes.ts';
import { personKey, registerSyncHandlers } from '../src/sync/jobs.ts';
import { operator } from './support/operator.ts';
import { QueueHarness } from './support/queue-harness.ts';
import { activeRental } from './support/rentals.ts';
import type { TtProperty } from './support/rentals.ts';
import { describeEachDialect } from './support/stores.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { ghlInboxEntry, startSandboxes, syncDeps } from './support/sync-harness.ts';

const START = '2026-12-05T09:00:00-05:00';

function showingCount(boxes: Sandboxes, appointmentId: string): number {
  const all = boxes.ttBox.state()['showings'] as { ExternalId: string | null }[];
  return all.filter((s) => s.ExternalId === appointmentId).length;
}

function rentalAddress(boxes: Sandboxes): string {
  return activeRental(boxes.ttBox.state()['properties'] as TtProperty[]).address;
}

async function contactWithAppointment(boxes: Sandboxes, n: number, address: string) {
  const contact = await boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Lia',
    lastName: `Queue ${n}`,
    email: `lia.${n}@example.com`,
    phone: `+1415666${String(1000 + n).slice(-4)}`,
  });
  const { appointment } = await operator<{ appointment: AppointmentLike }>(
    boxes.ghlBox,
    'POST',
    `/__sandbox/contacts/${contact.id}/appointments`,
    { address, startTime: START, appointmentStatus: 'confirmed' },
  );
  return { contact, appointment };
}

describeEachDialect('appointments through the queue and failures', (stores) => {
  let boxes: Sandboxes;
  let queues: QueueHarness;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' });
  });
  after(() => boxes.close());
  afterEach(() => queues.stopAll());

  test('a routed appointment completes with a showing; one with no rental is dead at once', async () => {
    queues = new QueueHarness();
    const store = await stores.open('appt-queue');
    const queue = queues.open(store);
    registerSyncHandlers(queue, syncDeps(store, boxes));
    const locationId = boxes.ghlBox.locationId;
    const base = stores.dialect === 'sqlite' ? 10 : 20;
    const good = await contactWithAppointment(boxes, base + 1, rentalAddress(boxes));
    const bad = await contactWithAppointment(boxes, base + 2, '9 Nowhere Lane, Atlantis, ZZ 00000');
    await queue.start();
    for (const { contact, appointment } of [good, bad]) {
      const spec = routeEvent(
        ghlInboxEntry(
          'AppointmentCreate',
          `wh-${appointment.id}`,
          { locationId, appointment: { ...appointment, contactId: contact.id } },
          locationId,
        ),
      );
      assert.ok(spec && 'name' in spec);
      assert.equal(spec.name, APPOINTMENT_SYNC_JOB);
      assert.equal(spec.key, personKey(locationId, contact.id));
      await queue.enqueue(spec.name, spec.payload, {
        key: spec.key,
        coalesceKey: spec.coalesceKey,
      });
    }
    const [done] = await queues.outcomes.wait(
      (o) => o.name === APPOINTMENT_SYNC_JOB && o.outcome === 'completed',
      'appointment-sync completed',
    );
    assert.equal(done?.key, personKey(locationId, good.contact.id));
    assert.equal(showingCount(boxes, good.appointment.id), 1);
    const [dead] = await queues.outcomes.wait(
      (o) => o.name === APPOINTMENT_SYNC_JOB && o.outcome === 'dead',
      'the appointment without a rental is dead',
    );
    assert.equal(dead?.key, personKey(locationId, bad.contact.id));
    assert.equal(dead.attempt, 1, 'not retried');
    assert.match(dead.error?.message ?? '', /Add a rental rule to the mapping/);
    assert.equal(showingCount(boxes, bad.appointment.id), 0);
  });

  test('a showing create whose response was lost is found on the retry, not booked twice', async () => {
    queues = new QueueHarness();
    const store = await stores.open('appt-once');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    const n = stores.dialect === 'sqlite' ? 31 : 32;
    const { contact, appointment } = await contactWithAppointment(boxes, n, rentalAddress(boxes));
    const job = {
      locationId,
      contactId: contact.id,
      appointmentId: appointment.id,
      trigger: 'AppointmentCreate',
      appointment,
    };
    const faults = (drop: number) =>
      operator(boxes.ttBox, 'POST', '/__sandbox/faults', {
        dropResponses: { 'POST /v1/showings': drop },
      });
    await faults(1);
    await assert.rejects(syncAppointment(deps, job), 'the lost response fails the first try');
    await faults(0);
    assert.equal(showingCount(boxes, appointment.id), 1, 'the first attempt booked it');
    const link = await findLinkByGhlId(store.db, 'appointment', locationId, appointment.id);
    assert.equal(link?.state, 'pending', 'linked before the write');
    const retried = await syncAppointment(deps, job);
    assert.equal(retried.kind, 'created');
    assert.equal(showingCount(boxes, appointment.id), 1);
    const active = await findLinkByGhlId(store.db, 'appointment', locationId, appointment.id);
    assert.equal(active?.state, 'active');
  });
});
