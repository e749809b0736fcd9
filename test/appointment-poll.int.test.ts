/**
 * The appointment poll against both sandboxes over HTTP, on both databases and both Tenant
 * Turner surfaces: an appointment booked, then moved, in GHL with no webhook is caught by the
 * poll (calendars × windows, `dateUpdated` cursor), runs as the webhooks' `appointment-sync` job
 * and reaches the showing (rescheduled on the extended surface, recorded as not applied on the
 * real one); a further cycle hands nothing over and writes nothing; a short and an empty listing
 * cancel and unlink nothing; a crash before the commit hands everything over again, and each
 * appointment still becomes one showing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getCursor } from '../src/store/cursors.ts';
import type { Store } from '../src/store/database.ts';
import { findLinkByGhlId } from '../src/store/links.ts';
import { listTimeline } from '../src/store/records.ts';
import { APPOINTMENT_SYNC_JOB } from '../src/sync/appointment-jobs.ts';
import { appointmentPollStream, pollAppointments } from '../src/sync/appointment-poll.ts';
import { operator } from './support/operator.ts';
import { crashingQueue, pollSuite } from './support/poll-harness.ts';
import { rowCounts as countRows } from './support/row-counts.ts';
import { activeRental } from './support/rentals.ts';
import type { TtProperty } from './support/rentals.ts';
import { describeEachDialect } from './support/stores.ts';
import type { Sandboxes } from './support/sync-harness.ts';

interface TtShowingDto {
  ScheduledTime: string | null;
  RequestedTimes: string[];
  Status: string;
  ExternalId: string | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Round hours a few days ahead, inside the poll's default window. */
const START = new Date(Math.ceil((Date.now() + 3 * DAY) / HOUR) * HOUR).toISOString();
const LATER = new Date(Date.parse(START) + 2 * DAY).toISOString();

function showingsOf(boxes: Sandboxes, appointmentId: string): TtShowingDto[] {
  const all = boxes.ttBox.state()['showings'] as TtShowingDto[];
  return all.filter((s) => s.ExternalId === appointmentId);
}

/** An active rental's address as a person would type it. */
function rentalAddress(boxes: Sandboxes): string {
  return activeRental(boxes.ttBox.state()['properties'] as TtProperty[]).address;
}

let serial = 0;

/** A new contact with `count` appointments at a rental, booked through the operator API. */
async function bookAppointments(boxes: Sandboxes, count: number) {
  const n = ++serial;
  const contact = await boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Ada',
    lastName: `Calendar ${n}`,
    email: `ada.calendar.${n}@example.com`,
    phone: `+1415999${String(1000 + n).slice(-4)}`,
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { appointment } = await operator<{ appointment: { id: string } }>(
      boxes.ghlBox,
      'POST',
      `/__sandbox/contacts/${contact.id}/appointments`,
      {
        address: rentalAddress(boxes),
        startTime: new Date(Date.parse(START) + i * HOUR).toISOString(),
        appointmentStatus: 'confirmed',
      },
    );
    ids.push(appointment.id);
  }
  return { contact, ids };
}

const rowCounts = (store: Store) =>
  countRows(store, ['versions', 'timeline', 'links', 'snapshots', 'cursors']);

for (const surface of ['extended', 'real'] as const) {
  describeEachDialect(`appointment poll (${surface} surface)`, (stores) => {
    const { open, synced } = pollSuite(stores, surface, APPOINTMENT_SYNC_JOB);

    test('an appointment booked, then moved, with no webhook is caught by the poll', async () => {
      const { boxes, store, deps, queue, locationId } = await open(`appt-poll-move-${surface}`);
      const stream = appointmentPollStream(locationId);

      const first = await pollAppointments(deps, { locationId, queue });
      assert.equal(first.seen, 0);
      assert.ok(first.calendars >= 1);
      // 120 days in 31-day steps: 4 calls per calendar, plus the calendar list.
      assert.equal(first.calls, 1 + 4 * first.calendars);
      assert.deepEqual((await getCursor(store.db, stream))?.tieBreak, [], 'the start is saved');

      const { contact, ids } = await bookAppointments(boxes, 1);
      const id = ids[0] ?? '';
      const booked = await pollAppointments(deps, { locationId, queue });
      assert.deepEqual(booked.enqueued, { new: 1, changed: 0 }, JSON.stringify(booked));
      await queue.start();
      await synced(1);
      assert.equal(showingsOf(boxes, id).length, 1);
      const link = await findLinkByGhlId(store.db, 'appointment', locationId, id);
      assert.equal(link?.state, 'active');
      const person = await findLinkByGhlId(store.db, 'person', locationId, contact.id);
      assert.equal(link.parentId, person?.id);

      await operator(boxes.ghlBox, 'PATCH', `/__sandbox/appointments/${id}`, {
        startTime: LATER,
      });
      const moved = await pollAppointments(deps, { locationId, queue });
      assert.deepEqual(moved.enqueued, { new: 0, changed: 1 }, JSON.stringify(moved));
      await synced(2);
      const [showing, ...more] = showingsOf(boxes, id);
      assert.equal(more.length, 0);
      if (surface === 'extended') {
        assert.equal(Date.parse(showing?.ScheduledTime ?? ''), Date.parse(LATER));
      } else {
        assert.equal(Date.parse(showing?.RequestedTimes[0] ?? ''), Date.parse(START));
      }
      const timeline = await listTimeline(store.db, link.id);
      const moveKind = surface === 'extended' ? 'showing_updated' : 'showing_update_not_applied';
      assert.deepEqual(timeline.map((entry) => entry.kind).sort(), ['showing_created', moveKind]);

      // Nothing new: the cursor and its tie-break set make the next cycle a no-op.
      const cursor = await getCursor(store.db, stream);
      const before = await rowCounts(store);
      const idle = await pollAppointments(deps, { locationId, queue });
      assert.deepEqual(idle.enqueued, { new: 0, changed: 0 });
      assert.equal(idle.alreadySeen + idle.unchanged, 1);
      assert.deepEqual(await getCursor(store.db, stream), cursor);
      assert.deepEqual(await rowCounts(store), before);
    });

    test('a short and an empty listing cancel, delete and unlink nothing', async () => {
      const { boxes, store, deps, queue, locationId } = await open(`appt-poll-empty-${surface}`);
      await pollAppointments(deps, { locationId, queue });
      const { ids } = await bookAppointments(boxes, 2);
      await pollAppointments(deps, { locationId, queue });
      await queue.start();
      await synced(2);
      const showings = () => ids.map((id) => JSON.stringify(showingsOf(boxes, id)));
      const before = showings();
      const rows = await rowCounts(store);

      await operator(boxes.ghlBox, 'DELETE', `/__sandbox/appointments/${ids[0] ?? ''}`);
      const short = await pollAppointments(deps, { locationId, queue });
      assert.equal(short.seen, 1);
      await operator(boxes.ghlBox, 'DELETE', `/__sandbox/appointments/${ids[1] ?? ''}`);
      const empty = await pollAppointments(deps, { locationId, queue });
      assert.equal(empty.seen, 0);
      for (const result of [short, empty]) {
        assert.deepEqual(result.enqueued, { new: 0, changed: 0 });
      }
      for (const id of ids) {
        const link = await findLinkByGhlId(store.db, 'appointment', locationId, id);
        assert.equal(link?.state, 'active', 'a poll never unlinks');
      }
      assert.deepEqual(showings(), before, 'no showing was cancelled');
      assert.deepEqual(await rowCounts(store), rows);
      const counts = await queue.counts();
      assert.equal(counts.waiting + counts.active, 0, 'no job was handed over');
    });

    test('a crash before the commit hands everything over again; one showing each', async () => {
      const { boxes, store, deps, queue, locationId } = await open(`appt-poll-crash-${surface}`);
      const stream = appointmentPollStream(locationId);
      await pollAppointments(deps, { locationId, queue });
      const start = await getCursor(store.db, stream);
      const { ids } = await bookAppointments(boxes, 2);
      // The jobs are written in the poll's transaction, then the process dies.
      const crashing = crashingQueue(queue, 1);
      await assert.rejects(pollAppointments(deps, { locationId, queue: crashing }), /crash/);
      assert.deepEqual(await getCursor(store.db, stream), start, 'the cursor did not move');
      assert.equal((await queue.counts()).waiting, 0, 'the jobs written rolled back with it');

      // Stopped (an abort) during the poll: nothing is committed either.
      const stop = new AbortController();
      const reading = pollAppointments(deps, { locationId, queue, signal: stop.signal });
      stop.abort();
      await assert.rejects(reading);
      assert.deepEqual(await getCursor(store.db, stream), start);

      const redo = await pollAppointments(deps, { locationId, queue });
      assert.deepEqual(redo.enqueued, { new: 2, changed: 0 });
      await queue.start();
      await synced(2);
      for (const id of ids) assert.equal(showingsOf(boxes, id).length, 1);
    });
  });
}
