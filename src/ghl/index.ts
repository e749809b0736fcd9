/**
 * The GHL module's public API: client, auth, limiter, webhooks, errors and types.
 */
export { GhlClient } from './client.ts';
export { OAuthAuth, PrivateIntegrationAuth, MemoryTokenStore } from './auth.ts';
export type { GhlAuth, GhlTokenSet, TokenStore } from './auth.ts';
export { RateLimiter, LANES } from './rate-limiter.ts';
export type { Lane, LocationBudget, RateLimiterOptions } from './rate-limiter.ts';
export type { GhlClientOptions, GhlLocationClient } from './client.ts';
export { GhlHttp, isAmbiguous, versionForPath, GHL_BASE_URL } from './http.ts';
export type { GhlRequest, GhlResponse, GhlVersion } from './http.ts';
export { classifyGhlFailure, isScopeError } from './errors.ts';
export { SEARCH_MAX_PAGE_LIMIT, SEARCH_PAGE_CAP } from './ops/contact-lists.ts';
export type * from './types.ts';
export type { GhlCalendar } from './ops/calendars.ts';
export {
  GhlWebhookVerifier,
  GHL_WEBHOOK_PUBLIC_KEY_PEM,
  GHL_LEGACY_RSA_PUBLIC_KEY_PEM,
} from './webhook-verify.ts';
export type { GhlWebhookVerifierOptions, GhlWebhookRejection } from './webhook-verify.ts';
export { parseGhlWebhook, GHL_WEBHOOK_EVENT_TYPES } from './webhook-events.ts';
export type { GhlWebhookEvent, GhlWebhookEventType } from './webhook-events.ts';
