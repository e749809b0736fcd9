/**
 * The JSON body parser both sandboxes use: an empty or all-whitespace body parses as `undefined`
 * (clients send `Content-Type: application/json` on bodiless PUTs and DELETEs), invalid JSON
 * becomes the sandbox's own 400.
 */
import type { FastifyInstance } from 'fastify';

/** Replaces Fastify's JSON parser; `invalid` builds the error for a body that is not JSON. */
export function addLenientJsonParser(
  app: FastifyInstance,
  invalid: (message: string) => Error,
): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (error) {
      done(invalid(error instanceof Error ? error.message : 'Invalid JSON body'), undefined);
    }
  });
}
