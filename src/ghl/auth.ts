/**
 * GHL authentication (ghl-api.md §3, §8.1): the `GhlAuth` port the HTTP layer uses, and its two
 * implementations: a Private Integration token (static) and a Marketplace OAuth app (rotating
 * refresh tokens, refreshed ahead of expiry, single-flight per location).
 */
export { PrivateIntegrationAuth } from './auth-pit.ts';
export type { PrivateIntegrationAuthOptions } from './auth-pit.ts';
export { OAuthAuth } from './auth-oauth.ts';
export type { OAuthAuthOptions } from './auth-oauth.ts';
export { MemoryTokenStore, companyKey } from './token-store.ts';
export type { GhlTokenSet, TokenStore } from './token-store.ts';

/** What the HTTP layer asks of an auth scheme. */
export interface GhlAuth {
  /** Token to send for this location; refreshed first when it is about to expire. */
  accessToken(locationId: string): Promise<string>;
  /**
   * Called once after a non-scope 401 with the token that failed; returns a fresh token, or
   * undefined when it cannot refresh (PIT). Throws `auth_refresh_failed` when a refresh was
   * attempted and GHL refused it.
   */
  onUnauthorized(locationId: string, failedToken: string): Promise<string | undefined>;
  readonly kind: 'pit' | 'oauth';
}
