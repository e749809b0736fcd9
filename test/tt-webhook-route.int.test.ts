/**
 * `POST /webhooks/tt` over real HTTP on both databases: a delivery signed by the Tenant Turner
 * sandbox's key is stored raw before the 200 and its redelivery is acknowledged without a second
 * row; a bad signature, no signature, a non-JSON content type or body, and any delivery while no
 * signing key is configured are refused with a clear 4xx and stored nowhere.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GhlWebhookVerifier } from '../src/ghl/webhook-verify.ts';
import { buildServer } from '../src/server/app.ts';
import type { Store } from '../src/store/database.ts';
import { signTtPayload, TtWebhookVerifier } from '../src/tenant-turner/webhook-verify.ts';
import { startTtSandbox } from '../sandbox/tenant-turner/index.ts';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { operator } from './support/operator.ts';
import { eventually } from './support/processes.ts';
import { describeEachDialect } from './support/stores.ts';

let box: TtSandbox;
before(async () => {
  box = await startTtSandbox({ leads: 0, showings: 0, rentals: 2 });
});
after(() => box.close());

async function startServer(store: Store, signingKey: string | undefined) {
  const app = buildServer({
    store,
    ghlVerifier: new GhlWebhookVerifier(),
    ...(signingKey ? { ttVerifier: new TtWebhookVerifier({ signingKeys: [signingKey] }) } : {}),
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/webhooks/tt`, { method: 'POST', body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function inbox(store: Store) {
  return store.db
    .selectFrom('inbox')
    .select(['provider', 'event_id', 'event_type', 'payload'])
    .execute();
}

function leadEvent(eventId: string): string {
  return JSON.stringify({
    EventId: eventId,
    EventType: 'Lead Qualified',
    OccurredAt: '2026-11-28T15:04:05Z',
    ApplicationId: 200123,
    Data: { ApplicationId: 200123 },
  });
}

describeEachDialect('Tenant Turner webhook route', (stores) => {
  test("the sandbox's signed deliveries are stored raw before the 200, once", async () => {
    const store = await stores.open('tt-route-accept');
    const server = await startServer(store, box.webhookSigningKey);
    const subscription = box.subscribeWebhook(`${server.url}/webhooks/tt`);
    try {
      const lead = await operator<{ ApplicationId: number }>(
        box,
        'POST',
        '/__sandbox/applications',
        {
          FirstName: 'Rita',
          LastName: `Route ${stores.dialect}`,
          Email: `rita.route.${stores.dialect}@example.com`,
          Phone: stores.dialect === 'sqlite' ? '+14155550181' : '+14155550182',
        },
      );
      const rows = await eventually(async () => {
        const found = await inbox(store);
        return found.length > 0 ? found : undefined;
      }, 'the Lead Created delivery in the inbox');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.provider, 'tt');
      assert.equal(rows[0]?.event_type, 'Lead Created');
      await eventually(async () => {
        const log = await operator<{ deliveries: { subscriptionId: string; status: number }[] }>(
          box,
          'GET',
          '/__sandbox/webhooks',
        );
        return log.deliveries.some((d) => d.subscriptionId === subscription && d.status === 200)
          ? true
          : undefined;
      }, 'the sandbox to log the 200');
      const payload = JSON.parse(rows[0]?.payload ?? '{}') as { ApplicationId?: number };
      assert.equal(payload.ApplicationId, lead.ApplicationId, 'the raw body is kept');

      // A redelivery of the same EventId (TT retries, and may repeat) is acknowledged, not stored.
      const body = rows[0]?.payload ?? '';
      const again = await post(server.url, body, {
        'content-type': 'application/json',
        'x-payload-signature': signTtPayload(body, box.webhookSigningKey),
      });
      assert.equal(again.status, 200);
      assert.equal(again.body['status'], 'duplicate');
      assert.equal((await inbox(store)).length, 1);
    } finally {
      await operator(box, 'DELETE', `/__sandbox/webhooks/subscriptions/${subscription}`);
      await server.close();
    }
  });

  test('unverifiable deliveries get a clear 4xx and are stored nowhere', async () => {
    const store = await stores.open('tt-route-reject');
    const server = await startServer(store, box.webhookSigningKey);
    try {
      const body = leadEvent(`evt-${stores.dialect}-1`);
      const json = { 'content-type': 'application/json' };
      const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number][] =
        [
          ['unsigned', post(server.url, body, json), 401],
          [
            'signed with another key',
            post(server.url, body, {
              ...json,
              'x-payload-signature': signTtPayload(body, 'other-key-123'),
            }),
            401,
          ],
          [
            'tampered after signing',
            post(server.url, body.replace('200123', '200124'), {
              ...json,
              'x-payload-signature': signTtPayload(body, box.webhookSigningKey),
            }),
            401,
          ],
          [
            'not JSON',
            post(server.url, body, {
              'content-type': 'text/plain',
              'x-payload-signature': signTtPayload(body, box.webhookSigningKey),
            }),
            415,
          ],
          [
            'signed but no event',
            post(server.url, '{"hello":"world"}', {
              ...json,
              'x-payload-signature': signTtPayload('{"hello":"world"}', box.webhookSigningKey),
            }),
            400,
          ],
        ];
      for (const [what, answer, status] of cases) {
        const { status: got, body: reply } = await answer;
        assert.equal(got, status, what);
        const error = reply['error'] as { code: string; message: string };
        assert.ok(error.message.length > 20, `${what}: the reply says what is wrong`);
      }
      assert.equal((await inbox(store)).length, 0, 'nothing unverified is stored');
    } finally {
      await server.close();
    }
  });

  test('without a signing key every delivery is refused with what to set', async () => {
    const store = await stores.open('tt-route-off');
    const server = await startServer(store, undefined);
    try {
      const body = leadEvent(`evt-${stores.dialect}-off`);
      const answer = await post(server.url, body, {
        'content-type': 'application/json',
        'x-payload-signature': signTtPayload(body, box.webhookSigningKey),
      });
      assert.equal(answer.status, 404);
      assert.match((answer.body['error'] as { message: string }).message, /TT_WEBHOOK_SIGNING_KEY/);
      assert.equal((await inbox(store)).length, 0);
    } finally {
      await server.close();
    }
  });
});
