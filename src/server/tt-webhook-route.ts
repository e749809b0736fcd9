/**
 * `POST /webhooks/tt`: Tenant Turner webhook ingress, with the GHL route's durability rules
 * (ARCHITECTURE.md §1.1): the signature (`X-Payload-Signature`, HMAC-SHA256 of the raw bytes) is
 * verified first, the raw event is stored in the inbox (unique on `EventId`) before the 200, and
 * nothing unverified is stored. Tenant Turner retries any non-2xx reply (5 to 405 minutes later),
 * so an event that could not be stored gets a 503 and comes back. Without a signing key
 * (`TT_WEBHOOK_SIGNING_KEY`) every delivery is refused with a 404 that says what to set.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { InboxWriter } from '../store/inbox.ts';
import type { TtWebhookVerifier } from '../tenant-turner/webhook-verify.ts';
import { errorBody } from './errors.ts';
import { verifiedEvent } from './webhook-intake.ts';

export interface TtWebhookRouteOptions {
  /** The inbox's group-commit writer, shared by the webhook routes. */
  inbox: InboxWriter;
  /** Undefined when no signing key is configured: every delivery is refused. */
  verifier: TtWebhookVerifier | undefined;
  clock: Clock;
  logger: Logger;
  /** Told after each newly stored event (wakes the dispatcher). */
  onStored?: (() => void) | undefined;
}

/** Registers the route; the app must parse `application/json` as a raw Buffer. */
export function registerTtWebhookRoute(app: FastifyInstance, options: TtWebhookRouteOptions): void {
  const { inbox, verifier, clock, logger } = options;
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
    const verified = await verifiedEvent(request, reply, {
      provider: 'Tenant Turner',
      verify: (raw, headers) => verifier.verify(raw, headers),
      logger,
    });
    if (!verified) return reply;
    const { raw, event } = verified;
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
