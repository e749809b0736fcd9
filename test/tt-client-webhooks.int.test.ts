/**
 * The client's webhook verifier against deliveries the sandbox really sends: every one of the 21
 * event types, signed with the sandbox's key, verifies and parses with its resource read; a
 * delivery checked with another key is refused.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import {
  TT_LEAD_EVENTS,
  TT_LOCKBOX_EVENTS,
  TT_RENTAL_EVENTS,
  TT_SHOWING_EVENTS,
} from '../src/tenant-turner/webhook-events.ts';
import type { TtWebhookEvent } from '../src/tenant-turner/webhook-events.ts';
import { TtWebhookVerifier } from '../src/tenant-turner/webhook-verify.ts';
import { SURFACES, operator, records, ttSandbox } from './support/tt-client-harness.ts';

interface Delivery {
  body: Buffer;
  headers: http.IncomingHttpHeaders;
}

/** A local endpoint that answers 200 and resolves `waitFor(n)` once n deliveries arrived. */
async function receiver(): Promise<{
  url: string;
  deliveries: Delivery[];
  waitFor: (count: number) => Promise<void>;
  close: () => Promise<void>;
}> {
  const deliveries: Delivery[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({ body: Buffer.concat(chunks), headers: request.headers });
      response.writeHead(200).end();
      for (const waiter of waiters.filter((w) => deliveries.length >= w.count)) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tt`,
    deliveries,
    waitFor: (count) =>
      deliveries.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

for (const surface of SURFACES) {
  describe(`sandbox webhooks through the verifier, ${surface} surface`, () => {
    let box: TtSandbox;
    let inbox: Awaited<ReturnType<typeof receiver>>;

    before(async () => {
      inbox = await receiver();
      box = await ttSandbox({ surface, webhookUrls: [inbox.url] });
    });
    after(async () => {
      await box.close();
      await inbox.close();
    });

    it('verifies and parses all 21 event types the sandbox sends', async () => {
      const leadId = records(box, 'leads')[0]?.['ApplicationId'];
      const showingId = records(box, 'showings')[0]?.['ShowingId'];
      const propertyId = records(box, 'properties')[0]?.['PropertyId'];
      const plan: [readonly string[], string, Record<string, unknown>][] = [
        [TT_LEAD_EVENTS, 'lead', { ApplicationId: leadId }],
        [TT_SHOWING_EVENTS, 'showing', { ShowingId: showingId }],
        [TT_RENTAL_EVENTS, 'rental', { PropertyId: propertyId }],
        [TT_LOCKBOX_EVENTS, 'lockbox', { ShowingId: showingId }],
      ];
      const expectedKind = new Map<string, string>();
      for (const [types, kind, target] of plan) {
        for (const type of types) {
          expectedKind.set(type, kind);
          await operator(box, 'POST', '/__sandbox/webhooks/emit', { EventType: type, ...target });
        }
      }
      await inbox.waitFor(21);

      const verifier = new TtWebhookVerifier({ signingKeys: [box.webhookSigningKey] });
      const events: TtWebhookEvent[] = [];
      for (const delivery of inbox.deliveries) {
        const result = verifier.verify(delivery.body, delivery.headers);
        if (!result.ok) assert.fail(result.error.message);
        events.push(result.value);
      }
      assert.equal(new Set(events.map((event) => event.eventId)).size, events.length);
      const byType = new Map(events.map((event) => [event.eventType, event]));
      assert.equal(byType.size, 21);
      for (const [type, kind] of expectedKind) {
        const event = byType.get(type);
        assert.ok(event, type);
        assert.equal(event.kind, kind, type);
        assert.equal(event.dataError, undefined, `${type}: ${event.dataError ?? ''}`);
        assert.notEqual(event.data, undefined, type);
      }
      const scheduled = byType.get('Viewing Scheduled');
      assert.ok(scheduled?.kind === 'showing');
      assert.equal(scheduled.data?.showingId, showingId);

      const stranger = new TtWebhookVerifier({ signingKeys: ['not-the-sandbox-key'] });
      const first = inbox.deliveries[0];
      assert.ok(first);
      const refused = stranger.verify(first.body, first.headers);
      assert.equal(refused.ok, false);
    });
  });
}
