/**
 * GHL appointment → Tenant Turner showing against both sandboxes over HTTP, on both databases
 * and both Tenant Turner surfaces: an appointment at a rental's address becomes one showing for
 * the contact's lead (the contact synced first); repeats write nothing; status changes and
 * reschedules are applied where Tenant Turner offers `showing-update` and recorded as not
 * applied where it does not; a deleted appointment cancels its showing (deleted means GET says
 * 404: absence from the contact's list is not a delete); an appointment that matches no rental is
 * recorded, at GHL's time of the change, and fails with a non-retryable error naming the rule to
 * add.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findLinkByGhlId } from '../src/store/links.ts';
import { listTimeline, listVersions } from '../src/store/records.ts';
import type { AppointmentLike } from '../src/sync/appointment-mapping.ts';
import { appointmentRoute } from '../src/sync/appointment-route.ts';
import { syncAppointment } from '../src/sync/appointment-sync.ts';
import type { AppointmentSyncJob } from '../src/sync/appointment-sync.ts';
import type { ContactSyncDeps } from '../src/sync/contact-sync.ts';
import type { Store } from '../src/store/database.ts';
import { operator } from './support/operator.ts';
import { describeEachDialect } from './support/stores.ts';
import { activeRental } from './support/rentals.ts';
import type { TtProperty, TtShowing } from './support/rentals.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';

const START = '2026-12-03T10:00:00-08:00';
const LATER = '2026-12-04T15:30:00-08:00';

function showingOf(boxes: Sandboxes, appointmentId: string): TtShowing[] {
  const all = boxes.ttBox.state()['showings'] as TtShowing[];
  return all.filter((s) => s.ExternalId === appointmentId);
}

/** An active seeded rental's address as a person would type it. */
function rentalAddress(boxes: Sandboxes): { propertyId: number; address: string } {
  return activeRental(boxes.ttBox.state()['properties'] as TtProperty[]);
}

async function newContact(boxes: Sandboxes, n: number) {
  return boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Rui',
    lastName: `Costa ${n}`,
    email: `rui.${n}@example.com`,
    phone: `+1415555${String(2000 + n)}`,
  });
}

async function book(
  boxes: Sandboxes,
  contactId: string,
  body: Record<string, unknown>,
): Promise<AppointmentLike> {
  const answer = await operator<{ appointment: AppointmentLike }>(
    boxes.ghlBox,
    'POST',
    `/__sandbox/contacts/${contactId}/appointments`,
    body,
  );
  return answer.appointment;
}

async function edit(boxes: Sandboxes, id: string, body: Record<string, unknown>) {
  const answer = await operator<{ appointment: AppointmentLike }>(
    boxes.ghlBox,
    'PATCH',
    `/__sandbox/appointments/${id}`,
    body,
  );
  return answer.appointment;
}

function jobFor(
  boxes: Sandboxes,
  contactId: string,
  appointment: AppointmentLike,
  trigger = 'AppointmentCreate',
): AppointmentSyncJob {
  return {
    locationId: boxes.ghlBox.locationId,
    contactId,
    appointmentId: appointment.id,
    trigger,
    appointment,
  };
}

/** Resolves once the clock has passed `ms`. */
async function untilAfter(ms: number): Promise<void> {
  const wait = ms - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 5));
}

async function versionsCount(deps: ContactSyncDeps): Promise<number> {
  const row = await deps.db
    .selectFrom('versions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const surface of ['extended', 'real'] as const) {
  describeEachDialect(`appointment → showing (${surface} surface)`, (stores) => {
    let boxes: Sandboxes;
    before(async () => {
      boxes = await startSandboxes({ surface });
    });
    after(() => boxes.close());

    /** A fresh store, contact `n`, and one appointment of theirs at a rental at START. */
    async function booked(name: string, n: number, appointmentStatus?: string) {
      const store = await stores.open(`${name}-${surface}`);
      const deps = syncDeps(store, boxes);
      const contact = await newContact(boxes, n);
      const rental = rentalAddress(boxes);
      const appointment = await book(boxes, contact.id, {
        address: rental.address,
        startTime: START,
        ...(appointmentStatus ? { appointmentStatus } : {}),
      });
      return { store, deps, contact, rental, appointment };
    }

    /** The appointment's link in `store`. */
    const linkOf = (store: Store, appointmentId: string) =>
      findLinkByGhlId(store.db, 'appointment', boxes.ghlBox.locationId, appointmentId);

    test('an appointment at a rental address becomes one showing; a repeat writes nothing', async () => {
      const { store, deps, contact, rental, appointment } = await booked(
        'appt-create',
        1,
        'confirmed',
      );
      const job = jobFor(boxes, contact.id, appointment);
      const outcome = await syncAppointment(deps, job);
      assert.equal(outcome.kind, 'created');

      const person = await findLinkByGhlId(store.db, 'person', job.locationId, contact.id);
      assert.equal(person?.state, 'active', 'the contact was synced first');
      const [showing, ...more] = showingOf(boxes, appointment.id);
      assert.ok(showing);
      assert.equal(more.length, 0);
      assert.equal(showing.ShowingId, outcome.showingId);
      assert.equal(String(showing.ApplicationId), person.ttId);
      assert.equal(showing.PropertyId, rental.propertyId);
      assert.equal(Date.parse(showing.RequestedTimes[0] ?? ''), Date.parse(START));
      const link = await findLinkByGhlId(store.db, 'appointment', job.locationId, appointment.id);
      assert.equal(link?.state, 'active');
      assert.equal(link.parentId, person.id);
      assert.equal(link.ttId, String(showing.ShowingId));
      if (surface === 'extended') {
        assert.equal(showing.Status, 'Confirmed');
        assert.equal(Date.parse(showing.ScheduledTime ?? ''), Date.parse(START));
        assert.deepEqual(outcome.notApplied, []);
      } else {
        assert.equal(showing.Status, 'Requested', 'the real surface cannot confirm it');
        assert.deepEqual(outcome.notApplied, [
          `scheduled for ${new Date(START).toISOString()}`,
          'status → Confirmed',
        ]);
        const [version] = await listVersions(store.db, link.id);
        assert.equal(version?.outcome, 'not_applied');
        assert.match(version.note ?? '', /Tenant Turner has no showing update/);
      }
      const timeline = await listTimeline(store.db, link.id);
      assert.equal(timeline.length, 1);
      assert.equal(timeline[0]?.kind, 'showing_created');
      // At the time the appointment was booked in GHL, as GHL wrote it (zone kept).
      assert.ok(appointment.dateAdded);
      assert.equal(timeline[0]?.occurredRaw, appointment.dateAdded, 'the time keeps its zone');
      assert.equal(timeline[0]?.occurredAt, Date.parse(appointment.dateAdded));
      assert.match(timeline[0]?.summary ?? '', new RegExp(`for ${appointment.startTime}`));

      const count = await versionsCount(deps);
      const again = await syncAppointment(deps, { ...job, trigger: 'AppointmentUpdate' });
      assert.equal(again.kind, 'unchanged');
      assert.equal(showingOf(boxes, appointment.id).length, 1);
      assert.equal(await versionsCount(deps), count);
    });

    test('a reschedule and a no-show are applied where possible, recorded otherwise', async () => {
      const { store, deps, contact, appointment } = await booked('appt-update', 2, 'confirmed');
      await syncAppointment(deps, jobFor(boxes, contact.id, appointment));

      const moved = await edit(boxes, appointment.id, { startTime: LATER });
      const rescheduled = await syncAppointment(
        deps,
        jobFor(boxes, contact.id, moved, 'AppointmentUpdate'),
      );
      const noShow = await edit(boxes, appointment.id, { appointmentStatus: 'noshow' });
      const missed = await syncAppointment(
        deps,
        jobFor(boxes, contact.id, noShow, 'AppointmentUpdate'),
      );
      const [showing] = showingOf(boxes, appointment.id);
      assert.ok(showing);
      const appointmentLink = await linkOf(store, appointment.id);
      assert.ok(appointmentLink);
      const timeline = await listTimeline(store.db, appointmentLink.id);
      if (surface === 'extended') {
        assert.equal(rescheduled.kind, 'updated');
        assert.deepEqual(rescheduled.applied, [
          `scheduled for ${new Date(LATER).toISOString()}`,
          'status → Confirmed',
        ]);
        assert.equal(missed.kind, 'updated');
        assert.deepEqual(missed.applied, ['status → NoShow']);
        assert.equal(showing.Status, 'NoShow');
        assert.equal(showing.Rescheduled, true);
        assert.equal(Date.parse(showing.ScheduledTime ?? ''), Date.parse(LATER));
        // Ordered by when things happened in GHL: the booking, then each change at its dateUpdated.
        assert.deepEqual(
          timeline.map((t) => t.kind),
          ['showing_created', 'showing_updated', 'showing_updated'],
        );
        assert.deepEqual(
          timeline.map((t) => t.occurredRaw),
          [appointment.dateAdded, moved.dateUpdated, noShow.dateUpdated],
        );
      } else {
        assert.equal(rescheduled.kind, 'not_applied');
        assert.equal(missed.kind, 'not_applied');
        assert.equal(showing.Status, 'Requested');
        assert.equal(showing.ScheduledTime, null);
        const versions = await listVersions(store.db, appointmentLink.id);
        assert.deepEqual(
          versions.map((v) => v.outcome),
          ['not_applied', 'not_applied', 'not_applied'],
        );
        assert.deepEqual(
          timeline.map((t) => t.kind),
          ['showing_created', 'showing_update_not_applied', 'showing_update_not_applied'],
        );
        assert.equal(
          (await syncAppointment(deps, jobFor(boxes, contact.id, noShow, 'AppointmentUpdate')))
            .kind,
          'unchanged',
          'the same change is not recorded twice',
        );
      }
    });

    test('a cancelled or deleted appointment cancels its showing where possible', async () => {
      const booking = await booked('appt-cancel', 3);
      const { store, deps, contact, rental, appointment: first } = booking;
      const second = await book(boxes, contact.id, { address: rental.address, startTime: LATER });
      await syncAppointment(deps, jobFor(boxes, contact.id, first));
      await syncAppointment(deps, jobFor(boxes, contact.id, second));

      const cancelled = await edit(boxes, first.id, { appointmentStatus: 'cancelled' });
      const byStatus = await syncAppointment(
        deps,
        jobFor(boxes, contact.id, cancelled, 'AppointmentUpdate'),
      );
      await operator(boxes.ghlBox, 'DELETE', `/__sandbox/appointments/${second.id}`);
      const byDelete = await syncAppointment(
        deps,
        jobFor(boxes, contact.id, second, 'AppointmentDelete'),
      );
      assert.equal(byDelete.kind, 'deleted');
      const secondLink = await linkOf(store, second.id);
      assert.equal(secondLink?.state, 'unlinked');
      const expected = surface === 'extended' ? 'Cancelled' : 'Requested';
      assert.equal(showingOf(boxes, first.id)[0]?.Status, expected);
      assert.equal(showingOf(boxes, second.id)[0]?.Status, expected);
      if (surface === 'extended') {
        assert.deepEqual(byStatus.applied, ['status → Cancelled']);
        assert.deepEqual(byDelete.applied, ['status → Cancelled']);
        // A cancelled showing cannot come back: the re-confirmation is recorded, not applied.
        const again = await edit(boxes, first.id, { appointmentStatus: 'confirmed' });
        const revived = await syncAppointment(
          deps,
          jobFor(boxes, contact.id, again, 'AppointmentUpdate'),
        );
        assert.equal(revived.kind, 'not_applied');
        assert.deepEqual(revived.notApplied, ['status → Confirmed']);
        const firstLink = await linkOf(store, first.id);
        assert.ok(firstLink);
        const [version] = await listVersions(store.db, firstLink.id);
        assert.match(version?.note ?? '', /Cancelled in Tenant Turner and cannot change/);
        assert.equal(showingOf(boxes, first.id)[0]?.Status, 'Cancelled');
      } else {
        assert.deepEqual(byStatus.notApplied, ['status → Cancelled']);
        assert.deepEqual(byDelete.notApplied, ['status → Cancelled']);
      }
      const repeat = await syncAppointment(
        deps,
        jobFor(boxes, contact.id, second, 'AppointmentDelete'),
      );
      assert.equal(repeat.kind, 'unchanged');
    });

    test('a late event as new as the synced state (same dateUpdated) asks GHL which is current', async () => {
      const { store, deps, contact, appointment } = await booked('appt-tie', 5, 'new');
      await syncAppointment(deps, jobFor(boxes, contact.id, appointment));
      const confirmed = await edit(boxes, appointment.id, { appointmentStatus: 'confirmed' });
      const noShow = await edit(boxes, appointment.id, { appointmentStatus: 'noshow' });
      await syncAppointment(deps, jobFor(boxes, contact.id, noShow, 'AppointmentUpdate'));
      const link = await linkOf(store, appointment.id);
      assert.ok(link);
      const entries = (await listTimeline(store.db, link.id)).length;
      // GHL stamps whole seconds: the confirmation, delivered late, looks as new as the no-show.
      const late = { ...confirmed, dateUpdated: noShow.dateUpdated };
      const outcome = await syncAppointment(
        deps,
        jobFor(boxes, contact.id, late, 'AppointmentUpdate'),
      );
      assert.equal(outcome.kind, 'unchanged', 'GHL says the no-show is current');
      assert.equal((await listTimeline(store.db, link.id)).length, entries, 'nothing recorded');
      assert.equal(
        showingOf(boxes, appointment.id)[0]?.Status,
        surface === 'extended' ? 'NoShow' : 'Requested',
      );
    });

    test('a delete delivered before its create leaves no showing', async () => {
      const { store, deps, contact, appointment } = await booked('appt-early-delete', 6);
      await operator(boxes.ghlBox, 'DELETE', `/__sandbox/appointments/${appointment.id}`);
      const gone = await syncAppointment(
        deps,
        jobFor(boxes, contact.id, appointment, 'AppointmentDelete'),
      );
      assert.equal(gone.kind, 'deleted');
      const late = await syncAppointment(deps, jobFor(boxes, contact.id, appointment));
      assert.equal(late.kind, 'skipped', 'the late create books nothing');
      assert.equal(showingOf(boxes, appointment.id).length, 0);
      const link = await linkOf(store, appointment.id);
      assert.equal(link?.state, 'unlinked');
      const timeline = await listTimeline(store.db, link.id);
      assert.deepEqual(
        timeline.map((t) => t.kind),
        ['appointment_deleted'],
      );
    });

    test('an appointment missing from the contact list but found by GET is not a delete', async () => {
      const booking = await booked('appt-absent', 7, 'confirmed');
      const { store, deps, contact: owner, appointment } = booking;
      const other = await newContact(boxes, 8);
      await syncAppointment(deps, jobFor(boxes, owner.id, appointment));
      const before = showingOf(boxes, appointment.id)[0];
      assert.ok(before);
      // A job that names a contact whose list lacks the appointment (as after GHL re-parents it
      // in a merge) and carries no appointment, so the sync reads GHL.
      const ghl = boxes.ghl.location(boxes.ghlBox.locationId);
      const listed = await ghl.listContactAppointments(other.id);
      assert.ok(!listed.some((event) => event.id === appointment.id), 'absent from the list');
      assert.equal((await ghl.getAppointment(appointment.id)).id, appointment.id, 'GET finds it');
      const job = { ...jobFor(boxes, other.id, appointment, 'reconcile'), appointment: undefined };
      const outcome = await syncAppointment(deps, job);
      assert.notEqual(outcome.kind, 'deleted');
      assert.equal(outcome.kind, 'unchanged', 'synced from what GET returns: nothing changed');
      const link = await findLinkByGhlId(store.db, 'appointment', job.locationId, appointment.id);
      assert.equal(link?.state, 'active', 'still linked');
      assert.equal(link.ttId, String(before.ShowingId));
      assert.equal(showingOf(boxes, appointment.id)[0]?.Status, before.Status, 'not cancelled');
      const kinds = (await listTimeline(store.db, link.id)).map((t) => t.kind);
      assert.deepEqual(kinds, ['showing_created']);
    });

    test('an appointment GET answers 404 for is handled as a delete', async () => {
      const { store, deps, contact, appointment } = await booked('appt-gone', 9, 'confirmed');
      await syncAppointment(deps, jobFor(boxes, contact.id, appointment));
      await operator(boxes.ghlBox, 'DELETE', `/__sandbox/appointments/${appointment.id}`);
      const ghl = boxes.ghl.location(boxes.ghlBox.locationId);
      await assert.rejects(ghl.getAppointment(appointment.id), { code: 'not_found' });
      // No delete event: a heal or retry that carries no appointment reads GHL and gets the 404.
      const job = {
        ...jobFor(boxes, contact.id, appointment, 'reconcile'),
        appointment: undefined,
      };
      const outcome = await syncAppointment(deps, job);
      assert.equal(outcome.kind, 'deleted');
      const link = await findLinkByGhlId(store.db, 'appointment', job.locationId, appointment.id);
      assert.equal(link?.state, 'unlinked');
      const [showing] = showingOf(boxes, appointment.id);
      if (surface === 'extended') {
        assert.deepEqual(outcome.applied, ['status → Cancelled']);
        assert.equal(showing?.Status, 'Cancelled');
      } else {
        assert.deepEqual(outcome.notApplied, ['status → Cancelled']);
        assert.equal(showing?.Status, 'Requested');
      }
      const kinds = (await listTimeline(store.db, link.id)).map((t) => t.kind);
      assert.equal(kinds.at(-1), 'appointment_deleted');
    });

    test('an appointment that matches no rental is recorded and fails without retries', async () => {
      const store = await stores.open(`appt-norental-${surface}`);
      const deps = syncDeps(store, boxes);
      const contact = await newContact(boxes, 4);
      const appointment = await book(boxes, contact.id, {
        address: '1 Nowhere Lane, Atlantis, ZZ 00000',
        startTime: START,
      });
      const job = jobFor(boxes, contact.id, appointment);
      const expectError = (error: unknown) => {
        const failure = error as { retryable?: unknown; message?: string };
        assert.equal(failure.retryable, false, 'the queue sends it to the dead-letter list');
        assert.match(failure.message ?? '', /matches no Tenant Turner rental/);
        assert.match(failure.message ?? '', /rental rule to the mapping/);
        return true;
      };
      await assert.rejects(syncAppointment(deps, job), expectError);
      await assert.rejects(syncAppointment(deps, job), expectError);
      const person = await findLinkByGhlId(store.db, 'person', job.locationId, contact.id);
      assert.ok(person);
      const entries = (await listTimeline(store.db, person.id)).filter(
        (t) => t.kind === 'appointment_no_rental',
      );
      assert.equal(entries.length, 1, 'recorded once, not per attempt');
      // At GHL's time of the booking, like the showing it stands for, not at the future start.
      assert.ok(appointment.dateAdded);
      assert.equal(entries[0]?.occurredRaw, appointment.dateAdded);
      assert.equal(entries[0]?.occurredAt, Date.parse(appointment.dateAdded));
      assert.match(
        entries[0]?.summary ?? '',
        new RegExp(`^Appointment at ${appointment.startTime} `),
      );

      // A later state is recorded at its change (GHL stamps whole seconds: edit in the next one).
      await untilAfter(Date.parse(appointment.dateAdded) + 1000);
      const moved = await edit(boxes, appointment.id, { startTime: LATER });
      await assert.rejects(
        syncAppointment(deps, jobFor(boxes, contact.id, moved, 'AppointmentUpdate')),
        expectError,
      );
      const both = (await listTimeline(store.db, person.id)).filter(
        (t) => t.kind === 'appointment_no_rental',
      );
      assert.ok(moved.dateUpdated && moved.dateUpdated !== appointment.dateAdded);
      assert.deepEqual(
        both.map((t) => t.occurredRaw),
        [appointment.dateAdded, moved.dateUpdated],
      );
      assert.equal(
        await findLinkByGhlId(store.db, 'appointment', job.locationId, appointment.id),
        undefined,
        'nothing was written, so nothing was linked',
      );
      assert.equal(showingOf(boxes, appointment.id).length, 0);
    });
  });
}

test('appointment webhooks become appointment-sync jobs keyed by the person, one per event', () => {
  const event = {
    type: 'AppointmentUpdate',
    locationId: 'loc1',
    appointment: { id: 'a1', contactId: 'c1', startTime: START, appointmentStatus: 'showed' },
  };
  const entry = {
    eventId: 'e1',
    eventType: 'AppointmentUpdate',
    locationId: 'loc1',
    payload: JSON.stringify(event),
  };
  const spec = appointmentRoute(entry as never, event);
  assert.deepEqual(spec, {
    name: 'appointment-sync',
    key: 'person:loc1:c1',
    payload: {
      locationId: 'loc1',
      contactId: 'c1',
      appointmentId: 'a1',
      trigger: 'AppointmentUpdate',
      eventId: 'e1',
      appointment: {
        id: 'a1',
        contactId: 'c1',
        startTime: START,
        appointmentStatus: 'showed',
      },
    },
  });
  // The delivery's timestamp travels along: it is the only GHL time of a delete.
  const at = '2026-12-01T08:00:00.000Z';
  const stamped = appointmentRoute({ ...entry, eventType: 'AppointmentDelete' } as never, {
    ...event,
    timestamp: at,
  });
  assert.equal((stamped as { payload?: { occurredRaw?: string } }).payload?.occurredRaw, at);
  assert.deepEqual(
    appointmentRoute({ ...entry, eventType: 'ContactUpdate' } as never, event),
    undefined,
  );
  assert.ok('invalid' in (appointmentRoute(entry as never, { appointment: {} }) ?? {}));
});
