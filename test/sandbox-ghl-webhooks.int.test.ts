/**
 * Webhooks from the GHL sandbox to a local receiver: Ed25519 signatures over the raw bytes, flat
 * payloads for every event type, retries only after a 429, and the drop/duplicate/reorder knobs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGhlSandbox } from '../sandbox/ghl/index.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';

type Json = Record<string, unknown>;

interface Received {
  raw: Buffer;
  body: Json;
  signature: string;
}

/** A local webhook endpoint; `respond` picks the status per delivery (null = never answer). */
class Receiver {
  readonly received: Received[] = [];
  respond: (index: number) => number | null = () => 200;
  #server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const index = this.received.length;
      this.received.push({
        raw,
        body: JSON.parse(raw.toString('utf8')) as Json,
        signature: String(request.headers['x-ghl-signature'] ?? ''),
      });
      const status = this.respond(index);
      if (status !== null) response.writeHead(status).end();
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  types(): string[] {
    return this.received.map((r) => String(r.body['type']));
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function send(
  sandbox: GhlSandbox,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Json> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}`, version: '2021-07-28' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await response.json()) as Json;
}

async function stats(sandbox: GhlSandbox): Promise<Record<string, number>> {
  return ((await send(sandbox, 'GET', '/__sandbox/stats')) as { webhooks: Record<string, number> })
    .webhooks;
}

/** Polls the webhook counters until `check` holds. */
async function waitForStats(
  sandbox: GhlSandbox,
  check: (counters: Record<string, number>) => boolean,
  timeoutMs = 15_000,
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counters = await stats(sandbox);
    if (check(counters)) return counters;
    if (Date.now() > deadline)
      throw new Error(`webhook counters never matched: ${JSON.stringify(counters)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

void describe('webhooks', () => {
  let sandbox: GhlSandbox;
  let receiver: Receiver;
  let token: string;
  before(async () => {
    sandbox = await startGhlSandbox({ contacts: 3, webhookRetryIntervalMs: 40 });
    token = sandbox.mintToken({ scopes: ['contacts.readonly', 'contacts.write'] }).accessToken;
    receiver = new Receiver();
    await receiver.start();
    await send(sandbox, 'POST', '/__sandbox/webhooks/subscriptions', { url: receiver.url });
  });
  after(async () => {
    await sandbox.close();
    await receiver.stop();
  });
  const reset = async (): Promise<void> => {
    receiver.received.length = 0;
    receiver.respond = () => 200;
    await send(sandbox, 'POST', '/__sandbox/reset', {});
  };

  void test('an API write delivers a signed, flat ContactCreate', async () => {
    await reset();
    const created = await send(
      sandbox,
      'POST',
      '/contacts/',
      { locationId: sandbox.locationId, firstName: 'Hook', email: 'hook@example.com', tags: ['a'] },
      token,
    );
    const id = (created['contact'] as Json)['id'];
    await waitFor('ContactCreate', () => receiver.received.length === 1);
    const [delivery] = receiver.received;
    assert.ok(delivery !== undefined);
    assert.ok(
      verify(
        null,
        delivery.raw,
        sandbox.webhookPublicKeyPem,
        Buffer.from(delivery.signature, 'base64'),
      ),
      'Ed25519 over the raw bytes',
    );
    const tampered = Buffer.from(delivery.raw.toString('utf8').replace('Hook', 'Hack'));
    assert.equal(
      verify(
        null,
        tampered,
        sandbox.webhookPublicKeyPem,
        Buffer.from(delivery.signature, 'base64'),
      ),
      false,
    );
    const body = delivery.body;
    assert.equal(body['type'], 'ContactCreate');
    assert.equal(body['locationId'], sandbox.locationId);
    assert.equal(body['id'], id);
    assert.equal(body['firstName'], 'Hook');
    assert.deepEqual(body['attachments'], []);
    assert.equal(body['data'], undefined, 'flat, no data wrapper');
    assert.ok(!Number.isNaN(Date.parse(String(body['timestamp']))));
    assert.equal(typeof body['webhookId'], 'string');
    assert.match(String(body['appId']), /^[0-9a-f]{24}$/);
    assert.ok(sandbox.clientId.startsWith(String(body['appId'])));
    assert.equal(typeof body['versionId'], 'string');
  });

  void test('every change emits its event type, and there is no TaskUpdate', async () => {
    await reset();
    const contact = (await send(sandbox, 'POST', '/__sandbox/contacts', { firstName: 'Op' }))[
      'contact'
    ] as Json;
    const id = String(contact['id']);
    await send(sandbox, 'PATCH', `/__sandbox/contacts/${id}`, {
      lastName: 'Erator',
      tags: ['x'],
      dnd: true,
    });
    const task = (await send(sandbox, 'POST', `/__sandbox/contacts/${id}/tasks`, { title: 'T' }))[
      'task'
    ] as Json;
    await send(sandbox, 'PATCH', `/__sandbox/tasks/${String(task['id'])}`, { title: 'renamed' });
    await send(sandbox, 'PATCH', `/__sandbox/tasks/${String(task['id'])}`, { completed: true });
    await send(sandbox, 'DELETE', `/__sandbox/tasks/${String(task['id'])}`);
    const note = (await send(sandbox, 'POST', `/__sandbox/contacts/${id}/notes`, { body: 'n' }))[
      'note'
    ] as Json;
    await send(sandbox, 'PATCH', `/__sandbox/notes/${String(note['id'])}`, { body: 'n2' });
    await send(sandbox, 'DELETE', `/__sandbox/notes/${String(note['id'])}`);
    const appointment = (await send(sandbox, 'POST', `/__sandbox/contacts/${id}/appointments`, {}))[
      'appointment'
    ] as Json;
    await send(sandbox, 'PATCH', `/__sandbox/appointments/${String(appointment['id'])}`, {
      appointmentStatus: 'showed',
    });
    await send(sandbox, 'DELETE', `/__sandbox/appointments/${String(appointment['id'])}`);
    await send(sandbox, 'DELETE', `/__sandbox/contacts/${id}`);
    const expected = [
      'ContactCreate',
      'ContactUpdate',
      'ContactTagUpdate',
      'ContactDndUpdate',
      'TaskCreate',
      'TaskComplete',
      'TaskDelete',
      'NoteCreate',
      'NoteUpdate',
      'NoteDelete',
      'AppointmentCreate',
      'AppointmentUpdate',
      'AppointmentDelete',
      'ContactDelete',
    ];
    await waitFor('all events', () => receiver.received.length >= expected.length);
    assert.deepEqual([...receiver.types()].sort(), [...expected].sort());
    const dnd = receiver.received.find((r) => r.body['type'] === 'ContactDndUpdate')?.body;
    assert.ok(
      dnd !== undefined &&
        typeof dnd['dndSettings'] === 'object' &&
        dnd['inboundDndSettings'] === undefined,
    );
    const update = receiver.received.find((r) => r.body['type'] === 'AppointmentUpdate')?.body;
    assert.equal((update?.['appointment'] as Json)['appointmentStatus'], 'showed');
    const taskCreate = receiver.received.find((r) => r.body['type'] === 'TaskCreate')?.body;
    assert.equal(taskCreate?.['contactId'], id);
  });

  void test('a 429 is retried (same webhookId and bytes); any other status is final', async () => {
    await reset();
    receiver.respond = (index) => (index < 2 ? 429 : 200);
    await send(sandbox, 'POST', '/__sandbox/contacts', { firstName: 'Retry' });
    await waitFor('two retries and a success', () => receiver.received.length >= 3);
    const [a, b, c] = receiver.received;
    assert.ok(a !== undefined && b !== undefined && c !== undefined);
    assert.equal(a.body['firstName'], 'Retry');
    assert.ok(a.raw.equals(b.raw) && b.raw.equals(c.raw), 'a retry re-sends the same bytes');
    let counters = await waitForStats(sandbox, (w) => w['succeeded'] === 1);
    assert.equal(counters['retried'], 2);
    assert.equal(receiver.received.length, 3);

    await reset();
    receiver.respond = () => 500;
    await send(sandbox, 'POST', '/__sandbox/contacts', { firstName: 'Lost' });
    counters = await waitForStats(sandbox, (w) => w['lost'] === 1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // 5 retry intervals: a retry would have come
    assert.equal(receiver.received.length, 1);
    assert.equal((await stats(sandbox))['retried'], 0);
  });

  void test('retries stop after 6; a timeout is final', async () => {
    await reset();
    receiver.respond = () => 429;
    await send(sandbox, 'POST', '/__sandbox/contacts', { firstName: 'Always429' });
    await waitForStats(sandbox, (w) => w['lost'] === 1, 30_000);
    assert.equal(receiver.received.length, 7, '1 attempt + 6 retries');
    assert.equal((await stats(sandbox))['retried'], 6);

    await reset();
    await send(sandbox, 'POST', '/__sandbox/settings', { webhookTimeoutMs: 300 });
    receiver.respond = () => null;
    try {
      await send(sandbox, 'POST', '/__sandbox/contacts', { firstName: 'Slow' });
      await waitForStats(sandbox, (w) => w['lost'] === 1);
      assert.equal(receiver.received.length, 1);
    } finally {
      await send(sandbox, 'POST', '/__sandbox/settings', { webhookTimeoutMs: 10_000 });
    }
  });

  void test('knobs: drop, duplicate (same webhookId), TaskCreate without contactId, reorder', async () => {
    await reset();
    await send(sandbox, 'POST', '/__sandbox/faults', { webhookDropRate: 1 });
    await send(sandbox, 'POST', '/__sandbox/contacts', { firstName: 'Dropped' });
    let counters = await stats(sandbox);
    assert.equal(counters['dropped'], 1, 'the drop is decided when the event is emitted');
    assert.equal(counters['attempted'], 0);

    await send(sandbox, 'POST', '/__sandbox/faults', {
      webhookDropRate: 0,
      webhookDuplicateRate: 1,
    });
    await send(sandbox, 'POST', '/__sandbox/contacts', { firstName: 'Twice' });
    await waitFor('two copies', () => receiver.received.length >= 2);
    assert.equal(receiver.received.length, 2);
    assert.equal(receiver.received[0]?.body['firstName'], 'Twice');
    assert.equal(receiver.received[0]?.body['webhookId'], receiver.received[1]?.body['webhookId']);
    counters = await stats(sandbox);
    assert.equal(counters['duplicated'], 1);

    receiver.received.length = 0;
    await send(sandbox, 'POST', '/__sandbox/faults', {
      webhookDuplicateRate: 0,
      taskCreateWithoutContactRate: 1,
    });
    const contact = (await send(sandbox, 'POST', '/__sandbox/contacts', { firstName: 'Tasky' }))[
      'contact'
    ] as Json;
    await send(sandbox, 'POST', `/__sandbox/contacts/${String(contact['id'])}/tasks`, {
      title: 'T',
      body: 'B',
    });
    await waitFor('TaskCreate', () => receiver.types().includes('TaskCreate'));
    const taskCreate = receiver.received.find((r) => r.body['type'] === 'TaskCreate')?.body;
    assert.equal(taskCreate?.['contactId'], undefined);
    assert.equal(taskCreate?.['body'], undefined);

    receiver.received.length = 0;
    await send(sandbox, 'POST', '/__sandbox/faults', {
      taskCreateWithoutContactRate: 0,
      webhookReorder: true,
    });
    // One write that emits several events at once, so they share a reorder window.
    await send(sandbox, 'PATCH', `/__sandbox/contacts/${String(contact['id'])}`, {
      lastName: 'Shuffled',
      tags: ['t1'],
      dnd: true,
    });
    await waitFor('three events', () => receiver.received.length >= 3);
    assert.deepEqual([...receiver.types()].sort(), [
      'ContactDndUpdate',
      'ContactTagUpdate',
      'ContactUpdate',
    ]);
    assert.notDeepEqual(
      receiver.types(),
      ['ContactUpdate', 'ContactTagUpdate', 'ContactDndUpdate'],
      'not in emission order',
    );
  });
});
