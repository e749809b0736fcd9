/**
 * Appointments end to end: `ttsync serve` and both sandboxes as processes over HTTP, on both
 * Tenant Turner surfaces. Appointments booked, rescheduled, moved through their statuses and
 * deleted by the GHL user (the sandbox's operator endpoints, which send AppointmentCreate,
 * AppointmentUpdate and AppointmentDelete) become a showing of the rental at the appointment's
 * address, changed where Tenant Turner can change it (extended) and recorded where it cannot
 * (real); `ttsync timeline` lists each step at GHL's own time. An appointment at an address no
 * rental has ends up on the person's timeline and in the dead-letter list, saying which rule to add.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  childTimelineReaches,
  contactWithLead,
  ghlOperator,
  readStore,
  startChildStack,
  timelineOf,
  ttRecordOf,
  ttState,
  webhookTimestamp,
} from './support/children-e2e.ts';
import type { ChildStack, TimelineLine } from './support/children-e2e.ts';
import { eventually } from './support/processes.ts';
import { activeRental } from './support/rentals.ts';
import type { TtProperty, TtShowing } from './support/rentals.ts';

interface GhlAppointment {
  id: string;
  startTime: string;
  dateAdded: string;
  dateUpdated: string;
}

const START = '2026-12-03T10:00:00-08:00';
const NO_UPDATE = 'Tenant Turner has no showing update';
const LATER = '2026-12-04T15:30:00-08:00';

/** An active rental of the Tenant Turner sandbox, its address as a person would type it. */
async function aRental(stack: ChildStack): Promise<{ propertyId: number; address: string }> {
  const { properties } = await ttState<{ properties: TtProperty[] }>(stack);
  return activeRental(properties);
}

/** One person with one appointment, and the steps a GHL user takes on it. */
class Booking {
  readonly stack: ChildStack;
  readonly contactId: string;
  readonly email: string;
  readonly leadId: number;
  appointment: GhlAppointment | undefined;
  /** The GHL appointment as each step left it (its `dateUpdated` is that step's time). */
  readonly versions: GhlAppointment[] = [];

  constructor(stack: ChildStack, person: { contactId: string; email: string; leadId: number }) {
    this.stack = stack;
    this.contactId = person.contactId;
    this.email = person.email;
    this.leadId = person.leadId;
  }

  get id(): string {
    assert.ok(this.appointment, 'booked');
    return this.appointment.id;
  }

  async book(body: Record<string, unknown>): Promise<string[]> {
    const { appointment } = await ghlOperator<{ appointment: GhlAppointment }>(
      this.stack,
      'POST',
      `/__sandbox/contacts/${this.contactId}/appointments`,
      body,
    );
    this.appointment = appointment;
    this.versions.push(appointment);
    return this.#entries();
  }

  async edit(body: Record<string, unknown>): Promise<string[]> {
    const { appointment } = await ghlOperator<{ appointment: GhlAppointment }>(
      this.stack,
      'PATCH',
      `/__sandbox/appointments/${this.id}`,
      body,
    );
    this.versions.push(appointment);
    return this.#entries();
  }

  async remove(): Promise<string[]> {
    await ghlOperator(this.stack, 'DELETE', `/__sandbox/appointments/${this.id}`);
    this.versions.push(this.versions.at(-1) as GhlAppointment);
    return this.#entries();
  }

  showing(): Promise<TtShowing | undefined> {
    return ttRecordOf<TtShowing>(this.stack, 'showings', this.id);
  }

  /** The appointment's timeline kinds once the last step is recorded. */
  #entries(): Promise<string[]> {
    return childTimelineReaches(this.stack, 'appointment', this.id, this.versions.length);
  }

  /** The showing and appointment lines of `ttsync timeline <email>`. */
  async lines(): Promise<TimelineLine[]> {
    const { lines } = await timelineOf(this.stack, this.email);
    return lines.filter((l) => /^(showing|appointment)_/.test(l.kind));
  }
}

async function booking(stack: ChildStack, name: string, n: number): Promise<Booking> {
  return new Booking(stack, await contactWithLead(stack, name, n));
}

const iso = (raw: string | null | undefined): string | undefined =>
  raw ? new Date(raw).toISOString() : undefined;

for (const surface of ['extended', 'real'] as const) {
  describe(`appointments end to end (${surface} surface)`, () => {
    const extended = surface === 'extended';
    const changed = extended ? 'showing_updated' : 'showing_update_not_applied';
    let stack: ChildStack;
    before(async () => {
      stack = await startChildStack(surface);
    });
    after(() => stack.close());

    test('booked, rescheduled, confirmed, showed, no-show: the showing and the timeline follow', async () => {
      const rental = await aRental(stack);
      const b = await booking(stack, 'Omar', 1);
      const expect = async (status: string, scheduled: string | undefined) => {
        const showing = await b.showing();
        assert.ok(showing, 'one showing');
        assert.equal(showing.Status, status);
        assert.equal(iso(showing.ScheduledTime), scheduled && iso(scheduled));
        return showing;
      };

      assert.deepEqual(
        await b.book({ address: rental.address, startTime: START, appointmentStatus: 'new' }),
        ['showing_created'],
      );
      const booked = await expect('Requested', undefined);
      assert.equal(booked.ApplicationId, b.leadId);
      assert.equal(booked.PropertyId, rental.propertyId, 'the rental at the address');
      assert.deepEqual(booked.RequestedTimes.map(iso), [iso(START)], 'requested at startTime');

      assert.deepEqual((await b.edit({ startTime: LATER })).at(-1), changed);
      await expect(extended ? 'Scheduled' : 'Requested', extended ? LATER : undefined);
      assert.deepEqual((await b.edit({ appointmentStatus: 'confirmed' })).at(-1), changed);
      await expect(extended ? 'Confirmed' : 'Requested', extended ? LATER : undefined);
      // Attended has no Tenant Turner status: the showing stays confirmed, the timeline says so.
      assert.deepEqual((await b.edit({ appointmentStatus: 'showed' })).at(-1), changed);
      await expect(extended ? 'Confirmed' : 'Requested', extended ? LATER : undefined);
      assert.deepEqual((await b.edit({ appointmentStatus: 'noshow' })).at(-1), changed);
      const last = await expect(extended ? 'NoShow' : 'Requested', extended ? LATER : undefined);
      assert.equal(last.ShowingId, booked.ShowingId, 'the same showing throughout');

      const lines = await b.lines();
      assert.deepEqual(
        lines.map((l) => l.kind),
        ['showing_created', changed, changed, changed, changed],
      );
      assert.deepEqual(
        lines.map((l) => l.when),
        [b.versions[0]?.dateAdded, ...b.versions.slice(1).map((v) => v.dateUpdated)],
        "each step at GHL's own time, its time zone kept",
      );
      const [created, moved, confirmed, showed, missed] = lines.map((l) => l.summary);
      assert.match(
        created ?? '',
        new RegExp(`^Showing ${booked.ShowingId} requested .* for ${b.versions[0]?.startTime}`),
      );
      if (extended) {
        assert.match(moved ?? '', new RegExp(`scheduled for ${iso(LATER)}`));
        assert.match(confirmed ?? '', /status → Confirmed/);
        assert.match(showed ?? '', /appointment showed/);
        assert.match(missed ?? '', /status → NoShow/);
      } else {
        for (const summary of [moved, confirmed, showed, missed]) {
          assert.match(summary ?? '', new RegExp(` not applied \\(${NO_UPDATE}\\)$`));
        }
      }
    });

    test('an appointment cancelled in GHL cancels its showing', async () => {
      const rental = await aRental(stack);
      const b = await booking(stack, 'Bea', 2);
      await b.book({ address: rental.address, startTime: START, appointmentStatus: 'confirmed' });
      const booked = await b.showing();
      assert.equal(booked?.Status, extended ? 'Confirmed' : 'Requested');
      assert.deepEqual(await b.edit({ appointmentStatus: 'cancelled' }), [
        'showing_created',
        changed,
      ]);
      assert.equal((await b.showing())?.Status, extended ? 'Cancelled' : 'Requested');
      // The timeline says what Tenant Turner took, and what it did not take and why.
      const [created, cancelled] = (await b.lines()).map((l) => l.summary);
      const id = booked?.ShowingId;
      if (extended) {
        assert.match(
          created ?? '',
          new RegExp(`^Showing ${id} requested .*\\(scheduled for .*, status → Confirmed\\)$`),
        );
        assert.equal(cancelled, `Showing ${id} updated: status → Cancelled`);
      } else {
        assert.match(
          created ?? '',
          new RegExp(
            `^Showing ${id} requested in Tenant Turner for \\S+; scheduled for .*, status → Confirmed not applied \\(${NO_UPDATE}\\)$`,
          ),
        );
        assert.match(
          cancelled ?? '',
          new RegExp(
            `^Appointment cancelled at \\S+: status → Cancelled not applied \\(${NO_UPDATE}\\)$`,
          ),
        );
      }
    });

    test('an appointment deleted in GHL cancels its showing and is unlinked', async () => {
      const rental = await aRental(stack);
      const b = await booking(stack, 'Cyd', 3);
      await b.book({ address: rental.address, startTime: START, appointmentStatus: 'new' });
      assert.deepEqual(await b.remove(), ['showing_created', 'appointment_deleted']);
      assert.equal((await b.showing())?.Status, extended ? 'Cancelled' : 'Requested');
      const state = readStore(stack, (db) =>
        db.prepare(`select state from links where kind = 'appointment' and ghl_id = ?`).get(b.id),
      ) as { state: string } | undefined;
      assert.equal(state?.state, 'unlinked');
      const [, deleted] = await b.lines();
      assert.equal(deleted?.kind, 'appointment_deleted');
      assert.equal(deleted.when, webhookTimestamp(stack, 'AppointmentDelete', b.id));
      assert.match(
        deleted.summary,
        extended
          ? /^GHL appointment deleted; showing \d+ status → Cancelled; unlinked$/
          : new RegExp(
              `^GHL appointment deleted; showing \\d+ left as it is: status → Cancelled not applied \\(${NO_UPDATE}\\); unlinked$`,
            ),
      );
    });

    test("two quick changes delivered out of order end in GHL's latest state", async () => {
      const rental = await aRental(stack);
      const b = await booking(stack, 'Gus', 5);
      await b.book({ address: rental.address, startTime: START, appointmentStatus: 'new' });
      await ghlOperator(stack, 'POST', '/__sandbox/faults', { webhookReorder: true });
      let arrived: string[] = [];
      try {
        // Within the sandbox's reorder window: GHL delivers the no-show before the confirmation.
        await Promise.all([
          ghlOperator(stack, 'PATCH', `/__sandbox/appointments/${b.id}`, {
            appointmentStatus: 'confirmed',
          }),
          new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
            ghlOperator(stack, 'PATCH', `/__sandbox/appointments/${b.id}`, {
              appointmentStatus: 'noshow',
            }),
          ),
        ]);
        arrived = await eventually(async () => {
          const rows = readStore(stack, (db) =>
            db
              .prepare(
                `select status, payload from inbox
                 where event_type = 'AppointmentUpdate' and payload like ? order by id`,
              )
              .all(`%${b.id}%`),
          ) as { status: string; payload: string }[];
          if (rows.length < 2 || rows.some((r) => r.status === 'received')) return undefined;
          return rows.map(
            (r) =>
              (JSON.parse(r.payload) as { appointment: { appointmentStatus: string } }).appointment
                .appointmentStatus,
          );
        }, 'both updates dispatched');
        await eventually(async () => {
          const waiting = readStore(stack, (db) =>
            db.prepare(`select count(*) as n from jobs where payload like ?`).get(`%${b.id}%`),
          ) as { n: number };
          return waiting.n === 0 ? true : undefined;
        }, 'no job of the appointment left');
      } finally {
        await ghlOperator(stack, 'POST', '/__sandbox/faults', { webhookReorder: false });
      }
      assert.equal((await b.showing())?.Status, extended ? 'NoShow' : 'Requested');
      const lines = await b.lines();
      // Reordered (the sandbox's window caught both): the late confirmation changes nothing. A
      // loaded machine may emit the second change after the window: then both apply, in order,
      // or, when both are dispatched before the first job runs, their jobs coalesce into one
      // that reads the latest state. Either way one change at most per delivery, the last one
      // the no-show.
      const reordered = arrived[0] === 'noshow';
      const kinds = lines.map((l) => l.kind);
      if (reordered) {
        assert.deepEqual(
          kinds,
          ['showing_created', changed],
          `delivered ${arrived.join(' then ')}`,
        );
      } else {
        assert.ok(
          [2, 3].includes(kinds.length) &&
            kinds[0] === 'showing_created' &&
            kinds.slice(1).every((k) => k === changed),
          `delivered ${arrived.join(' then ')}: ${kinds.join(', ')}`,
        );
      }
      assert.match(
        lines.at(-1)?.summary ?? '',
        extended ? /status → NoShow$/ : /^Appointment noshow at/,
      );
    });

    test('an appointment at an address no rental has: a timeline entry and a dead letter naming the rule', async () => {
      const b = await booking(stack, 'Dee', 4);
      const { appointment } = await ghlOperator<{ appointment: GhlAppointment }>(
        stack,
        'POST',
        `/__sandbox/contacts/${b.contactId}/appointments`,
        { address: '1 Nowhere Lane, Atlantis, ZZ 00000', startTime: START },
      );
      const dead = await eventually(
        async () =>
          readStore(stack, (db) =>
            db
              .prepare(
                `select last_error as error from jobs
                 where queue = 'appointment-sync' and state = 'dead' and payload like ?`,
              )
              .get(`%${appointment.id}%`),
          ) as { error: string } | undefined,
        'the dead-letter item',
      );
      assert.match(
        dead.error,
        new RegExp(
          `Appointment ${appointment.id} of contact ${b.contactId} matches no Tenant Turner rental`,
        ),
      );
      assert.match(dead.error, /Add a rental rule to the mapping \(docs\/mapping\.md "rental"\)/);
      await stack.ttsync.waitFor(/moved to the dead-letter list/);
      assert.equal(await ttRecordOf(stack, 'showings', appointment.id), undefined);

      const { lines } = await timelineOf(stack, b.email);
      const entry = lines.find((l) => l.kind === 'appointment_no_rental');
      assert.ok(entry, 'the appointment is on the timeline');
      assert.equal(entry.source, 'ghl');
      // At GHL's booking time, like the other appointment entries (the start is in the summary).
      assert.equal(entry.when, appointment.dateAdded);
      assert.match(entry.summary, new RegExp(`^Appointment at ${appointment.startTime} `));
      assert.match(entry.summary, /not sent to Tenant Turner: no rental/);
    });
  });
}
