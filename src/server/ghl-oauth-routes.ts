/**
 * Connecting a GHL location through OAuth 2.0 (ghl-api.md §3.2): `GET /oauth/ghl/start` sends
 * the user to GHL's location chooser with a signed, short-lived `state`; GHL sends them back to
 * `GET /oauth/ghl/callback`, where the code is exchanged and the token pair saved (encrypted,
 * through the token store). No state is kept on the server: the `state` carries its own expiry
 * and an HMAC under a key derived from the secret key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OAuthAuth } from '../ghl/auth-oauth.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { errorBody } from './errors.ts';

export interface GhlOAuthRouteOptions {
  auth: OAuthAuth;
  /** Scopes asked for; the sync needs contacts.readonly and contacts.write at least. */
  scopes: string[];
  /** Key for signing `state` (from the secret key; never the key itself). */
  stateKey: Buffer;
  /** Configured redirect URI; default: this server's own `/oauth/ghl/callback`. */
  redirectUri: string | undefined;
  /** The location this ttsync serves; a grant for another one is refused. */
  locationId: string;
  clock: Clock;
  logger: Logger;
}

const STATE_TTL_MS = 10 * 60_000;

/** Registers `/oauth/ghl/start` and `/oauth/ghl/callback`. */
export function registerGhlOAuthRoutes(app: FastifyInstance, options: GhlOAuthRouteOptions): void {
  const { auth, clock, logger } = options;
  const redirectUri = (request: FastifyRequest): string =>
    options.redirectUri ?? `${request.protocol}://${request.host}/oauth/ghl/callback`;

  app.get('/oauth/ghl/start', async (request, reply) => {
    const expires = clock.now() + STATE_TTL_MS;
    const nonce = randomBytes(12).toString('base64url');
    const payload = `${expires}.${nonce}`;
    const state = `${payload}.${sign(options.stateKey, payload)}`;
    const url = auth.authorizeUrl({
      scopes: options.scopes,
      state,
      redirectUri: redirectUri(request),
    });
    return reply.redirect(url, 302);
  });

  app.get('/oauth/ghl/callback', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    if (query['error']) {
      return reply
        .code(400)
        .send(
          errorBody(
            'auth_denied',
            `GHL did not grant access (${query['error']}). Start again at /oauth/ghl/start.`,
          ),
        );
    }
    const problem = checkState(options.stateKey, query['state'], clock.now());
    if (problem) {
      return reply
        .code(400)
        .send(errorBody('auth_state_invalid', `${problem} Start again at /oauth/ghl/start.`));
    }
    if (!query['code']) {
      return reply
        .code(400)
        .send(
          errorBody('bad_request', 'The callback has no code. Start again at /oauth/ghl/start.'),
        );
    }
    const tokens = await auth.exchangeCode(query['code'], {
      userType: 'Location',
      redirectUri: redirectUri(request),
    });
    if (tokens.locationId !== options.locationId) {
      logger.warn(
        { granted: tokens.locationId, expected: options.locationId },
        'GHL granted another location than the one configured',
      );
      return reply
        .code(400)
        .send(
          errorBody(
            'auth_location_forbidden',
            `GHL granted location ${tokens.locationId ?? '(none)'}, but this ttsync serves ` +
              `${options.locationId} (GHL_LOCATION_ID). Choose that location, or change the setting.`,
          ),
        );
    }
    logger.info({ locationId: tokens.locationId, scopes: tokens.scopes }, 'GHL location connected');
    return {
      status: 'connected',
      locationId: tokens.locationId,
      scopes: tokens.scopes,
      message: 'GHL is connected; ttsync keeps the tokens encrypted and refreshes them itself.',
    };
  });
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** Why `state` is not one we issued in the last ten minutes; undefined when it is. */
function checkState(key: Buffer, state: string | undefined, now: number): string | undefined {
  const [expires, nonce, signature] = (state ?? '').split('.');
  if (!expires || !nonce || !signature) return 'The OAuth state is missing or malformed.';
  const expected = Buffer.from(sign(key, `${expires}.${nonce}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return 'The OAuth state was not issued by this ttsync.';
  }
  if (Number(expires) < now) return 'The OAuth state has expired (it lasts ten minutes).';
  return undefined;
}
