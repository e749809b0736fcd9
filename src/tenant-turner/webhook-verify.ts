/**
 * Verifies Tenant Turner webhook deliveries on the raw body bytes (tenant-turner-api.md §1,
 * §2.3): header `X-Payload-Signature` is the hex HMAC-SHA256 of the body under the webhook
 * signing key, compared in constant time; then the body is size-checked, JSON-parsed and read
 * into a `TtWebhookEvent`. There is no timestamp check: Tenant Turner retries a failed delivery
 * for hours (5 to 405 minutes), so an old `OccurredAt` is normal. Deduplicating on `eventId` is
 * the inbox's job.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { secrets, silentLogger } from '../shared/logger.ts';
import { err } from '../shared/result.ts';
import type { Result } from '../shared/result.ts';
import { parseTtWebhook } from './webhook-events.ts';
import type { TtWebhookEvent } from './webhook-events.ts';

/** The signature header (matched case-insensitively). */
export const TT_SIGNATURE_HEADER = 'x-payload-signature';
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Options of `TtWebhookVerifier`. */
export interface TtWebhookVerifierOptions {
  /**
   * Webhook signing keys. A signature valid under any of them passes, so list the old and the
   * new key while rotating. Registered for log redaction.
   */
  signingKeys: readonly string[];
  /** Largest accepted body; default 1 MiB. */
  maxBodyBytes?: number;
  /** Unknown event types are reported here (warn). */
  logger?: Logger;
}

/** Request headers as Node and Fastify present them. */
export type TtWebhookHeaders = Record<string, string | string[] | undefined>;

/** Why a delivery was rejected, in `AppError.details.reason`. */
export type TtWebhookRejection =
  'body_too_large' | 'signature_missing' | 'signature_invalid' | 'json_invalid' | 'payload_invalid';

/** The hex HMAC-SHA256 of `body` under `key`: what `X-Payload-Signature` carries. */
export function signTtPayload(body: Buffer | string, key: string): string {
  return createHmac('sha256', key).update(body).digest('hex');
}

/** Verifies and parses Tenant Turner webhook deliveries; build once from config. */
export class TtWebhookVerifier {
  readonly #keys: readonly string[];
  readonly #maxBodyBytes: number;
  readonly #logger: Logger;

  /** Throws `AppError('config_invalid')` when no signing key is given. */
  constructor(options: TtWebhookVerifierOptions) {
    this.#keys = options.signingKeys.filter((key) => key !== '');
    if (this.#keys.length === 0) {
      throw new AppError(
        'config_invalid',
        'No Tenant Turner webhook signing key configured: copy it from the webhook settings in ' +
          'the Tenant Turner web app into ttsync.',
      );
    }
    for (const key of this.#keys) secrets.add(key);
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#logger = options.logger ?? silentLogger;
  }

  /**
   * Checks one delivery: size, signature over `rawBody` exactly as received (never a
   * re-serialization), JSON, envelope. `err` carries code `webhook_invalid` and
   * `details.reason` (a `TtWebhookRejection`).
   */
  verify(rawBody: Buffer, headers: TtWebhookHeaders): Result<TtWebhookEvent, AppError> {
    if (rawBody.length > this.#maxBodyBytes) {
      return reject(
        'body_too_large',
        `Tenant Turner webhook body is ${rawBody.length} bytes, over the ${this.#maxBodyBytes}-byte ` +
          'limit: raise maxBodyBytes if Tenant Turner really sends events this large.',
      );
    }
    const signature = headerValue(headers, TT_SIGNATURE_HEADER);
    if (signature === undefined) {
      return reject(
        'signature_missing',
        'Tenant Turner webhook has no X-Payload-Signature header: only signed deliveries are ' +
          'accepted; check that a proxy does not strip the header.',
      );
    }
    if (!this.#signedByAnyKey(rawBody, signature)) {
      return reject(
        'signature_invalid',
        'Tenant Turner webhook X-Payload-Signature matches none of the configured signing keys: ' +
          'copy the current key from the Tenant Turner webhook settings (old and new during a ' +
          'rotation), and make sure nothing parses or re-encodes the body before verification.',
        { details: { keys: this.#keys.length } },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch (cause) {
      return reject(
        'json_invalid',
        'Tenant Turner webhook body is signed but is not valid JSON: keep the raw body for ' +
          'Tenant Turner support; nothing to fix locally.',
        { cause },
      );
    }
    const parsed = parseTtWebhook(json);
    if (parsed.ok && parsed.value.kind === 'unknown') {
      this.#logger.warn(
        { eventType: parsed.value.eventType, eventId: parsed.value.eventId },
        'Tenant Turner sent a webhook event type ttsync does not know; recording it',
      );
    }
    return parsed;
  }

  #signedByAnyKey(body: Buffer, signature: string): boolean {
    if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
    const given = Buffer.from(signature, 'hex');
    return this.#keys.some((key) =>
      timingSafeEqual(given, createHmac('sha256', key).update(body).digest()),
    );
  }
}

function reject(
  reason: TtWebhookRejection,
  message: string,
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): { ok: false; error: AppError } {
  return err(
    new AppError('webhook_invalid', message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { reason, ...options.details },
    }),
  );
}

/** The first non-empty value of a header, matched case-insensitively, trimmed. */
function headerValue(headers: TtWebhookHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const first = (Array.isArray(value) ? value : [value]).find((item) => item?.trim());
    if (first !== undefined) return first.trim();
  }
  return undefined;
}
