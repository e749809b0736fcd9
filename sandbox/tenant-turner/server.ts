/**
 * The Fastify app of the Tenant Turner sandbox: the shared lenient JSON parser, request and
 * status counting, Tenant Turner's error bodies (`{ StatusCode, ErrorMessages }`, an empty 404 for
 * an unknown path), the real routes, the modeled ones on the extended surface only, and the
 * `/__sandbox` operator routes.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { addLenientJsonParser } from '../shared/json-body.ts';
import type { TtContext } from './context.ts';
import { registerExtensionRoutes } from './extension-routes.ts';
import { TtHttpError, generalError, statusError } from './http-errors.ts';
import { registerLeadRoutes } from './lead-routes.ts';
import { registerOperatorControlRoutes } from './operator-control-routes.ts';
import { registerOperatorLeadRoutes } from './operator-lead-routes.ts';
import { registerPropertyRoutes } from './property-routes.ts';
import { routeKey } from './route-kit.ts';

const BODY_LIMIT = 5 * 1024 * 1024;

function addErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, _request, reply) => {
    const known =
      error instanceof TtHttpError
        ? error
        : typeof error === 'object' && error !== null && 'statusCode' in error
          ? Number(error.statusCode) === 400
            ? generalError()
            : statusError(Number(error.statusCode))
          : statusError(500);
    const status = known.status >= 400 && known.status < 600 ? known.status : 500;
    reply.code(status);
    return known.body === null ? reply.send() : reply.send(known.body);
  });
  // Tenant Turner answers an unknown path with 404 and an empty body.
  app.setNotFoundHandler((_request, reply) => reply.code(404).send());
}

/** Builds the app with every route of the context's surface; the caller listens and closes it. */
export function buildTtServer(ctx: TtContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false },
  });
  addLenientJsonParser(app, () => generalError());
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    ctx.stats.countRequest(url === undefined ? 'NOT_FOUND' : routeKey(request.method, url));
  });
  app.addHook('onResponse', async (_request, reply) => {
    ctx.stats.countStatus(reply.statusCode);
  });
  addErrorHandlers(app);
  registerPropertyRoutes(app, ctx);
  registerLeadRoutes(app, ctx);
  if (ctx.surface === 'extended') registerExtensionRoutes(app, ctx);
  registerOperatorLeadRoutes(app, ctx);
  registerOperatorControlRoutes(app, ctx);
  return app;
}
