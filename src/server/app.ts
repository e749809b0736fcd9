/**
 * ttsync's HTTP server (Fastify): webhook ingress and health. Built from its dependencies so
 * tests and `ttsync serve` assemble it the same way.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { GhlWebhookVerifier } from '../ghl/webhook-verify.ts';
import { systemClock } from '../shared/clock.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import type { Store } from '../store/database.ts';
import { errorBody, installErrorHandlers } from './errors.ts';
import { registerGhlOAuthRoutes } from './ghl-oauth-routes.ts';
import type { GhlOAuthRouteOptions } from './ghl-oauth-routes.ts';
import { InboxWriter } from '../store/inbox.ts';
import { registerGhlWebhookRoute } from './ghl-webhook-route.ts';
import type { TtWebhookVerifier } from '../tenant-turner/webhook-verify.ts';
import { registerTtWebhookRoute } from './tt-webhook-route.ts';

export interface ServerOptions {
  store: Store;
  ghlVerifier: GhlWebhookVerifier;
  /** Verifies `POST /webhooks/tt`; without it that route refuses every delivery. */
  ttVerifier?: TtWebhookVerifier | undefined;
  clock?: Clock;
  logger?: Logger;
  /** Largest request body; default 1 MiB (GHL events are a few KiB). */
  bodyLimit?: number;
  /** Told after each newly stored webhook. */
  onWebhookStored?: () => void;
  /** The OAuth connect routes, when GHL is connected through OAuth. */
  ghlOAuth?: Omit<GhlOAuthRouteOptions, 'clock' | 'logger'>;
}

/** Builds the app (not listening yet). */
export function buildServer(options: ServerOptions): FastifyInstance {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 1024 * 1024, logger: false });
  // Webhook signatures are over the exact bytes, so JSON bodies stay raw Buffers here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  installErrorHandlers(app, logger);

  // One writer for both providers' webhooks; on a SQLite file it commits from its own thread.
  const inbox = new InboxWriter(options.store.db, { sqliteFile: options.store.sqliteFile });
  app.addHook('onClose', () => inbox.close());

  registerGhlWebhookRoute(app, {
    inbox,
    verifier: options.ghlVerifier,
    clock,
    logger,
    onStored: options.onWebhookStored,
  });

  registerTtWebhookRoute(app, {
    inbox,
    verifier: options.ttVerifier,
    clock,
    logger,
    onStored: options.onWebhookStored,
  });

  if (options.ghlOAuth) registerGhlOAuthRoutes(app, { ...options.ghlOAuth, clock, logger });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(options.store.db);
      return { status: 'ready', database: options.store.dialect };
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      return reply
        .code(503)
        .send(errorBody('store_unavailable', 'The database does not answer; see the server log.'));
    }
  });
  return app;
}
