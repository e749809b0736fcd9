import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AppError } from '../src/shared/errors.ts';
import type { Logger } from '../src/shared/logger.ts';
import type { Result } from '../src/shared/result.ts';
import {
  TT_LEAD_EVENTS,
  TT_RENTAL_EVENTS,
  TT_SHOWING_EVENTS,
  TT_WEBHOOK_EVENT_TYPES,
  parseTtWebhook,
} from '../src/tenant-turner/webhook-events.ts';
import type { TtWebhookEvent } from '../src/tenant-turner/webhook-events.ts';
import { TtWebhookVerifier, signTtPayload } from '../src/tenant-turner/webhook-verify.ts';

const KEY = 'whsec-test-signing-key-0001';

const LEAD = {
  ApplicationId: 200001,
  FirstName: 'Ada',
  LastName: 'Lovelace',
  Email: 'ada@example.com',
  Phone: '+15555550100',
  PropertyId: 100001,
  Source: 'Zillow',
  ExternalId: null,
  ExternalSource: null,
  QualificationStatus: 'Qualified',
  Disposition: 'Active',
  TenantSelected: false,
  DateCreated: '2026-11-01T10:00:00Z',
  DateUpdated: '2026-11-02T11:00:00Z',
  Showings: [{ ShowingId: 300001, ScheduledTime: '2026-11-05T16:00:00Z', Status: 'Scheduled' }],
};
const SHOWING = {
  ShowingId: 300001,
  ApplicationId: 200001,
  PropertyId: 100001,
  RequestedTimes: ['2026-11-05T16:00:00Z'],
  ScheduledTime: '2026-11-05T16:00:00Z',
  Status: 'Scheduled',
  CancellationSource: null,
  Rescheduled: false,
  Feedback: null,
  Notes: null,
  ExternalId: null,
  DateCreated: '2026-11-02T11:00:00Z',
  DateUpdated: '2026-11-02T11:00:00Z',
};
const RENTAL = {
  PropertyId: 100001,
  Address: '123 Main St',
  Address2: null,
  City: 'Springfield',
  State: 'IL',
  ZipCode: '62704',
  Bedrooms: '3',
  RentAmount: '1450.00',
  IsActive: true,
  Photos: [],
};

function payload(eventType: string, data: unknown, extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      EventId: `evt-${eventType.replace(/\s/g, '-')}`,
      EventType: eventType,
      OccurredAt: '2026-11-02T11:00:00Z',
      ApplicationId: 200001,
      Data: data,
      ...extra,
    }),
  );
}

/** The signature computed independently of the code under test. */
function sign(body: Buffer, key = KEY): Record<string, string> {
  return { 'x-payload-signature': createHmac('sha256', key).update(body).digest('hex') };
}

function expectOk(result: Result<TtWebhookEvent, AppError>): TtWebhookEvent {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.message}`);
  return result.value;
}

function expectRejected(result: Result<TtWebhookEvent, AppError>, reason: string): AppError {
  if (result.ok) assert.fail(`expected ${reason}, got an event`);
  assert.equal(result.error.code, 'webhook_invalid');
  assert.equal(result.error.details?.['reason'], reason, result.error.message);
  return result.error;
}

function recordingLogger(
  lines: { level: string; fields: Record<string, unknown>; message: string }[],
): Logger {
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

const verifier = new TtWebhookVerifier({ signingKeys: [KEY] });

describe('Tenant Turner webhook verification', () => {
  it('accepts a correctly signed delivery and reads the event', () => {
    const body = payload('Viewing Scheduled', SHOWING, { ShowingId: 300001 });
    const event = expectOk(verifier.verify(body, sign(body)));
    assert.equal(event.kind, 'showing');
    assert.equal(event.eventType, 'Viewing Scheduled');
    assert.equal(event.eventId, 'evt-Viewing-Scheduled');
    assert.equal(event.showingId, 300001);
    assert.deepEqual(event.occurredAt, new Date('2026-11-02T11:00:00Z'));
    if (event.kind !== 'showing') return;
    assert.equal(event.data?.status, 'Scheduled');
    assert.deepEqual(event.data?.scheduledTime, new Date('2026-11-05T16:00:00Z'));
  });

  it('signs the way it verifies (hex HMAC-SHA256 of the raw bytes)', () => {
    const body = payload('Lead Created', LEAD);
    assert.equal(signTtPayload(body, KEY), sign(body)['x-payload-signature']);
  });

  it('refuses a tampered body', () => {
    const body = payload('Lead Qualified', LEAD);
    const headers = sign(body);
    const tampered = Buffer.from(body.toString('utf8').replace('Qualified', 'Disqualified'));
    expectRejected(verifier.verify(tampered, headers), 'signature_invalid');
  });

  it('refuses a signature made with another secret', () => {
    const body = payload('Lead Created', LEAD);
    expectRejected(verifier.verify(body, sign(body, 'some-other-secret')), 'signature_invalid');
  });

  it('refuses a missing, empty or non-hex signature', () => {
    const body = payload('Lead Created', LEAD);
    expectRejected(verifier.verify(body, {}), 'signature_missing');
    expectRejected(verifier.verify(body, { 'x-payload-signature': ' ' }), 'signature_missing');
    const base64 = createHmac('sha256', KEY).update(body).digest('base64');
    expectRejected(verifier.verify(body, { 'x-payload-signature': base64 }), 'signature_invalid');
  });

  it('reads the header whatever its case, and upper-case hex', () => {
    const body = payload('Lead Created', LEAD);
    const hex = sign(body)['x-payload-signature']?.toUpperCase() ?? '';
    expectOk(verifier.verify(body, { 'X-Payload-Signature': hex }));
  });

  it('accepts the old and the new key during a rotation', () => {
    const rotating = new TtWebhookVerifier({ signingKeys: ['old-key-123456', 'new-key-654321'] });
    const body = payload('Lead Created', LEAD);
    expectOk(rotating.verify(body, sign(body, 'old-key-123456')));
    expectOk(rotating.verify(body, sign(body, 'new-key-654321')));
  });

  it('refuses signed malformed JSON', () => {
    const body = Buffer.from('{"EventId": "x", "EventType": ');
    expectRejected(verifier.verify(body, sign(body)), 'json_invalid');
  });

  it('refuses an oversized body before computing anything', () => {
    const small = new TtWebhookVerifier({ signingKeys: [KEY], maxBodyBytes: 64 });
    const body = payload('Lead Created', LEAD);
    const error = expectRejected(small.verify(body, sign(body)), 'body_too_large');
    assert.match(error.message, /maxBodyBytes/);
  });

  it('refuses a signed body without EventId, EventType or a readable OccurredAt', () => {
    const noId = Buffer.from(
      JSON.stringify({ EventType: 'Lead Created', OccurredAt: '2026-11-02T11:00:00Z' }),
    );
    expectRejected(verifier.verify(noId, sign(noId)), 'payload_invalid');
    const badTime = payload('Lead Created', LEAD, { OccurredAt: 'yesterday' });
    expectRejected(verifier.verify(badTime, sign(badTime)), 'payload_invalid');
    const array = Buffer.from('[]');
    expectRejected(verifier.verify(array, sign(array)), 'payload_invalid');
  });

  it('keeps and reports an unknown EventType instead of dropping it', () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const logged = new TtWebhookVerifier({ signingKeys: [KEY], logger: recordingLogger(lines) });
    const body = payload('Lead Teleported', { Anything: 1 });
    const event = expectOk(logged.verify(body, sign(body)));
    assert.equal(event.kind, 'unknown');
    assert.equal(event.eventType, 'Lead Teleported');
    assert.equal(event.eventId, 'evt-Lead-Teleported');
    assert.deepEqual(event.data, { Anything: 1 });
    assert.equal(event.payload['EventType'], 'Lead Teleported');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.level, 'warn');
    assert.equal(lines[0]?.fields['eventType'], 'Lead Teleported');
  });

  it('refuses to start without a signing key', () => {
    assert.throws(() => new TtWebhookVerifier({ signingKeys: [] }), /signing key/);
  });
});

describe('Tenant Turner webhook events', () => {
  it('knows the 21 event types by their exact labels', () => {
    assert.equal(TT_WEBHOOK_EVENT_TYPES.length, 21);
    assert.equal(new Set(TT_WEBHOOK_EVENT_TYPES).size, 21);
    for (const label of [
      'Viewing Scheduled',
      'Lead Contact Info Updated',
      'Tenant Selected',
      'Rental Ready To Deactivate',
      'Lockbox Code Sent',
      'Viewing No Show',
    ]) {
      assert.ok((TT_WEBHOOK_EVENT_TYPES as readonly string[]).includes(label), label);
    }
  });

  it('parses every type into its kind, with the resource read as the client reads it', () => {
    const expectations: [readonly string[], string, unknown][] = [
      [TT_LEAD_EVENTS, 'lead', LEAD],
      [TT_SHOWING_EVENTS, 'showing', SHOWING],
      [TT_RENTAL_EVENTS, 'rental', RENTAL],
      [['Lockbox Code Sent'], 'lockbox', { ShowingId: 300001, Code: '4321' }],
    ];
    let seen = 0;
    for (const [types, kind, data] of expectations) {
      for (const type of types) {
        const event = expectOk(parseTtWebhook(JSON.parse(payload(type, data).toString())));
        assert.equal(event.kind, kind, type);
        assert.equal(event.eventType, type);
        assert.notEqual(event.data, undefined, type);
        assert.equal(event.dataError, undefined, type);
        seen++;
      }
    }
    assert.equal(seen, 21);
    const rental = expectOk(
      parseTtWebhook(JSON.parse(payload('Rental Activated', RENTAL).toString())),
    );
    assert.ok(rental.kind === 'rental');
    assert.equal(rental.data?.bedrooms, 3);
    assert.equal(rental.data?.rentAmount, 1450);
    const lead = expectOk(parseTtWebhook(JSON.parse(payload('Lead Created', LEAD).toString())));
    assert.ok(lead.kind === 'lead');
    assert.equal(lead.data?.showings[0]?.showingId, 300001);
  });

  it('reads camelCase envelopes too', () => {
    const event = expectOk(
      parseTtWebhook({
        eventId: 'e1',
        eventType: 'Lead Archived',
        occurredAt: '2026-11-02T11:00:00Z',
        applicationId: '200001',
        data: LEAD,
      }),
    );
    assert.equal(event.kind, 'lead');
    assert.equal(event.applicationId, 200001);
  });

  it('keeps an event whose Data does not read as the resource, and says why', () => {
    const event = expectOk(
      parseTtWebhook(JSON.parse(payload('Lead Declined', { ApplicationId: 'x' }).toString())),
    );
    assert.equal(event.kind, 'lead');
    assert.equal(event.data, undefined);
    assert.match(event.dataError ?? '', /applicationId/);
    assert.equal(event.applicationId, 200001);
  });
});
