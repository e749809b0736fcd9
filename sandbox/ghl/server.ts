/**
 * The Fastify app: body parsers (JSON tolerating empty bodies, form-encoded for OAuth), the
 * rate-limit hook that counts every GHL request and stamps the five `X-RateLimit-*` headers on
 * every response, GHL-shaped errors with `traceId`, and the route modules.
 */
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { addLenientJsonParser } from '../shared/json-body.ts';
import { registerCalendarRoutes } from './calendar-routes.ts';
import { registerContactListRoutes } from './contact-list-routes.ts';
import { registerContactRoutes } from './contacts-routes.ts';
import type { SandboxContext } from './context.ts';
import { GhlHttpError, badRequest } from './http-errors.ts';
import { registerLocationRoutes } from './location-routes.ts';
import { registerNoteRoutes } from './notes-routes.ts';
import { registerOauthRoutes } from './oauth-routes.ts';
import { registerOperatorControlRoutes } from './operator-control-routes.ts';
import { registerOperatorEntityRoutes } from './operator-entity-routes.ts';
import { rateLimitHeaders } from './rate-limit.ts';
import type { RateLimitSnapshot } from './rate-limit.ts';
import { bearerRecord, routeKey } from './route-kit.ts';
import { registerTaskRoutes } from './tasks-routes.ts';

const BODY_LIMIT = 20 * 1024 * 1024;

/** Paths that are not GHL API calls: never rate limited, no rate-limit headers. */
function isExempt(url: string): boolean {
  return url.startsWith('/__sandbox') || /^(\/v2)?\/oauth\/chooselocation/.test(url);
}

function rateLimitKey(ctx: SandboxContext, request: FastifyRequest): string {
  const record = bearerRecord(ctx, request);
  return record === undefined
    ? 'anonymous'
    : `${record.appId}|${record.locationId ?? record.companyId}`;
}

function addBodyParsers(app: FastifyInstance): void {
  addLenientJsonParser(app, badRequest);
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      done(null, Object.fromEntries(new URLSearchParams(text)));
    },
  );
}

function addRateLimitHooks(app: FastifyInstance, ctx: SandboxContext): void {
  const snapshots = new WeakMap<FastifyRequest, RateLimitSnapshot>();
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    ctx.stats.countRequest(url === undefined ? 'NOT_FOUND' : routeKey(request.method, url));
    if (isExempt(request.url)) return;
    const snapshot = ctx.limiter.hit(rateLimitKey(ctx, request), ctx.now());
    snapshots.set(request, snapshot);
    if (snapshot.limited !== null) {
      ctx.stats.rateLimited[snapshot.limited]++;
      return reply
        .code(429)
        .send({ statusCode: 429, message: 'Too Many Requests', traceId: request.id });
    }
  });
  app.addHook('onSend', async (request, reply) => {
    const snapshot = snapshots.get(request);
    if (snapshot !== undefined) reply.headers(rateLimitHeaders(snapshot));
    const retryAfter = ctx.faults.settings.retryAfterSeconds;
    if (reply.statusCode === 429 && retryAfter !== null && !isExempt(request.url)) {
      reply.header('retry-after', String(retryAfter));
    }
  });
  app.addHook('onResponse', async (_request, reply) => {
    ctx.stats.countStatus(reply.statusCode);
  });
}

function addErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof GhlHttpError) {
      return reply
        .code(error.status)
        .headers(error.headers)
        .send({ ...error.body, traceId: request.id });
    }
    const status =
      typeof error === 'object' && error !== null && 'statusCode' in error
        ? Number(error.statusCode)
        : 500;
    if (status >= 400 && status < 500) {
      const message = error instanceof Error ? error.message : 'Bad Request';
      return reply
        .code(status)
        .send({ statusCode: status, message, error: STATUS_CODES[status], traceId: request.id });
    }
    return reply
      .code(500)
      .send({ statusCode: 500, message: 'Internal server error', traceId: request.id });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      message: `Cannot ${request.method} ${request.url.split('?')[0] ?? ''}`,
      error: 'Not Found',
      traceId: request.id,
    }),
  );
}

/** Builds the app with every route registered; the caller listens and closes it. */
export function buildServer(ctx: SandboxContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
  });
  addBodyParsers(app);
  addRateLimitHooks(app, ctx);
  addErrorHandlers(app);
  registerContactRoutes(app, ctx);
  registerContactListRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerNoteRoutes(app, ctx);
  registerCalendarRoutes(app, ctx);
  registerLocationRoutes(app, ctx);
  registerOauthRoutes(app, ctx);
  registerOperatorEntityRoutes(app, ctx);
  registerOperatorControlRoutes(app, ctx);
  return app;
}
