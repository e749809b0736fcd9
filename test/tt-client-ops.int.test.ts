/**
 * Every Tenant Turner client operation against the sandbox over real HTTP, on both surfaces:
 * the real one (capability probe → 404 → modeled operations refused without a call) and the
 * extended one (the modeled extensions work).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { AppError, HttpError } from '../src/shared/errors.ts';
import type { TenantTurnerClient } from '../src/tenant-turner/client.ts';
import { isUnsupported } from '../src/tenant-turner/errors.ts';
import type { Lead, Rental } from '../src/tenant-turner/resources.ts';
import {
  SURFACES,
  all,
  records,
  requestCount,
  ttClient,
  ttSandbox,
} from './support/tt-client-harness.ts';

const RENTAL_INPUT = {
  address: '742 Evergreen Terrace',
  address2: 'Unit 2',
  city: 'Springfield',
  state: 'OR',
  zipCode: '97477',
  propertyType: 'Single Family',
  bedrooms: 3,
  bathrooms: 2.5,
  rentAmount: 1850,
  depositAmount: 1850,
  dateAvailable: '2026-12-15',
  minimumLeaseTerm: 'One Year',
  photos: [{ url: 'https://example.com/1.jpg', order: 1 }],
  propertyAmenities: ['Dishwasher'],
};

function expectUnsupported(error: unknown): boolean {
  assert.ok(isUnsupported(error), String(error));
  assert.ok(error instanceof AppError && error.code === 'unsupported');
  return true;
}

for (const surface of SURFACES) {
  describe(`Tenant Turner client on the ${surface} surface`, () => {
    let box: TtSandbox;
    let tt: TenantTurnerClient;
    let rental: Rental;
    let lead: Lead;

    before(async () => {
      box = await ttSandbox({ surface });
      tt = ttClient(box);
    });
    after(async () => {
      tt.stop();
      await box.close();
    });

    it('probes capabilities once: none on the real surface, all five on the extended one', async () => {
      const offered = await tt.capabilities();
      assert.equal(offered.size, surface === 'real' ? 0 : 5);
      await tt.supports('tasks');
      assert.equal(requestCount(box, surface === 'real' ? 'NOT_FOUND' : 'GET /v1/capabilities'), 1);
    });

    it('rentals: list, get, create, update, activate, deactivate, addresses, match', async () => {
      const listed = await all(tt.rentals.list());
      assert.equal(listed.length, records(box, 'properties').length);
      const first = listed[0];
      assert.ok(first);
      assert.deepEqual(await tt.rentals.get(first.propertyId), first);

      rental = await tt.rentals.create(RENTAL_INPUT);
      assert.equal(rental.address, '742 Evergreen Terrace');
      assert.equal(rental.bedrooms, 3, 'numbers read back as strings become numbers');
      assert.equal(rental.bathrooms, 2.5);
      assert.equal(rental.dateAvailable, '2026-12-15');
      assert.deepEqual(rental.photos, [{ url: 'https://example.com/1.jpg', order: 1 }]);

      await tt.rentals.update(rental.propertyId, { ...RENTAL_INPUT, rentAmount: 1900 });
      assert.equal((await tt.rentals.get(rental.propertyId)).rentAmount, 1900);

      await tt.rentals.activate(rental.propertyId);
      assert.equal((await tt.rentals.get(rental.propertyId)).isActive, true);
      await tt.rentals.deactivate(rental.propertyId);
      assert.equal((await tt.rentals.get(rental.propertyId)).isActive, false);
      await tt.rentals.activate(rental.propertyId);

      const addresses = await tt.rentals.addresses();
      assert.ok(addresses.some((row) => row.propertyId === rental.propertyId));

      const match = await tt.rentals.match('742 evergreen ter. #2, Springfield OR 97477-1234');
      assert.ok(match.matched, match.matched ? '' : match.message);
      assert.equal(match.rental.propertyId, rental.propertyId);
      assert.equal(match.confidence, 'exact');
      const miss = await tt.rentals.match('742 Evergreen Terrace Unit 3, Springfield OR');
      assert.equal(miss.matched, false);
    });

    it('leads: create, get, list since an instant', async () => {
      const before = new Date(Date.now() - 60_000);
      const created = await tt.leads.create({
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: `ada.${surface}@example.com`,
        phone: surface === 'real' ? '+15550101001' : '+15550101002',
        propertyId: rental.propertyId,
        source: 'ttsync',
        externalId: 'ghl-contact-1',
        externalSource: 'GHL',
      });
      assert.equal(created.alreadyExisted, false);
      lead = created.record;
      assert.equal(lead.firstName, 'Ada');
      assert.equal(lead.qualificationStatus, 'Pending');
      assert.equal(lead.disposition, 'Active');
      assert.equal(lead.externalId, 'ghl-contact-1');
      assert.deepEqual(await tt.leads.get(lead.applicationId), lead);

      const changed = await all(tt.leads.list({ since: before }));
      assert.ok(changed.some((row) => row.applicationId === lead.applicationId));
      // Day-granular and inclusive: every row is from T's UTC day or later.
      const dayStart = Date.parse(before.toISOString().slice(0, 10));
      assert.ok(changed.every((row) => row.dateUpdated.getTime() >= dayStart));
    });

    it('leads: a second lead with known contact info resolves to the existing one', async () => {
      const count = records(box, 'leads').length;
      const byEmail = await tt.leads.create({
        firstName: 'Ada',
        lastName: 'Again',
        email: lead.email ?? '',
        phone: '+15550109999',
      });
      assert.equal(byEmail.alreadyExisted, true);
      assert.equal(byEmail.record.applicationId, lead.applicationId);
      const byPhone = await tt.leads.create({
        firstName: 'A',
        lastName: 'L',
        email: `other.${surface}@example.com`,
        phone: lead.phone ?? '',
      });
      assert.equal(byPhone.alreadyExisted, true);
      assert.equal(byPhone.record.applicationId, lead.applicationId);
      assert.equal(records(box, 'leads').length, count, 'no second lead');
    });

    it('showings: create, get, list', async () => {
      const times = [new Date('2026-12-01T17:00:00Z'), new Date('2026-12-02T17:00:00Z')];
      const created = await tt.showings.create({
        applicationId: lead.applicationId,
        propertyId: rental.propertyId,
        requestedTimes: times,
        notes: 'Prefers evenings',
      });
      assert.equal(created.alreadyExisted, false);
      const showing = created.record;
      assert.deepEqual(showing.requestedTimes, times);
      assert.equal(showing.applicationId, lead.applicationId);
      assert.deepEqual(await tt.showings.get(showing.showingId), showing);
      const listed = await all(
        tt.showings.list({ since: new Date(Date.now() - 60_000), pageSize: 5 }),
      );
      assert.ok(listed.some((row) => row.showingId === showing.showingId));
      const withShowing = await tt.leads.get(lead.applicationId);
      assert.ok(withShowing.showings.some((row) => row.showingId === showing.showingId));
    });

    it('lead and showing updates: applied on the extended surface, refused without a call on the real one', async () => {
      const [showing] = await all(tt.showings.list({ since: new Date(Date.now() - 60_000) }));
      assert.ok(showing);
      const update = (): Promise<void> =>
        tt.leads.update(lead.applicationId, { lastName: 'Byron' });
      const reschedule = (): Promise<void> =>
        tt.showings.update(showing.showingId, {
          scheduledTime: new Date('2026-12-03T18:00:00Z'),
          notes: 'Moved',
        });
      if (surface === 'real') {
        await assert.rejects(update(), expectUnsupported);
        await assert.rejects(reschedule(), expectUnsupported);
        assert.equal(
          requestCount(box, 'NOT_FOUND'),
          1,
          'only the capability probe hit a missing route',
        );
        return;
      }
      await update();
      await reschedule();
      assert.equal((await tt.leads.get(lead.applicationId)).lastName, 'Byron');
      const moved = await tt.showings.get(showing.showingId);
      assert.deepEqual(moved.scheduledTime, new Date('2026-12-03T18:00:00Z'));
      assert.equal(moved.notes, 'Moved');
      await tt.showings.update(showing.showingId, { status: 'Cancelled' });
      assert.equal((await tt.showings.get(showing.showingId)).status, 'Cancelled');
    });

    it('tasks: list, create, get, update, delete (modeled)', async () => {
      const id = lead.applicationId;
      if (surface === 'real') {
        await assert.rejects(
          tt.tasks.create(id, { title: 'Call back', externalId: 't1' }),
          expectUnsupported,
        );
        await assert.rejects(all(tt.tasks.list(id)), expectUnsupported);
        await assert.rejects(tt.tasks.get(1), expectUnsupported);
        await assert.rejects(tt.tasks.update(1, { taskStatus: 'Completed' }), expectUnsupported);
        await assert.rejects(tt.tasks.delete(1), expectUnsupported);
        assert.equal(requestCount(box, 'NOT_FOUND'), 1);
        return;
      }
      const created = await tt.tasks.create(id, {
        title: 'Call back',
        description: 'About pets',
        priority: 'High',
        dueDate: '2026-12-05',
        externalId: 'ghl-task-1',
      });
      assert.equal(created.alreadyExisted, false);
      const task = created.record;
      assert.equal(task.taskStatus, 'New');
      assert.equal(task.dueDate, '2026-12-05');
      assert.deepEqual(await tt.tasks.get(task.taskId), task);
      await tt.tasks.update(task.taskId, { taskStatus: 'Completed' });
      assert.equal((await tt.tasks.get(task.taskId)).taskStatus, 'Completed');
      assert.deepEqual(
        (await all(tt.tasks.list(id))).map((row) => row.taskId),
        [task.taskId],
      );
      await tt.tasks.delete(task.taskId);
      await assert.rejects(
        tt.tasks.get(task.taskId),
        (error: unknown) => error instanceof HttpError && error.code === 'not_found',
      );
    });

    it('notes: list, create, get, update, delete (modeled)', async () => {
      const id = lead.applicationId;
      if (surface === 'real') {
        await assert.rejects(tt.notes.create(id, { note: 'Hello' }), expectUnsupported);
        await assert.rejects(all(tt.notes.list(id)), expectUnsupported);
        await assert.rejects(tt.notes.delete(1), expectUnsupported);
        assert.equal(requestCount(box, 'NOT_FOUND'), 1);
        return;
      }
      const { record: note, alreadyExisted } = await tt.notes.create(id, {
        note: 'Called, no answer',
        author: 'ttsync',
        externalId: 'ghl-note-1',
      });
      assert.equal(alreadyExisted, false);
      assert.deepEqual(await tt.notes.get(note.noteId), note);
      await tt.notes.update(note.noteId, { note: 'Called twice' });
      assert.equal((await tt.notes.get(note.noteId)).note, 'Called twice');
      assert.equal((await all(tt.notes.list(id))).length, 1);
      await tt.notes.delete(note.noteId);
      assert.equal((await all(tt.notes.list(id))).length, 0);
    });

    it('activities: list and create (modeled)', async () => {
      const id = lead.applicationId;
      const input = {
        type: 'Call',
        occurredAt: new Date('2026-11-27T12:00:00Z'),
        summary: 'Outbound call from GHL',
        source: 'GHL',
        externalId: 'ghl-call-1',
      };
      if (surface === 'real') {
        await assert.rejects(tt.activities.create(id, input), expectUnsupported);
        await assert.rejects(all(tt.activities.list(id)), expectUnsupported);
        assert.equal(requestCount(box, 'NOT_FOUND'), 1);
        return;
      }
      const created = await tt.activities.create(id, input);
      assert.equal(created.alreadyExisted, false);
      const again = await tt.activities.create(id, input);
      assert.deepEqual(again, { activityId: created.activityId, alreadyExisted: true });
      const timeline = await all(tt.activities.list(id, { pageSize: 2 }));
      assert.ok(
        timeline.some((row) => row.activityId === created.activityId && row.source === 'GHL'),
      );
      const times = timeline.map((row) => row.occurredAt.getTime());
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
        'newest first',
      );
    });

    it('a wrong API key is a 401 that says what to do', async () => {
      const wrong = ttClient(box, { apiKey: 'tt_live_wrong_key_000000', capabilities: 'real' });
      await assert.rejects(wrong.rentals.get(rental.propertyId), (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(error.code, 'auth_token_invalid');
        assert.match(error.message, /Refresh API Key/);
        return true;
      });
      wrong.stop();
    });
  });
}
