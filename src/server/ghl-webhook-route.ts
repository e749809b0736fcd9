/**
 * `POST /webhooks/ghl`: verify on the raw bytes, store in the inbox, answer in the same request
 * (ARCHITECTURE.md §1.1). GHL retries only a 429, so a delivery we could not store gets a 429
 * and comes back; anything unverifiable gets a 4xx and is neither stored nor processed.
 */
import type { FastifyInstance } from 'fastify';
import type { GhlWebhookVerifier } from '../ghl/webhook-verify.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { InboxWriter } from '../store/inbox.ts';
import { errorBody } from './errors.ts';
import { verifiedEvent } from './webhook-intake.ts';

export interface GhlWebhookRouteOptions {
  /** The inbox's group-commit writer, shared by the webhook routes. */
  inbox: InboxWriter;
  verifier: GhlWebhookVerifier;
  clock: Clock;
  logger: Logger;
  /** Told after each newly stored event (wakes the dispatcher). */
  onStored?: (() => void) | undefined;
  /** Seconds a 429 asks GHL to wait (GHL itself retries about 10 minutes later). */
  retryAfterSeconds?: number | undefined;
}

/** Registers the route; the app must parse `application/json` as a raw Buffer. */
export function registerGhlWebhookRoute(
  app: FastifyInstance,
  options: GhlWebhookRouteOptions,
): void {
  const { inbox, verifier, clock, logger } = options;
  app.post('/webhooks/ghl', async (request, reply) => {
    const verified = await verifiedEvent(request, reply, {
      provider: 'GHL',
      verify: (raw, headers) => verifier.verifyAsync(raw, headers),
      logger,
    });
    if (!verified) return reply;
    const { raw, event } = verified;
    try {
      const outcome = await inbox.record({
        provider: 'ghl',
        eventId: event.webhookId,
        eventType: event.type,
        locationId: 'locationId' in event ? event.locationId : undefined,
        payload: raw.toString('utf8'),
        receivedAt: clock.now(),
      });
      if (outcome === 'stored') options.onStored?.();
      return await reply.code(200).send({ status: outcome, webhookId: event.webhookId });
    } catch (error) {
      logger.error({ err: error, webhookId: event.webhookId }, 'GHL webhook could not be stored');
      return reply
        .code(429)
        .header('retry-after', String(options.retryAfterSeconds ?? 60))
        .send(
          errorBody(
            'store_unavailable',
            'The event could not be stored; GHL retries deliveries answered with 429.',
          ),
        );
    }
  });
}
