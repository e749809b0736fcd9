/**
 * The Tenant Turner module's public API: client, errors, throttle, capability probe, address
 * matching, SinceDateUpdated rule, webhooks and types.
 */
export { TenantTurnerClient } from './client.ts';
export type { TenantTurnerClientOptions } from './client.ts';
export { TtHttp, TT_BASE_URL } from './http.ts';
export type { TtRequest, TtResponse, TtHttpOptions } from './http.ts';
export { TtThrottle, DEFAULT_REQUESTS_PER_SECOND } from './throttle.ts';
export type { TtThrottleOptions } from './throttle.ts';
export { CapabilityProbe, TT_EXTENSIONS } from './capabilities.ts';
export type { CapabilitySetting, TtExtension } from './capabilities.ts';
export {
  classifyTtFailure,
  isAmbiguous,
  isUnsupported,
  parseRetryAfter,
  unsupportedError,
  UNSUPPORTED_CODE,
} from './errors.ts';
export { MAX_PAGE_SIZE } from './pagination.ts';
export type { TtPage } from './pagination.ts';
export { earliestSinceDate, sinceDateUpdated, utcDay } from './since-date.ts';
export type { SinceDateChoice } from './since-date.ts';
export { matchAddress } from './address-match.ts';
export type { AddressLike, AddressMatch } from './address-match.ts';
export { readAddress, streetParts } from './address-parse.ts';
export type { ChangeListOptions } from './ops/change-list.ts';
export type { CallOptions, Created } from './ops/context.ts';
export type { TtRentals } from './ops/rentals.ts';
export type { TtLeads } from './ops/leads.ts';
export type { TtShowings } from './ops/showings.ts';
export type { TtTasks, TtNotes } from './ops/lead-children.ts';
export type { TtActivities } from './ops/activities.ts';
export * from './resources.ts';
export type * from './inputs.ts';
export { MAX_NOTE_LENGTH, MAX_TASK_TITLE } from './inputs.ts';
export { TtWebhookVerifier, TT_SIGNATURE_HEADER, signTtPayload } from './webhook-verify.ts';
export type {
  TtWebhookVerifierOptions,
  TtWebhookRejection,
  TtWebhookHeaders,
} from './webhook-verify.ts';
export {
  parseTtWebhook,
  TT_WEBHOOK_EVENT_TYPES,
  TT_LEAD_EVENTS,
  TT_SHOWING_EVENTS,
  TT_RENTAL_EVENTS,
  TT_LOCKBOX_EVENTS,
} from './webhook-events.ts';
export type * from './webhook-events.ts';
