/**
 * `POST /webhooks/tt`: Tenant Turner webhook ingress, with the GHL route's durability rules
 * (ARCHITECTURE.md §1.1): the signature (`X-Payload-Signature`, HMAC-SHA256 of the raw bytes) is
 * verified first, the raw event is stored in the inbox (unique on `EventId`) before the 200, and
 * nothing unverified is stored. Tenant Turner retries any non-2xx reply (5 to 405 minutes later),
 * so an event that could not be stored gets a 503 and comes back. Without a signing key
 * (`TT_WEBHOOK_SIGNING_KEY`) every delivery is refused with a 404 that says what to set.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { InboxWriter } from '../store/inbox.ts';
import type { Database } from '../store/schema.ts';
import type { TtWebhookVerifier } from '../tenant-turner/webhook-verify.ts';
import { errorBody } from './errors.ts';

export interface TtWebhookRouteOptions {
  db: Kysely<Database>;
  /** Undefined when no signing key is configured: every delivery is refused. */
  verifier: TtWebhookVerifier | undefined;
  clock: Clock;
  logger: Logger;
  /** Told after each newly stored event (wakes the dispatcher). */
  onStored?: (() => void) | undefined;
}

/** Rejection reason → status: signatures are 401, malformed bodies 400, size 413. */
const STATUS_OF_REASON: Record<string, number> = {
  signature_missing: 401,
  signature_invalid: 401,
  body_too_large: 413,
  json_invalid: 400,
  payload_invalid: 400,
};

/** Registers the route; the app must parse `application/json` as a raw Buffer. */
export function registerTtWebhookRoute(app: FastifyInstance, options: TtWebhookRouteOptions): void {
  const { verifier, clock, logger } = options;
  const inbox = new InboxWriter(options.db);
  app.post('/webhooks/tt', async (request, reply) => {
    if (!verifier) {
      return reply
        .code(404)
        .send(
          errorBody(
            'webhook_not_configured',
            'Tenant Turner webhooks are not enabled: set TT_WEBHOOK_SIGNING_KEY to the signing ' +
              'key of the Tenant Turner webhook settings (docs/tenant-turner.md, "Webhooks into ttsync").',
          ),
        );
    }
    const raw = request.body;
    if (!Buffer.isBuffer(raw)) {
      return reply
        .code(400)
        .send(
          errorBody('webhook_invalid', 'Send the Tenant Turner event as an application/json body.'),
        );
    }
    const verified = verifier.verify(raw, request.headers);
    if (!verified.ok) {
      const detail = verified.error.details?.['reason'];
      const reason = typeof detail === 'string' ? detail : 'payload_invalid';
      logger.warn({ reason, bytes: raw.length }, 'Tenant Turner webhook rejected');
      return reply
        .code(STATUS_OF_REASON[reason] ?? 400)
        .send(errorBody(verified.error.code, verified.error.message));
    }
    const event = verified.value;
    try {
      const outcome = await inbox.record({
        provider: 'tt',
        eventId: event.eventId,
        eventType: event.eventType,
        locationId: undefined,
        payload: raw.toString('utf8'),
        receivedAt: clock.now(),
      });
      if (outcome === 'stored') options.onStored?.();
      return await reply.code(200).send({ status: outcome, eventId: event.eventId });
    } catch (error) {
      logger.error(
        { err: error, eventId: event.eventId },
        'Tenant Turner webhook could not be stored',
      );
      return reply
        .code(503)
        .send(
          errorBody(
            'store_unavailable',
            'The event could not be stored; Tenant Turner retries deliveries that are not answered 2xx.',
          ),
        );
    }
  });
}
