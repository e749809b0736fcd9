/**
 * The one HTTP error shape (STYLE.md "Errors"): `{ error: { code, message } }`. Stacks and
 * provider payloads never reach a client.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** `{ error: { code, message } }`. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
  );
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .code(413)
        .send(errorBody('body_too_large', 'Request body is over the size limit.'));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply
        .code(415)
        .send(
          errorBody(
            'unsupported_media_type',
            `Content-Type ${String(request.headers['content-type'] ?? '(none)')} is not accepted; send application/json.`,
          ),
        );
    }
    if (error instanceof AppError) {
      return reply.code(400).send(errorBody(error.code, error.message));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return reply.code(status).send(errorBody('bad_request', error.message));
    }
    logger.error({ err: error, url: request.url }, 'request failed');
    return reply.code(500).send(errorBody('unexpected', 'Internal error; see the server log.'));
  });
}
