/**
 * `backfillAppointments` against both sandboxes in-process, on both databases: an appointment
 * read from a calendar window becomes a showing whose timeline entry sits at GHL's booking time
 * (`dateAdded`, as GHL wrote it), not at the time the backfill ran.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findLinkByGhlId } from '../src/store/links.ts';
import { listTimeline } from '../src/store/records.ts';
import type { AppointmentLike } from '../src/sync/appointment-mapping.ts';
import { backfillAppointments } from '../src/sync/backfill-appointments.ts';
import { syncContact } from '../src/sync/contact-sync.ts';
import { operator } from './support/operator.ts';
import { describeEachDialect } from './support/stores.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';

const START = '2026-12-10T09:00:00-08:00';
const HOUR_MS = 3_600_000;

describeEachDialect('backfill of appointments', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' }, 3);
  });
  after(() => boxes.close());

  test("a showing the backfill books is on the timeline at the appointment's dateAdded", async () => {
    const store = await stores.open('backfill-appointments-dates');
    const locationId = boxes.ghlBox.locationId;
    const ghl = boxes.ghl.location(locationId);
    const [calendar] = await ghl.listCalendars({});
    assert.ok(calendar, 'the GHL sandbox has a calendar');
    const [rental] = boxes.ttBox.state()['properties'] as { PropertyId: number }[];
    assert.ok(rental, 'the Tenant Turner sandbox has a rental');
    // The calendar names the rental, so the appointment needs no address.
    const mapping = { appointments: { calendarRentals: { [calendar.id]: rental.PropertyId } } };
    const deps = syncDeps(store, boxes, mapping);
    const contact = await ghl.createContact({
      firstName: 'Ines',
      lastName: 'Backfill',
      email: 'ines.backfill@example.com',
      phone: '+14155553100',
    });
    const { appointment } = await operator<{ appointment: AppointmentLike }>(
      boxes.ghlBox,
      'POST',
      `/__sandbox/contacts/${contact.id}/appointments`,
      { calendarId: calendar.id, startTime: START, appointmentStatus: 'confirmed' },
    );
    assert.ok(appointment.dateAdded);
    // The contacts phase comes first: the children phase needs the contact's lead.
    const person = await syncContact(deps, {
      locationId,
      contactId: contact.id,
      trigger: 'backfill',
    });
    assert.equal(person.kind, 'created');
    // Only this appointment's window (the seeded ones lie elsewhere).
    const start = Date.parse(START);
    const progress = await backfillAppointments(deps, {
      locationId,
      from: start - HOUR_MS,
      to: start + HOUR_MS,
    });
    assert.equal(progress.outcomes.created, 1);

    const link = await findLinkByGhlId(store.db, 'appointment', locationId, appointment.id);
    assert.equal(link?.state, 'active');
    const [entry, ...more] = await listTimeline(store.db, link.id);
    assert.equal(more.length, 0);
    assert.equal(entry?.kind, 'showing_created');
    assert.equal(entry.occurredRaw, appointment.dateAdded, 'as GHL wrote it, zone kept');
    assert.equal(entry.occurredAt, Date.parse(appointment.dateAdded));
  });
});
