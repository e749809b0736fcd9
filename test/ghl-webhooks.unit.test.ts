import assert from 'node:assert/strict';
import { createPublicKey, createSign, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GHL_WEBHOOK_EVENT_TYPES, parseGhlWebhook } from '../src/ghl/webhook-events.ts';
import type { GhlWebhookEvent } from '../src/ghl/webhook-events.ts';
import {
  GHL_LEGACY_RSA_PUBLIC_KEY_PEM,
  GHL_WEBHOOK_PUBLIC_KEY_PEM,
  GhlWebhookVerifier,
} from '../src/ghl/webhook-verify.ts';
import type { GhlWebhookVerifierOptions } from '../src/ghl/webhook-verify.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { AppError } from '../src/shared/errors.ts';
import type { Result } from '../src/shared/result.ts';

/** Fixture file name → the `type` it carries (INSTALL/UNINSTALL come from AppInstall/AppUninstall.md). */
const FIXTURES: Record<string, string> = {
  ContactCreate: 'ContactCreate',
  ContactUpdate: 'ContactUpdate',
  ContactDelete: 'ContactDelete',
  ContactTagUpdate: 'ContactTagUpdate',
  ContactDndUpdate: 'ContactDndUpdate',
  TaskCreate: 'TaskCreate',
  TaskComplete: 'TaskComplete',
  TaskDelete: 'TaskDelete',
  NoteCreate: 'NoteCreate',
  NoteUpdate: 'NoteUpdate',
  NoteDelete: 'NoteDelete',
  AppointmentCreate: 'AppointmentCreate',
  AppointmentUpdate: 'AppointmentUpdate',
  AppointmentDelete: 'AppointmentDelete',
  AppInstall: 'INSTALL',
  AppUninstall: 'UNINSTALL',
};

/** Every fixture carries this envelope timestamp. */
const SENT_AT = Date.parse('2025-01-28T14:35:00.000Z');
const MINUTE = 60_000;

function fixture(name: string): Buffer {
  return readFileSync(new URL(`fixtures/ghl-webhooks/${name}.json`, import.meta.url));
}

function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(fixture(name).toString('utf8')) as Record<string, unknown>;
}

function ed25519(): { publicPem: string; privateKey: KeyObject; publicKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
    publicKey,
  };
}

function signEd25519(body: Buffer, privateKey: KeyObject): string {
  return sign(null, body, privateKey).toString('base64');
}

const primary = ed25519();

function verifier(options: GhlWebhookVerifierOptions = {}): GhlWebhookVerifier {
  return new GhlWebhookVerifier({
    publicKeys: [primary.publicPem],
    legacyRsaPublicKeys: [],
    clock: new ManualClock(SENT_AT),
    ...options,
  });
}

function signed(body: Buffer, privateKey: KeyObject = primary.privateKey): Record<string, string> {
  return { 'x-ghl-signature': signEd25519(body, privateKey), 'content-type': 'application/json' };
}

function expectOk(result: Result<GhlWebhookEvent, AppError>): GhlWebhookEvent {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.message}`);
  return result.value;
}

function expectRejected(result: Result<GhlWebhookEvent, AppError>, reason: string): AppError {
  assert.equal(result.ok, false, 'expected the delivery to be rejected');
  if (result.ok) throw new Error('unreachable');
  assert.ok(result.error instanceof AppError);
  assert.equal(result.error.code, 'webhook_invalid');
  assert.equal(result.error.details?.['reason'], reason, result.error.message);
  return result.error;
}

void describe('GhlWebhookVerifier: signatures', () => {
  void it('has one fixture per known event type', () => {
    assert.deepEqual(Object.values(FIXTURES).sort(), [...GHL_WEBHOOK_EVENT_TYPES].sort());
  });

  for (const [name, type] of Object.entries(FIXTURES)) {
    void it(`accepts and parses a validly signed ${name}`, () => {
      const body = fixture(name);
      const event = expectOk(verifier().verify(body, signed(body)));
      assert.equal(event.type, type);
      assert.equal(event.webhookId, `wh-${name}-0001`);
      assert.equal(event.timestamp, '2025-01-28T14:35:00.000Z');
      assert.equal(event.versionId, '6797b0c7d5e3a04f1b2c3d4e');
      // Parsing keeps the whole payload, not just the fields the schema names.
      assert.deepEqual(event, fixtureJson(name));
    });
  }

  void it('rejects a body changed by one byte after signing', () => {
    const body = fixture('ContactUpdate');
    const headers = signed(body);
    const tampered = Buffer.from(body);
    const at = tampered.indexOf('John');
    tampered[at] = 'X'.charCodeAt(0);
    const error = expectRejected(verifier().verify(tampered, headers), 'signature_invalid');
    assert.match(error.message, /GHL_WEBHOOK_PUBLIC_KEYS/);
  });

  void it('verifies the raw bytes, so a re-serialized body fails', () => {
    const body = fixture('NoteCreate');
    const compact = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    expectRejected(verifier().verify(compact, signed(body)), 'signature_invalid');
  });

  void it('rejects a signature made with another key', () => {
    const body = fixture('ContactCreate');
    const other = ed25519();
    expectRejected(verifier().verify(body, signed(body, other.privateKey)), 'signature_invalid');
  });

  void it('accepts either key during a rotation', () => {
    const next = ed25519();
    const rotating = verifier({ publicKeys: [primary.publicPem, next.publicPem] });
    const body = fixture('TaskComplete');
    assert.equal(
      expectOk(rotating.verify(body, signed(body, next.privateKey))).type,
      'TaskComplete',
    );
    assert.equal(
      expectOk(rotating.verify(body, signed(body, primary.privateKey))).type,
      'TaskComplete',
    );
    // The same signature with only the old key configured is refused.
    expectRejected(verifier().verify(body, signed(body, next.privateKey)), 'signature_invalid');
  });

  void it('accepts keys given as raw base64 or hex', () => {
    const raw = primary.publicKey.export({ format: 'jwk' }).x;
    assert.ok(raw);
    const bytes = Buffer.from(raw, 'base64url');
    const body = fixture('NoteUpdate');
    for (const key of [bytes.toString('base64'), bytes.toString('hex')]) {
      assert.equal(
        expectOk(verifier({ publicKeys: [key] }).verify(body, signed(body))).type,
        'NoteUpdate',
      );
    }
  });

  void it('refuses to start with a key that is not Ed25519', () => {
    assert.throws(
      () => new GhlWebhookVerifier({ publicKeys: ['not a key'] }),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'config_invalid' &&
        /GHL_WEBHOOK_PUBLIC_KEYS/.test(error.message),
    );
    assert.throws(
      () => new GhlWebhookVerifier({ publicKeys: [GHL_LEGACY_RSA_PUBLIC_KEY_PEM] }),
      AppError,
    );
  });

  void it('rejects an unsigned delivery', () => {
    const body = fixture('ContactCreate');
    const error = expectRejected(
      verifier().verify(body, { 'content-type': 'application/json' }),
      'signature_missing',
    );
    assert.match(error.message, /x-ghl-signature/);
  });

  void it('accepts a legacy RSA x-wh-signature when no Ed25519 signature is sent', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const legacy = verifier({ legacyRsaPublicKeys: [rsaPem] });
    const body = fixture('ContactTagUpdate');
    const signature = createSign('SHA256').update(body).sign(privateKey, 'base64');
    assert.equal(
      expectOk(legacy.verify(body, { 'x-wh-signature': signature })).type,
      'ContactTagUpdate',
    );

    // Tampered, or checked against the default (GHL's) RSA key: refused.
    const tampered = Buffer.from(body);
    const last = tampered.length - 3;
    tampered.writeUInt8(tampered.readUInt8(last) ^ 1, last);
    expectRejected(legacy.verify(tampered, { 'x-wh-signature': signature }), 'signature_invalid');
    expectRejected(
      verifier({ legacyRsaPublicKeys: [] }).verify(body, { 'x-wh-signature': signature }),
      'signature_invalid',
    );
    // An invalid Ed25519 signature is not rescued by a valid legacy one (no downgrade).
    const other = ed25519();
    expectRejected(
      legacy.verify(body, {
        'x-ghl-signature': signEd25519(body, other.privateKey),
        'x-wh-signature': signature,
      }),
      'signature_invalid',
    );
  });

  void it('reads the signature header case-insensitively and from an array', () => {
    const body = fixture('NoteDelete');
    const signature = signEd25519(body, primary.privateKey);
    assert.equal(
      expectOk(verifier().verify(body, { 'X-GHL-Signature': signature })).type,
      'NoteDelete',
    );
    assert.equal(
      expectOk(verifier().verify(body, { 'x-ghl-signature': ['', signature] })).type,
      'NoteDelete',
    );
  });
});

void describe('GhlWebhookVerifier: body and timestamp', () => {
  void it('rejects a timestamp older or newer than the allowed skew', () => {
    const body = fixture('ContactCreate');
    const at = (now: number): GhlWebhookVerifier => verifier({ clock: new ManualClock(now) });
    expectOk(at(SENT_AT + 5 * MINUTE).verify(body, signed(body)));
    expectOk(at(SENT_AT - 5 * MINUTE).verify(body, signed(body)));

    const old = expectRejected(at(SENT_AT + 5 * MINUTE + 1).verify(body, signed(body)), 'stale');
    assert.match(old.message, /stale/);
    const ahead = expectRejected(at(SENT_AT - 5 * MINUTE - 1).verify(body, signed(body)), 'stale');
    assert.match(ahead.message, /stale/);
  });

  void it('honours a configured skew', () => {
    const body = fixture('ContactCreate');
    const clock = new ManualClock(SENT_AT + 30 * MINUTE);
    expectRejected(verifier({ clock }).verify(body, signed(body)), 'stale');
    expectOk(verifier({ clock, maxSkewMs: 60 * MINUTE }).verify(body, signed(body)));
  });

  void it('rejects malformed JSON even with a valid signature', () => {
    const body = Buffer.from('{"type":"ContactCreate","webhookId":"x",');
    expectRejected(verifier().verify(body, signed(body)), 'json_invalid');
  });

  void it('rejects an oversized body before anything else', () => {
    const body = fixture('ContactCreate');
    expectOk(verifier({ maxBodyBytes: body.length }).verify(body, signed(body)));
    const error = expectRejected(
      verifier({ maxBodyBytes: body.length - 1 }).verify(body, signed(body)),
      'body_too_large',
    );
    assert.match(error.message, /maxBodyBytes/);
  });

  void it('rejects a signed payload without webhookId or timestamp, naming the field', () => {
    for (const field of ['webhookId', 'timestamp']) {
      const payload = fixtureJson('ContactCreate');
      delete payload[field];
      const body = Buffer.from(JSON.stringify(payload));
      const error = expectRejected(verifier().verify(body, signed(body)), 'payload_invalid');
      assert.match(error.message, new RegExp(field));
    }
  });
});

void describe('parseGhlWebhook', () => {
  void it('accepts TaskCreate without contactId and body', () => {
    const payload = fixtureJson('TaskCreate');
    delete payload['contactId'];
    delete payload['body'];
    const event = expectOk(parseGhlWebhook(payload));
    assert.equal(event.type, 'TaskCreate');
    if (event.type !== 'TaskCreate') return;
    assert.equal(event.contactId, undefined);
    assert.equal(event.id, 'UlRWGLSXh0ji5qbiGu4i');

    // Through the verifier too: the signed bytes are the trimmed payload.
    const body = Buffer.from(JSON.stringify(payload));
    assert.equal(expectOk(verifier().verify(body, signed(body))).type, 'TaskCreate');
  });

  void it('still requires contactId on TaskComplete', () => {
    const payload = fixtureJson('TaskComplete');
    delete payload['contactId'];
    const result = parseGhlWebhook(payload);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error.message, /contactId/);
  });

  void it('keeps an unknown type as Unknown with the whole payload', () => {
    const payload = {
      ...fixtureJson('ContactCreate'),
      type: 'OpportunityCreate',
      pipelineId: 'p1',
    };
    const event = expectOk(parseGhlWebhook(payload));
    assert.equal(event.type, 'Unknown');
    if (event.type !== 'Unknown') return;
    assert.equal(event.rawType, 'OpportunityCreate');
    assert.equal(event.webhookId, 'wh-ContactCreate-0001');
    assert.deepEqual(event.payload, payload);
  });

  void it('tolerates the documented gaps: any custom field value, no attachments, no inboundDndSettings', () => {
    const payload = fixtureJson('ContactDndUpdate');
    delete payload['attachments'];
    payload['customFields'] = [
      { id: 'a', value: 'text' },
      { id: 'b', value: 42 },
      { id: 'c', value: ['x', 'y'] },
      { id: 'd', value: { url: 'https://example.com/f.pdf' } },
      { id: 'e', value: true },
    ];
    payload['dndSettings'] = { ...(payload['dndSettings'] as object), RCS: { status: 'active' } };
    payload['someNewField'] = { nested: 1 };
    const event = expectOk(parseGhlWebhook(payload));
    assert.equal(event.type, 'ContactDndUpdate');
    assert.deepEqual(event, payload);
  });

  void it('rejects non-objects and missing identifiers', () => {
    for (const value of [null, 'ContactCreate', 42, [fixtureJson('NoteCreate')]]) {
      const result = parseGhlWebhook(value);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, 'webhook_invalid');
    }
    const noType = fixtureJson('NoteCreate');
    delete noType['type'];
    const result = parseGhlWebhook(noType);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error.message, /type/);

    const noId = fixtureJson('ContactUpdate');
    delete noId['id'];
    const missingId = parseGhlWebhook(noId);
    assert.equal(missingId.ok, false);
    if (!missingId.ok) assert.match(missingId.error.message, /\bid\b/);
  });
});

void describe('published keys', () => {
  void it('loads GHL Ed25519 key and the legacy RSA key, and uses them by default', () => {
    assert.equal(createPublicKey(GHL_WEBHOOK_PUBLIC_KEY_PEM).asymmetricKeyType, 'ed25519');
    const rsa = createPublicKey(GHL_LEGACY_RSA_PUBLIC_KEY_PEM);
    assert.equal(rsa.asymmetricKeyType, 'rsa');
    assert.equal(rsa.asymmetricKeyDetails?.modulusLength, 4096);

    const defaults = new GhlWebhookVerifier({ clock: new ManualClock(SENT_AT) });
    const body = fixture('ContactCreate');
    // Our test key is not GHL's, so the default verifier must refuse it.
    expectRejected(defaults.verify(body, signed(body)), 'signature_invalid');
  });

  void it('matches the legacy key in spec/ghl/oauth/WebhookAuthentication.md byte for byte', () => {
    const doc = readFileSync(
      new URL('../spec/ghl/oauth/WebhookAuthentication.md', import.meta.url),
      'utf8',
    );
    const pem = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(doc)?.[0];
    assert.equal(`${pem}\n`, GHL_LEGACY_RSA_PUBLIC_KEY_PEM);
  });
});

void describe('GhlWebhookVerifier: verifyAsync (signature checked on the thread pool)', () => {
  const outcome = (result: Result<GhlWebhookEvent, AppError>): string =>
    result.ok ? `ok ${result.value.type}` : `rejected ${String(result.error.details?.['reason'])}`;

  void it('reaches the same verdict as verify on every kind of delivery', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const next = ed25519();
    const body = fixture('ContactCreate');
    const tampered = Buffer.from(body);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 3) ^ 1, tampered.length - 3);
    const rsaSignature = createSign('SHA256').update(body).sign(privateKey, 'base64');
    const cases: [string, GhlWebhookVerifier, Buffer, Record<string, string>, string][] = [
      ['valid', verifier(), body, signed(body), 'ok ContactCreate'],
      ['tampered', verifier(), tampered, signed(body), 'rejected signature_invalid'],
      [
        'unknown key',
        verifier(),
        body,
        signed(body, next.privateKey),
        'rejected signature_invalid',
      ],
      [
        'second key of a rotation',
        verifier({ publicKeys: [primary.publicPem, next.publicPem] }),
        body,
        signed(body, next.privateKey),
        'ok ContactCreate',
      ],
      [
        'legacy RSA',
        verifier({ legacyRsaPublicKeys: [rsaPem] }),
        body,
        { 'x-wh-signature': rsaSignature },
        'ok ContactCreate',
      ],
      [
        'legacy RSA, tampered',
        verifier({ legacyRsaPublicKeys: [rsaPem] }),
        tampered,
        { 'x-wh-signature': rsaSignature },
        'rejected signature_invalid',
      ],
      ['no signature', verifier(), body, {}, 'rejected signature_missing'],
      [
        'garbage signature',
        verifier(),
        body,
        { 'x-ghl-signature': 'bm9wZQ==' },
        'rejected signature_invalid',
      ],
      ['too large', verifier({ maxBodyBytes: 10 }), body, signed(body), 'rejected body_too_large'],
      [
        'stale',
        verifier({ clock: new ManualClock(SENT_AT + 6 * MINUTE) }),
        body,
        signed(body),
        'rejected stale',
      ],
    ];
    for (const [name, subject, raw, headers, expected] of cases) {
      assert.equal(outcome(subject.verify(raw, headers)), expected, `${name} (verify)`);
      assert.equal(
        outcome(await subject.verifyAsync(raw, headers)),
        expected,
        `${name} (verifyAsync)`,
      );
    }
  });
});
