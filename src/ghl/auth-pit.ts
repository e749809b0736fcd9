/**
 * Private Integration tokens (ghl-api.md §3.1): static tokens made in a sub-account's settings.
 * They never refresh; a 401 means the token was rotated or expired in GHL and a person must
 * paste the new one.
 */
import { AppError } from '../shared/errors.ts';
import { secrets } from '../shared/logger.ts';
import type { GhlAuth } from './auth.ts';

/** One token for every location, or one token per location id. */
export type PrivateIntegrationAuthOptions = { token: string } | { tokens: Record<string, string> };

/** `GhlAuth` for Private Integration tokens. */
export class PrivateIntegrationAuth implements GhlAuth {
  readonly kind = 'pit';
  readonly #single: string | undefined;
  readonly #byLocation: ReadonlyMap<string, string>;

  constructor(opts: PrivateIntegrationAuthOptions) {
    if ('token' in opts) {
      this.#single = requireToken(opts.token, 'the Private Integration token');
      this.#byLocation = new Map();
    } else {
      this.#single = undefined;
      this.#byLocation = new Map(
        Object.entries(opts.tokens).map(([locationId, token]) => [
          locationId,
          requireToken(token, `the Private Integration token of location ${locationId}`),
        ]),
      );
    }
  }

  /** The configured token for `locationId`; rejects when none is configured for it. */
  async accessToken(locationId: string): Promise<string> {
    const token = this.#single ?? this.#byLocation.get(locationId);
    if (token === undefined) {
      throw new AppError(
        'auth_token_invalid',
        `No GHL Private Integration token is configured for location ${locationId}: ` +
          'create one in that sub-account under Settings → Private Integrations and add it to the configuration.',
        { details: { locationId } },
      );
    }
    return token;
  }

  /** A PIT cannot refresh: always undefined, so the 401 surfaces with its message. */
  async onUnauthorized(_locationId: string, _failedToken: string): Promise<string | undefined> {
    return undefined;
  }
}

function requireToken(token: string, what: string): string {
  if (token.trim() === '') {
    throw new AppError(
      'config_invalid',
      `${what} is empty: paste the token GHL showed when it was created.`,
    );
  }
  secrets.add(token);
  return token;
}
