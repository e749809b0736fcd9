/**
 * The GHL module's public API: client, auth, limiter, webhooks, errors and types.
 */
export { GhlClient } from './client.ts';
export type { GhlClientOptions, GhlLocationClient } from './client.ts';
export { GhlHttp, isAmbiguous, versionForPath, GHL_BASE_URL } from './http.ts';
export type { GhlRequest, GhlResponse, GhlVersion } from './http.ts';
export { classifyGhlFailure, isScopeError } from './errors.ts';
export { SEARCH_MAX_PAGE_LIMIT, SEARCH_PAGE_CAP } from './ops/contact-lists.ts';
export type * from './types.ts';
