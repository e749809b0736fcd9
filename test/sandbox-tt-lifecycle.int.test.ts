/**
 * The lead and showing state machines of the Tenant Turner sandbox, driven through the operator
 * endpoints (the TT user and the lead) and the modeled showing PUT: every legal move lands in the
 * documented state, every illegal one is a 422 that says why, leads archive after the idle period
 * and come back when the lead does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTtSandbox } from '../sandbox/tenant-turner/index.ts';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { call, expectStatus, operate, waitUntil } from './support/tt-harness.ts';
import type { Json } from './support/tt-harness.ts';

const HOUR_MS = 3_600_000;

let sandbox: TtSandbox;
let rental: number;
let made = 0;

before(async () => {
  sandbox = await startTtSandbox({ rentals: 2, leads: 4, showings: 0 });
  const created = await expectStatus(sandbox, 201, 'POST', '/v1/properties', {
    body: { Address: '1 Test Way', City: 'Tampa', State: 'FL', ZipCode: '33602' },
  });
  rental = created['PropertyId'] as number;
  await expectStatus(sandbox, 204, 'PUT', `/v1/properties/${rental}/activate`);
});
after(async () => {
  await sandbox.close();
});

async function lead(): Promise<number> {
  made++;
  const created = await operate(sandbox, '/applications', {
    FirstName: 'State',
    LastName: `Lead${made}`,
    Email: `state.${made}@example.com`,
    Phone: `555${String(2_000_000 + made)}`,
    PropertyId: rental,
  });
  return created['ApplicationId'] as number;
}

async function showing(applicationId: number): Promise<number> {
  const booked = await operate(sandbox, `/applications/${applicationId}/showings`, {
    RequestedTimes: ['2030-06-01T15:00:00Z', '2030-06-02T15:00:00Z'],
  });
  return booked['ShowingId'] as number;
}

/** Asserts that an operator move is refused with 422 and `message`. */
async function refused(path: string, message: string | RegExp, body?: unknown): Promise<void> {
  const reply = await call(sandbox, 'POST', `/__sandbox${path}`, {
    authorization: null,
    ...(body === undefined ? {} : { body }),
  });
  assert.equal(reply.status, 422, `${path}: ${reply.text}`);
  const [first] = (reply.body as Json)['ErrorMessages'] as string[];
  if (typeof message === 'string') assert.equal(first, message);
  else assert.match(first ?? '', message);
}

void describe('lead', () => {
  void test('qualification moves only from Pending', async () => {
    const id = await lead();
    const qualified = await operate(sandbox, `/applications/${id}/qualify`);
    assert.equal(qualified['QualificationStatus'], 'Qualified');
    await refused(
      `/applications/${id}/disqualify`,
      `Lead ${id} is already Qualified; qualification only changes from Pending.`,
    );
    await refused(`/applications/${id}/qualify`, /already Qualified/);
    const other = await lead();
    assert.equal(
      (await operate(sandbox, `/applications/${other}/disqualify`))['QualificationStatus'],
      'Disqualified',
    );
    await refused(
      `/applications/${other}/select-tenant`,
      `Lead ${other} is Disqualified and cannot be selected as tenant.`,
    );
  });

  void test('tenant selection happens once, for an active lead', async () => {
    const id = await lead();
    await operate(sandbox, `/applications/${id}/qualify`);
    assert.equal(
      (await operate(sandbox, `/applications/${id}/select-tenant`))['TenantSelected'],
      true,
    );
    await refused(
      `/applications/${id}/select-tenant`,
      `Lead ${id} is already the selected tenant.`,
    );
  });

  void test('decline is final and cancels the viewings that could still happen', async () => {
    const id = await lead();
    const viewing = await showing(id);
    const declined = await operate(sandbox, `/applications/${id}/decline`);
    assert.equal(declined['Disposition'], 'Declined');
    const cancelled = await expectStatus(sandbox, 200, 'GET', `/v1/showings/${viewing}`);
    assert.equal(cancelled['Status'], 'Cancelled');
    assert.equal(cancelled['CancellationSource'], 'User');
    await refused(`/applications/${id}/decline`, `Lead ${id} is already Declined.`);
    await refused(`/applications/${id}/qualify`, `Lead ${id} is Declined.`);
    await refused(`/applications/${id}/select-tenant`, /only an Active lead/);
    const booking = await call(sandbox, 'POST', '/v1/showings', {
      body: { ApplicationId: id, PropertyId: rental, RequestedTimes: ['2030-01-01T10:00:00Z'] },
    });
    assert.equal(booking.status, 422);
    assert.deepEqual((booking.body as Json)['ErrorMessages'], [
      `Lead ${id} is Declined and cannot book a showing.`,
    ]);
  });

  void test('an idle lead archives after the idle period and comes back when the lead returns', async () => {
    const id = await lead();
    const selected = await lead();
    await operate(sandbox, `/applications/${selected}/qualify`);
    await operate(sandbox, `/applications/${selected}/select-tenant`);
    sandbox.advanceClock(71 * HOUR_MS);
    assert.equal(
      (await expectStatus(sandbox, 200, 'GET', `/v1/applications/${id}`))['Disposition'],
      'Active',
    );
    sandbox.advanceClock(HOUR_MS);
    assert.equal(
      (await expectStatus(sandbox, 200, 'GET', `/v1/applications/${id}`))['Disposition'],
      'Archived',
    );
    assert.equal(
      (await expectStatus(sandbox, 200, 'GET', `/v1/applications/${selected}`))['Disposition'],
      'Active',
      'the selected tenant is not archived',
    );
    await refused(
      `/applications/${id}/archive`,
      `Lead ${id} is Archived; only an Active lead is archived.`,
    );
    // Booking a viewing is the lead coming back.
    await expectStatus(sandbox, 201, 'POST', '/v1/showings', {
      body: { ApplicationId: id, PropertyId: rental, RequestedTimes: ['2030-02-01T10:00:00Z'] },
    });
    assert.equal(
      (await expectStatus(sandbox, 200, 'GET', `/v1/applications/${id}`))['Disposition'],
      'Active',
    );
    await operate(sandbox, `/applications/${id}/archive`);
    assert.equal((await operate(sandbox, `/applications/${id}/respond`))['Disposition'], 'Active');
    await operate(sandbox, `/applications/${id}/archive`);
    // Inquiring again with the same contact information also brings it back, though refused as a duplicate.
    const state = sandbox.state()['leads'] as Json[];
    const record = state.find((l) => l['ApplicationId'] === id);
    const again = await call(sandbox, 'POST', '/v1/applications', {
      body: { FirstName: 'x', LastName: 'y', Email: record?.['Email'], Phone: '5550000001' },
    });
    assert.equal(again.status, 409);
    assert.equal(
      (await expectStatus(sandbox, 200, 'GET', `/v1/applications/${id}`))['Disposition'],
      'Active',
    );
  });

  void test('the idle timer archives without any request', async () => {
    const box = await startTtSandbox({ rentals: 1, leads: 2, showings: 0, archiveAfterMs: 150 });
    try {
      await waitUntil('seeded leads archived', () =>
        (box.state()['leads'] as Json[]).every(
          (l) => l['Disposition'] !== 'Active' || l['TenantSelected'] === true,
        ),
      );
      assert.ok((box.stats()['autoArchived'] as number) >= 1);
    } finally {
      await box.close();
    }
  });
});

void describe('showing', () => {
  void test('Requested → Scheduled → Confirmed → rescheduled → NoShow, and nothing after', async () => {
    const id = await showing(await lead());
    await refused(
      `/showings/${id}/confirm`,
      `Showing ${id} is Requested; confirm needs Scheduled.`,
    );
    await refused(
      `/showings/${id}/no-show`,
      `Showing ${id} is Requested; no-show needs Scheduled or Confirmed.`,
    );
    const scheduled = await operate(sandbox, `/showings/${id}/schedule`);
    assert.equal(scheduled['Status'], 'Scheduled');
    assert.equal(
      scheduled['ScheduledTime'],
      '2030-06-01T15:00:00Z',
      'the first requested time by default',
    );
    assert.equal((await operate(sandbox, `/showings/${id}/confirm`))['Status'], 'Confirmed');
    await refused(`/showings/${id}/reschedule`, 'ScheduledTime is required to reschedule.');
    await refused(
      `/showings/${id}/cancel`,
      `Showing ${id} is Confirmed; only a Scheduled showing is cancelled as Unconfirmed.`,
      {
        CancellationSource: 'Unconfirmed',
      },
    );
    const moved = await operate(sandbox, `/showings/${id}/reschedule`, {
      ScheduledTime: '2030-06-03T18:00:00Z',
    });
    assert.equal(moved['Status'], 'Scheduled');
    assert.equal(moved['Rescheduled'], true);
    assert.equal(moved['ScheduledTime'], '2030-06-03T18:00:00Z');
    assert.equal((await operate(sandbox, `/showings/${id}/no-show`))['Status'], 'NoShow');
    await refused(`/showings/${id}/feedback`, /is NoShow; feedback needs Scheduled or Confirmed/, {
      Feedback: 'x',
    });
    await refused(
      `/showings/${id}/cancel`,
      /is NoShow; cancel needs Requested or Scheduled or Confirmed/,
    );
  });

  void test('feedback once, after the viewing; a cancellation records who cancelled', async () => {
    const id = await showing(await lead());
    await operate(sandbox, `/showings/${id}/schedule`, { ScheduledTime: '2030-07-01T10:00:00Z' });
    await operate(sandbox, `/showings/${id}/confirm`);
    await refused(`/showings/${id}/feedback`, 'Feedback is required.');
    assert.equal(
      (await operate(sandbox, `/showings/${id}/feedback`, { Feedback: 'Loved it' }))['Feedback'],
      'Loved it',
    );
    await refused(`/showings/${id}/feedback`, `Showing ${id} already has feedback.`, {
      Feedback: 'again',
    });
    const other = await showing(await lead());
    await operate(sandbox, `/showings/${other}/schedule`);
    const cancelled = await operate(sandbox, `/showings/${other}/cancel`, {
      cancellationSource: 'unconfirmed',
    });
    assert.equal(cancelled['Status'], 'Cancelled');
    assert.equal(cancelled['CancellationSource'], 'Unconfirmed');
  });

  void test('deactivating the rental cancels its open viewings', async () => {
    const created = await expectStatus(sandbox, 201, 'POST', '/v1/properties', {
      body: { Address: '9 Closing Rd', City: 'Tampa', State: 'FL', ZipCode: '33602' },
    });
    const property = created['PropertyId'] as number;
    await expectStatus(sandbox, 204, 'PUT', `/v1/properties/${property}/activate`);
    const applicationId = await lead();
    const open = await operate(sandbox, `/applications/${applicationId}/showings`, {
      PropertyId: property,
    });
    const done = await operate(sandbox, `/applications/${applicationId}/showings`, {
      PropertyId: property,
    });
    await operate(sandbox, `/showings/${String(done['ShowingId'])}/cancel`, {
      CancellationSource: 'Lead',
    });
    await expectStatus(sandbox, 204, 'PUT', `/v1/properties/${property}/deactivate`);
    const first = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/showings/${String(open['ShowingId'])}`,
    );
    assert.deepEqual(
      [first['Status'], first['CancellationSource']],
      ['Cancelled', 'RentalDeactivated'],
    );
    const second = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/showings/${String(done['ShowingId'])}`,
    );
    assert.equal(
      second['CancellationSource'],
      'Lead',
      'an already cancelled viewing keeps its source',
    );
  });

  void test('the modeled PUT moves the same machine: schedule, reschedule, cancel; illegal moves are 422', async () => {
    const applicationId = await lead();
    const id = await showing(applicationId);
    const put = (body: unknown): ReturnType<typeof call> =>
      call(sandbox, 'PUT', `/v1/showings/${id}`, { body });
    assert.equal(
      (await put({ ScheduledTime: '2030-08-01T09:00:00Z', Notes: 'Gate code 1234' })).status,
      204,
    );
    let read = await expectStatus(sandbox, 200, 'GET', `/v1/showings/${id}`);
    assert.deepEqual(
      [read['Status'], read['ScheduledTime'], read['Notes'], read['Rescheduled']],
      ['Scheduled', '2030-08-01T09:00:00Z', 'Gate code 1234', false],
    );
    assert.equal((await put({ Status: 'Confirmed' })).status, 204);
    assert.equal(
      (await put({ Status: 'Confirmed', ScheduledTime: '2030-08-02T09:00:00Z' })).status,
      204,
    );
    read = await expectStatus(sandbox, 200, 'GET', `/v1/showings/${id}`);
    assert.deepEqual([read['Status'], read['Rescheduled']], ['Scheduled', true]);
    const back = await put({ Status: 'Requested' });
    assert.equal(back.status, 422);
    assert.deepEqual((back.body as Json)['ErrorMessages'], [
      `Showing ${id} is Scheduled; it cannot go back to Requested.`,
    ]);
    assert.equal((await put({ status: 'cancelled', cancellationSource: 'Lead' })).status, 204);
    read = await expectStatus(sandbox, 200, 'GET', `/v1/showings/${id}`);
    assert.deepEqual([read['Status'], read['CancellationSource']], ['Cancelled', 'Lead']);
    const late = await put({ Status: 'Confirmed', Notes: 'not written' });
    assert.equal(late.status, 422);
    assert.equal(
      (await expectStatus(sandbox, 200, 'GET', `/v1/showings/${id}`))['Notes'],
      'Gate code 1234',
      'a refused PUT writes nothing',
    );
    const nested = await expectStatus(sandbox, 200, 'GET', `/v1/applications/${applicationId}`);
    assert.deepEqual(nested['Showings'], [
      { ShowingId: id, ScheduledTime: '2030-08-02T09:00:00Z', Status: 'Cancelled' },
    ]);
  });
});
