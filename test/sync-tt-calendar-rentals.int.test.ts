/**
 * The calendar → rental map (`appointments.calendarRentals` in the mapping file): validated at
 * start with errors that name the field, and used between the address matcher and the lead's
 * rental rules: an appointment without an address on a mapped calendar becomes a showing of that
 * calendar's rental (both sandboxes over HTTP, both databases); on an unmapped calendar it fails
 * saying the calendar is not in the map.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AppointmentLike } from '../src/sync/appointment-mapping.ts';
import { syncAppointment } from '../src/sync/appointment-sync.ts';
import { parseMapping } from '../src/sync/mapping-config.ts';
import { operator } from './support/operator.ts';
import { describeEachDialect } from './support/stores.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';

test('calendarRentals is validated with errors that name the field', () => {
  assert.deepEqual(parseMapping({}).appointments, { calendarRentals: {} });
  assert.deepEqual(parseMapping({ appointments: { calendarRentals: { cal1: 17 } } }).appointments, {
    calendarRentals: { cal1: 17 },
  });
  const problems = (input: unknown): string => {
    try {
      parseMapping(input, 'mapping.json');
    } catch (error) {
      return (error as Error).message;
    }
    assert.fail('the mapping was accepted');
  };
  assert.match(
    problems({ appointments: { calendarRentals: { cal1: 'Main St' } } }),
    /mapping\.json: appointments\.calendarRentals\.cal1: must be a Tenant Turner property id/,
  );
  assert.match(
    problems({ appointments: { calendarRentals: { cal2: 0 } } }),
    /appointments\.calendarRentals\.cal2: .*positive/,
  );
  assert.match(
    problems({ appointments: { calendarRentals: { 'not an id!': 3 } } }),
    /appointments\.calendarRentals.*must be a GHL calendar id/,
  );
  assert.match(problems({ appointments: { calendars: {} } }), /appointments: .*calendars/);
});

describeEachDialect('appointment → the rental of its calendar', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' });
  });
  after(() => boxes.close());

  async function bookWithoutAddress(
    n: number,
  ): Promise<{ contactId: string; appointment: AppointmentLike }> {
    const contact = await boxes.ghl.location(boxes.ghlBox.locationId).createContact({
      firstName: 'Cal',
      lastName: `Endar ${n}`,
      email: `cal.endar.${stores.dialect}.${n}@example.com`,
      phone: `+1415555${stores.dialect === 'sqlite' ? 7100 + n : 7200 + n}`,
    });
    const { appointment } = await operator<{ appointment: AppointmentLike }>(
      boxes.ghlBox,
      'POST',
      `/__sandbox/contacts/${contact.id}/appointments`,
      { startTime: '2026-12-05T11:00:00-05:00' },
    );
    assert.ok(appointment.calendarId, 'the sandbox books on a calendar');
    return { contactId: contact.id, appointment };
  }

  test('a mapped calendar gives the rental; an unmapped one says what to add', async () => {
    const store = await stores.open('calendar-rentals');
    const properties = boxes.ttBox.state()['properties'] as {
      PropertyId: number;
      IsActive: boolean;
    }[];
    const rental = properties.find((p) => p.IsActive)?.PropertyId;
    assert.ok(rental);

    const mapped = await bookWithoutAddress(1);
    const calendarId = mapped.appointment.calendarId ?? '';
    const deps = syncDeps(store, boxes, {
      appointments: { calendarRentals: { [calendarId]: rental } },
    });
    const job = {
      locationId: boxes.ghlBox.locationId,
      contactId: mapped.contactId,
      appointmentId: mapped.appointment.id,
      trigger: 'AppointmentCreate',
      appointment: mapped.appointment,
    };
    const outcome = await syncAppointment(deps, job);
    assert.equal(outcome.kind, 'created');
    const showings = boxes.ttBox.state()['showings'] as {
      ExternalId: string;
      PropertyId: number;
    }[];
    assert.deepEqual(
      showings.filter((s) => s.ExternalId === mapped.appointment.id).map((s) => s.PropertyId),
      [rental],
    );

    const unmapped = await bookWithoutAddress(2);
    const other = syncDeps(store, boxes, {
      appointments: { calendarRentals: { otherCal1: rental } },
    });
    await assert.rejects(
      syncAppointment(other, {
        ...job,
        contactId: unmapped.contactId,
        appointmentId: unmapped.appointment.id,
        appointment: unmapped.appointment,
      }),
      (error: Error) => {
        assert.match(
          error.message,
          new RegExp(
            `calendar ${unmapped.appointment.calendarId ?? '?'} is not in the mapping's appointments\\.calendarRentals`,
          ),
        );
        assert.match(error.message, /"calendarRentals"/);
        return true;
      },
    );
  });
});
