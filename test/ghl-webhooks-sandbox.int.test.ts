/**
 * Webhooks end to end: the sandbox signs and delivers, the client's verifier accepts what the
 * sandbox sent (with the sandbox's key) and rejects the same bytes tampered with.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { GhlWebhookVerifier } from '../src/ghl/webhook-verify.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { operator, pitClient, sandbox } from './support/ghl-harness.ts';

interface Delivery {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

describe('GHL webhooks from the sandbox', () => {
  let box: GhlSandbox;
  const deliveries: Delivery[] = [];
  let answer = 200;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.statusCode = answer;
      res.end();
    });
  });

  before(async () => {
    box = await sandbox({ contacts: 3 });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    await operator(box, 'POST', '/__sandbox/webhooks/subscriptions', {
      url: `http://127.0.0.1:${port}/hook`,
    });
  });
  after(async () => {
    await box.close();
    receiver.close();
  });

  async function waitFor(predicate: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  test('a contact created through the API arrives signed and verifies with the sandbox key', async () => {
    const verifier = new GhlWebhookVerifier({ publicKeys: [box.webhookPublicKeyPem] });
    const client = pitClient(box);
    const contact = await client
      .location(box.locationId)
      .createContact({ firstName: 'Hook', email: `hook-${Date.now()}@example.com` });
    await waitFor(() => deliveries.some((d) => d.body.includes(contact.id)), 'ContactCreate');
    const delivery = deliveries.find((d) => d.body.includes(contact.id));
    assert.ok(delivery);
    const result = verifier.verify(delivery.body, delivery.headers);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.equal(result.value.type, 'ContactCreate');

    const tampered = Buffer.from(delivery.body);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 3) ^ 1, tampered.length - 3);
    assert.equal(verifier.verify(tampered, delivery.headers).ok, false);
    assert.equal(
      new GhlWebhookVerifier({}).verify(delivery.body, delivery.headers).ok,
      false,
      "GHL's own key does not verify the sandbox's signature",
    );
    client.stop();
  });

  test('a 429 answer gets the delivery retried; another status loses it', async () => {
    const client = pitClient(box);
    answer = 429;
    const before = deliveries.length;
    const contact = await client
      .location(box.locationId)
      .createContact({ firstName: 'Retry', email: `retry-${Date.now()}@example.com` });
    await waitFor(
      () => deliveries.slice(before).filter((d) => d.body.includes(contact.id)).length >= 2,
      'a retry',
    );
    answer = 200;
    await waitFor(
      () => deliveries.slice(before).filter((d) => d.body.includes(contact.id)).length >= 3,
      'the final delivery',
    );
    const ids = new Set(
      deliveries
        .slice(before)
        .filter((d) => d.body.includes(contact.id))
        .map((d) => (JSON.parse(d.body.toString()) as { webhookId: string }).webhookId),
    );
    assert.equal(ids.size, 1, 'retries carry the same webhookId');

    answer = 500;
    const lostBefore = deliveries.length;
    const other = await client
      .location(box.locationId)
      .createContact({ firstName: 'Lost', email: `lost-${Date.now()}@example.com` });
    await waitFor(
      () => deliveries.slice(lostBefore).some((d) => d.body.includes(other.id)),
      'the one attempt',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(
      deliveries.slice(lostBefore).filter((d) => d.body.includes(other.id)).length,
      1,
      'a 500 is final: no retry',
    );
    answer = 200;
    client.stop();
  });
});
