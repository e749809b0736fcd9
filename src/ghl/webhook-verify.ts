/**
 * Verifies GHL webhook deliveries on the raw body bytes (ghl-api.md §5.2): Ed25519
 * `x-ghl-signature`, or the legacy RSA-SHA256 `x-wh-signature` when no Ed25519 signature is
 * sent; then JSON-parses, validates (`parseGhlWebhook`) and rejects a `timestamp` outside the
 * allowed skew. Deduplicating on `webhookId` is the inbox's job.
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { err } from '../shared/result.ts';
import type { Result } from '../shared/result.ts';
import { parseGhlWebhook } from './webhook-events.ts';
import type { GhlWebhookEvent } from './webhook-events.ts';

/**
 * GHL's published Ed25519 webhook key, as embedded in public integrations citing the Webhook
 * Integration Guide (not in the docs repo: confirm against the live guide, ghl-api.md §5.2, §10).
 */
export const GHL_WEBHOOK_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=
-----END PUBLIC KEY-----
`;

/**
 * GHL's legacy RSA-4096 key for `x-wh-signature`, copied from spec/ghl/oauth/WebhookAuthentication.md
 * (loads with `createPublicKey`). GHL announced the header's end for 2026-07-01 (§5.2).
 */
export const GHL_LEGACY_RSA_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----
`;

const GUIDE_URL = 'https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide';
const DEFAULT_MAX_SKEW_MS = 5 * 60_000;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Options of `GhlWebhookVerifier`. */
export interface GhlWebhookVerifierOptions {
  /**
   * Ed25519 public keys for `x-ghl-signature`, each PEM (SPKI), base64 of the raw 32-byte key,
   * or hex. A signature valid under any of them passes, so list old and new during a rotation.
   * Default: `[GHL_WEBHOOK_PUBLIC_KEY_PEM]`.
   */
  publicKeys?: readonly string[];
  /**
   * RSA public keys (PEM) for the legacy `x-wh-signature`, used only when no `x-ghl-signature`
   * is sent. Default: `[GHL_LEGACY_RSA_PUBLIC_KEY_PEM]`; `[]` disables the legacy scheme.
   */
  legacyRsaPublicKeys?: readonly string[];
  /**
   * Largest allowed distance between the payload `timestamp` and the clock, either way.
   * Default 5 minutes (WebhookAuthentication.md).
   */
  maxSkewMs?: number;
  /** Largest accepted body. Default 1 MiB. */
  maxBodyBytes?: number;
  clock?: Clock;
}

/** Request headers as Node and Fastify present them. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** Why a delivery was rejected, in `AppError.details.reason` (for metrics and alerts). */
export type GhlWebhookRejection =
  | 'body_too_large'
  | 'signature_missing'
  | 'signature_invalid'
  | 'json_invalid'
  | 'payload_invalid'
  | 'stale';

/**
 * Verifies and parses GHL webhook deliveries. Build once from config; `verify` is synchronous
 * and pure apart from reading the clock; `verifyAsync` checks the signature off the event loop.
 */
export class GhlWebhookVerifier {
  readonly #ed25519: readonly KeyObject[];
  readonly #rsa: readonly KeyObject[];
  readonly #maxSkewMs: number;
  readonly #maxBodyBytes: number;
  readonly #clock: Clock;

  /** Throws `AppError('config_invalid')` when a key cannot be loaded. */
  constructor(options: GhlWebhookVerifierOptions = {}) {
    this.#ed25519 = (options.publicKeys ?? [GHL_WEBHOOK_PUBLIC_KEY_PEM]).map(loadEd25519Key);
    this.#rsa = (options.legacyRsaPublicKeys ?? [GHL_LEGACY_RSA_PUBLIC_KEY_PEM]).map(loadRsaKey);
    if (this.#ed25519.length === 0 && this.#rsa.length === 0) {
      throw new AppError(
        'config_invalid',
        `No GHL webhook public key configured: configure GHL_WEBHOOK_PUBLIC_KEYS with the key from ${GUIDE_URL}.`,
      );
    }
    this.#maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Checks one delivery: size, signature over `rawBody` exactly as received (never a
   * re-serialization), JSON, payload shape, timestamp skew. `err` carries code
   * `webhook_invalid` and `details.reason` (a `GhlWebhookRejection`).
   */
  verify(rawBody: Buffer, headers: WebhookHeaders): Result<GhlWebhookEvent, AppError> {
    const plan = this.#signaturePlan(rawBody, headers);
    if ('ok' in plan) return plan;
    return plan.checks.some((check) => verifies(rawBody, check))
      ? this.#parse(rawBody)
      : plan.refusal();
  }

  /**
   * `verify`, with the signature checked on libuv's thread pool: the check is most of a
   * webhook's CPU, and meanwhile the event loop goes on reading and answering other requests.
   */
  async verifyAsync(
    rawBody: Buffer,
    headers: WebhookHeaders,
  ): Promise<Result<GhlWebhookEvent, AppError>> {
    const plan = this.#signaturePlan(rawBody, headers);
    if ('ok' in plan) return plan;
    for (const check of plan.checks) {
      if (await verifiesInPool(rawBody, check)) return this.#parse(rawBody);
    }
    return plan.refusal();
  }

  /** The body after its signature checked out: JSON, payload shape, timestamp skew. */
  #parse(rawBody: Buffer): Result<GhlWebhookEvent, AppError> {
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch (cause) {
      return reject(
        'json_invalid',
        'GHL webhook body is signed but is not valid JSON: keep the raw body for GHL support; nothing to fix locally.',
        { cause },
      );
    }

    const parsed = parseGhlWebhook(json);
    if (!parsed.ok) return parsed;

    const event = parsed.value;
    const skewMs = this.#clock.now() - Date.parse(event.timestamp);
    if (Math.abs(skewMs) > this.#maxSkewMs) {
      const minutes = (Math.abs(skewMs) / 60_000).toFixed(1);
      const direction = skewMs > 0 ? 'old' : 'ahead of this server';
      return reject(
        'stale',
        `GHL webhook ${event.webhookId} is stale: its timestamp ${event.timestamp} is ${minutes} min ${direction} ` +
          `(limit ${this.#maxSkewMs / 60_000} min). A replay is refused; if every delivery is stale, sync this ` +
          'server clock (NTP) or raise maxSkewMs.',
        { details: { webhookId: event.webhookId, skewMs } },
      );
    }
    return parsed;
  }

  /**
   * The signature checks one delivery needs (any passing is enough) and the rejection if none
   * does (built only then: an error's stack trace is dear on the hot path); or the rejection
   * outright (too large, no signature header).
   */
  #signaturePlan(
    rawBody: Buffer,
    headers: WebhookHeaders,
  ): { checks: SignatureCheck[]; refusal: () => Rejected } | Rejected {
    if (rawBody.length > this.#maxBodyBytes) {
      return reject(
        'body_too_large',
        `GHL webhook body is ${rawBody.length} bytes, over the ${this.#maxBodyBytes}-byte limit: ` +
          'raise maxBodyBytes if GHL really sends events this large.',
      );
    }
    const ed25519 = headerValues(headers, 'x-ghl-signature');
    if (ed25519.length > 0) {
      return {
        checks: signatureChecks(null, this.#ed25519, ed25519),
        refusal: () =>
          reject(
            'signature_invalid',
            'GHL webhook x-ghl-signature matches none of the configured Ed25519 keys: configure ' +
              `GHL_WEBHOOK_PUBLIC_KEYS with the key from ${GUIDE_URL} (old and new key during a rotation), ` +
              'and make sure nothing parses or re-encodes the body before verification.',
            { details: { header: 'x-ghl-signature', keys: this.#ed25519.length } },
          ),
      };
    }
    const legacy = headerValues(headers, 'x-wh-signature');
    if (legacy.length > 0) {
      return {
        checks: signatureChecks('sha256', this.#rsa, legacy),
        refusal: () =>
          reject(
            'signature_invalid',
            this.#rsa.length === 0
              ? 'GHL webhook has only a legacy x-wh-signature and legacy RSA verification is disabled: ' +
                  'enable it (legacyRsaPublicKeys) or wait for GHL to send x-ghl-signature.'
              : 'GHL webhook x-wh-signature (legacy RSA) matches none of the configured RSA keys: pass the current ' +
                  'key from GHL docs/oauth/WebhookAuthentication.md as legacyRsaPublicKeys (the default is the published ' +
                  'one), and make sure nothing parses or re-encodes the body before verification.',
            { details: { header: 'x-wh-signature', keys: this.#rsa.length } },
          ),
      };
    }
    return reject(
      'signature_missing',
      'GHL webhook has no x-ghl-signature header: only signed GHL deliveries are accepted; check that the ' +
        'request comes from GHL and that a proxy does not strip the header.',
    );
  }
}

type Rejected = { ok: false; error: AppError };

/** One signature under one key. */
interface SignatureCheck {
  algorithm: 'sha256' | null;
  key: KeyObject;
  signature: Buffer;
}

/** Every (signature, key) pair, empty signatures left out. */
function signatureChecks(
  algorithm: 'sha256' | null,
  keys: readonly KeyObject[],
  signaturesBase64: readonly string[],
): SignatureCheck[] {
  return signaturesBase64
    .map((text) => Buffer.from(text, 'base64'))
    .filter((signature) => signature.length > 0)
    .flatMap((signature) => keys.map((key) => ({ algorithm, key, signature })));
}

function reject(
  reason: GhlWebhookRejection,
  message: string,
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): Rejected {
  return err(
    new AppError('webhook_invalid', message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { reason, ...options.details },
    }),
  );
}

/** All values of a header, matched case-insensitively, trimmed, empty ones dropped. */
function headerValues(headers: WebhookHeaders, name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item.trim() !== '') values.push(item.trim());
    }
  }
  return values;
}

function verifies(body: Buffer, { algorithm, key, signature }: SignatureCheck): boolean {
  try {
    return cryptoVerify(algorithm, body, key, signature);
  } catch {
    return false;
  }
}

/** `verifies` on libuv's thread pool. */
function verifiesInPool(
  body: Buffer,
  { algorithm, key, signature }: SignatureCheck,
): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      cryptoVerify(algorithm, body, key, signature, (error, valid) => resolve(!error && valid));
    } catch {
      resolve(false);
    }
  });
}

/** Loads an Ed25519 public key given as PEM (SPKI), base64 (raw 32 bytes or SPKI DER) or hex. */
function loadEd25519Key(text: string, index: number): KeyObject {
  const trimmed = text.trim().replace(/\\n/g, '\n');
  let key: KeyObject | undefined;
  try {
    if (trimmed.includes('-----BEGIN')) {
      key = createPublicKey(trimmed);
    } else {
      const raw = /^[0-9a-f]{64}$/i.test(trimmed)
        ? Buffer.from(trimmed, 'hex')
        : Buffer.from(trimmed, 'base64');
      const der =
        raw.length === 32
          ? Buffer.concat([ED25519_SPKI_PREFIX, raw])
          : raw.length === 44 && raw.subarray(0, 12).equals(ED25519_SPKI_PREFIX)
            ? raw
            : undefined;
      if (der) key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
  } catch {
    key = undefined;
  }
  if (key?.asymmetricKeyType !== 'ed25519') {
    throw new AppError(
      'config_invalid',
      `GHL webhook public key #${index + 1} is not an Ed25519 public key (PEM, base64 of the 32-byte key, or hex): ` +
        `configure GHL_WEBHOOK_PUBLIC_KEYS with the key from ${GUIDE_URL}.`,
    );
  }
  return key;
}

/** Loads an RSA public key given as PEM. */
function loadRsaKey(text: string, index: number): KeyObject {
  let key: KeyObject | undefined;
  try {
    key = createPublicKey(text.trim().replace(/\\n/g, '\n'));
  } catch {
    key = undefined;
  }
  if (key?.asymmetricKeyType !== 'rsa') {
    throw new AppError(
      'config_invalid',
      `GHL legacy webhook RSA key #${index + 1} is not an RSA public key in PEM: pass the key from GHL ` +
        'docs/oauth/WebhookAuthentication.md as legacyRsaPublicKeys, or [] to turn the legacy scheme off.',
    );
  }
  return key;
}
