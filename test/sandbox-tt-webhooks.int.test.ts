/**
 * Webhooks from the Tenant Turner sandbox to a local receiver: every operator move and API create
 * emits its event, signed with a hex HMAC-SHA256 of the raw body in X-Payload-Signature, shaped as
 * the spec's WebhookEvent; a failing receiver is retried on the 1, 3, 9, 27, 81 × interval
 * schedule and then given up; the drop, duplicate and reorder knobs do what they say.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTtSandbox } from '../sandbox/tenant-turner/index.ts';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { call, expectStatus, operate, waitUntil, WebhookReceiver } from './support/tt-harness.ts';
import type { Delivery, Json } from './support/tt-harness.ts';
import { loadTtSpecValidator } from './support/tt-spec-validator.ts';
import type { TtSpecValidator } from './support/tt-spec-validator.ts';

let spec: TtSpecValidator;
let receiver: WebhookReceiver;
let made = 0;

before(async () => {
  spec = await loadTtSpecValidator();
  receiver = await new WebhookReceiver().start();
});
after(async () => {
  await receiver.stop();
});

function hmac(key: string, raw: Buffer): string {
  return createHmac('sha256', key).update(raw).digest('hex');
}

function assertSignedEvent(sandbox: TtSandbox, delivery: Delivery): void {
  assert.equal(delivery.signature, hmac(sandbox.webhookSigningKey, delivery.raw));
  const result = spec.validateWebhook(delivery.body);
  assert.ok(result.ok, result.errors.join('\n'));
}

async function newLead(sandbox: TtSandbox, propertyId?: number): Promise<number> {
  made++;
  const created = await expectStatus(sandbox, 201, 'POST', '/v1/applications', {
    body: {
      FirstName: 'Hook',
      LastName: `Lead${made}`,
      Email: `hook.${made}@example.com`,
      Phone: `555${String(3_000_000 + made)}`,
      ...(propertyId === undefined ? {} : { PropertyId: propertyId }),
    },
  });
  return created['ApplicationId'] as number;
}

async function activeRental(sandbox: TtSandbox): Promise<number> {
  const created = await expectStatus(sandbox, 201, 'POST', '/v1/properties', {
    body: { Address: '5 Hook Ln', City: 'Nashville', State: 'TN', ZipCode: '37203' },
  });
  const id = created['PropertyId'] as number;
  await expectStatus(sandbox, 204, 'PUT', `/v1/properties/${id}/activate`);
  return id;
}

void describe('events', () => {
  let sandbox: TtSandbox;
  before(async () => {
    sandbox = await startTtSandbox({
      rentals: 1,
      leads: 1,
      showings: 0,
      webhookUrls: [receiver.url],
    });
  });
  after(async () => {
    await sandbox.close();
  });

  void test('the webhookUrls option subscribes, and an API create is a signed Lead Created', async () => {
    receiver.clear();
    const id = await newLead(sandbox);
    const delivery = await receiver.next('Lead Created', (b) => b['ApplicationId'] === id);
    assertSignedEvent(sandbox, delivery);
    assert.match(String(delivery.body['EventId']), /^[0-9a-f-]{36}$/);
    const data = delivery.body['Data'] as Json;
    assert.deepEqual(data, await expectStatus(sandbox, 200, 'GET', `/v1/applications/${id}`));
    const tampered = Buffer.from(delivery.raw.toString('utf8').replace('Hook', 'Hack'));
    assert.notEqual(hmac(sandbox.webhookSigningKey, tampered), delivery.signature);
  });

  void test('every move emits its event with the resource as GET shows it', async () => {
    receiver.clear();
    const rental = await activeRental(sandbox);
    await receiver.next('Rental Activated', (b) => b['PropertyId'] === rental);
    const steps: [string, string, unknown, string][] = [];
    const lead = await newLead(sandbox, rental);
    const booked = await expectStatus(sandbox, 201, 'POST', '/v1/showings', {
      body: { ApplicationId: lead, PropertyId: rental, RequestedTimes: ['2030-09-01T10:00:00Z'] },
    });
    const viewing = booked['ShowingId'] as number;
    steps.push(
      ['qualify', `/applications/${lead}/qualify`, undefined, 'Lead Qualified'],
      ['schedule', `/showings/${viewing}/schedule`, undefined, 'Viewing Scheduled'],
      ['confirm', `/showings/${viewing}/confirm`, undefined, 'Viewing Confirmed'],
      [
        'reschedule',
        `/showings/${viewing}/reschedule`,
        { ScheduledTime: '2030-09-02T10:00:00Z' },
        'Viewing Scheduled',
      ],
      [
        'feedback',
        `/showings/${viewing}/feedback`,
        { Feedback: 'Great light' },
        'Viewing Feedback',
      ],
      ['select tenant', `/applications/${lead}/select-tenant`, undefined, 'Tenant Selected'],
      [
        'contact',
        `/applications/${lead}/contact`,
        { Phone: '555-999-0000' },
        'Lead Contact Info Updated',
      ],
    );
    for (const [, path, body] of steps) await operate(sandbox, path, body);
    const second = await newLead(sandbox, rental);
    const other = (await operate(sandbox, `/applications/${second}/showings`))[
      'ShowingId'
    ] as number;
    await operate(sandbox, `/showings/${other}/schedule`);
    await operate(sandbox, `/showings/${other}/no-show`);
    await operate(sandbox, `/applications/${second}/disqualify`);
    await operate(sandbox, `/applications/${second}/archive`);
    await operate(sandbox, `/applications/${second}/respond`);
    await operate(sandbox, `/applications/${second}/decline`);
    await operate(sandbox, '/webhooks/emit', {
      EventType: 'Lockbox Code Sent',
      ShowingId: viewing,
    });
    await operate(sandbox, '/webhooks/emit', {
      EventType: 'Rental On Waitlist',
      PropertyId: rental,
    });
    await expectStatus(sandbox, 204, 'PUT', `/v1/properties/${rental}/deactivate`);
    const expected = [
      'Rental Activated',
      'Lead Created',
      'Viewing Requested',
      ...steps.map(([, , , type]) => type),
      'Lead Created',
      'Viewing Requested',
      'Viewing Scheduled',
      'Viewing No Show',
      'Lead Disqualified',
      'Lead Archived',
      'Lead Unarchived',
      'Lead Declined',
      'Lockbox Code Sent',
      'Rental On Waitlist',
      'Rental Deactivated',
      // The first viewing was still Scheduled: deactivating the rental cancels it.
      'Viewing Cancelled',
    ];
    await waitUntil('all events', () => receiver.deliveries.length >= expected.length);
    assert.deepEqual([...receiver.types()].sort(), [...expected].sort());
    for (const delivery of receiver.deliveries) assertSignedEvent(sandbox, delivery);
    const feedback = await receiver.next('Viewing Feedback');
    assert.equal((feedback.body['Data'] as Json)['Feedback'], 'Great light');
    assert.equal(feedback.body['ShowingId'], viewing);
    assert.equal(feedback.body['ApplicationId'], lead);
    const cancelled = await receiver.next('Viewing Cancelled');
    assert.equal((cancelled.body['Data'] as Json)['CancellationSource'], 'RentalDeactivated');
    const rentalEvent = await receiver.next('Rental Deactivated');
    assert.equal((rentalEvent.body['Data'] as Json)['IsActive'], false);
    assert.equal(rentalEvent.body['ApplicationId'], undefined);
  });

  void test('an operator subscription receives events too; unsubscribing stops them', async () => {
    const extra = await new WebhookReceiver().start();
    try {
      const sub = await operate(sandbox, '/webhooks/subscriptions', { url: extra.url });
      const id = await newLead(sandbox);
      await extra.next('Lead Created', (b) => b['ApplicationId'] === id);
      const removed = await call(
        sandbox,
        'DELETE',
        `/__sandbox/webhooks/subscriptions/${String(sub['Id'])}`,
        { authorization: null },
      );
      assert.equal(removed.status, 204);
      const later = await newLead(sandbox);
      await receiver.next('Lead Created', (b) => b['ApplicationId'] === later);
      assert.equal(extra.deliveries.filter((d) => d.body['ApplicationId'] === later).length, 0);
    } finally {
      await extra.stop();
    }
  });
});

void describe('delivery', () => {
  const INTERVAL = 25;
  let sandbox: TtSandbox;
  before(async () => {
    sandbox = await startTtSandbox({
      rentals: 1,
      leads: 0,
      showings: 0,
      webhookRetryIntervalMs: INTERVAL,
    });
    sandbox.subscribeWebhook(receiver.url);
  });
  after(async () => {
    await sandbox.close();
  });

  const counters = (): Json => sandbox.stats()['webhooks'] as Json;

  void test('a failing receiver is retried 5 times, 1×, 3×, 9×, 27×, 81× the interval apart, then given up', async () => {
    receiver.clear();
    await operate(sandbox, '/reset');
    receiver.status = () => 500;
    await newLead(sandbox);
    await waitUntil('the delivery given up', () => counters()['lost'] === 1, 15_000);
    const attempts = receiver.deliveries;
    assert.equal(attempts.length, 6);
    assert.equal(new Set(attempts.map((d) => d.body['EventId'])).size, 1, 'one event, retried');
    assert.ok(
      attempts.every((d) => d.raw.equals(attempts[0]?.raw ?? Buffer.alloc(0))),
      'the same bytes each time',
    );
    const gaps = attempts.slice(1).map((d, i) => d.at - (attempts[i]?.at ?? 0));
    [1, 3, 9, 27, 81].forEach((factor, i) => {
      const gap = gaps[i] ?? 0;
      assert.ok(
        gap >= factor * INTERVAL - 2,
        `gap ${i + 1} is ${gap} ms, expected ≥ ${factor * INTERVAL}`,
      );
      assert.ok(
        gap < factor * INTERVAL * 2 + 500,
        `gap ${i + 1} is ${gap} ms, expected about ${factor * INTERVAL}`,
      );
    });
    assert.deepEqual(
      [counters()['attempted'], counters()['retried'], counters()['succeeded']],
      [6, 5, 0],
    );
  });

  void test('a receiver that recovers gets the event once it answers 2xx', async () => {
    receiver.clear();
    await operate(sandbox, '/reset');
    receiver.status = (index) => (index < 2 ? 503 : 200);
    await newLead(sandbox);
    await waitUntil('delivered', () => counters()['succeeded'] === 1);
    assert.equal(receiver.deliveries.length, 3);
    assert.equal(counters()['retried'], 2);
  });

  void test('knobs: drop sends nothing, duplicate sends the same EventId twice, reorder reverses a burst', async () => {
    receiver.clear();
    await operate(sandbox, '/reset');
    await operate(sandbox, '/faults', { webhookDropRate: 1 });
    await newLead(sandbox);
    await waitUntil('dropped', () => counters()['dropped'] === 1);
    assert.equal(counters()['attempted'], 0);
    await operate(sandbox, '/faults', { webhookDropRate: 0, webhookDuplicateRate: 1 });
    const dup = await newLead(sandbox);
    await waitUntil('two copies', () => receiver.deliveries.length === 2);
    assert.deepEqual(
      receiver.deliveries.map((d) => d.body['ApplicationId']),
      [dup, dup],
    );
    assert.equal(receiver.deliveries[0]?.body['EventId'], receiver.deliveries[1]?.body['EventId']);
    receiver.clear();
    await operate(sandbox, '/faults', { webhookDuplicateRate: 0, webhookReorder: true });
    const burst = [await newLead(sandbox), await newLead(sandbox), await newLead(sandbox)];
    await waitUntil('the burst', () => receiver.deliveries.length === 3);
    const order = receiver.deliveries.map((d) => d.body['ApplicationId'] as number);
    assert.deepEqual([...order].sort(), [...burst].sort());
    assert.notDeepEqual(order, burst, 'not in emission order');
  });
});
