/**
 * What the write paths need: the current state (replaced on reset), the webhook sink and the
 * clock. The API routes and the operator endpoints share these write paths, so both emit the
 * same webhooks.
 */
import type { SandboxState } from './state.ts';
import type { WebhookEvent } from './webhook-payloads.ts';

export interface MutationDeps {
  state(): SandboxState;
  emit(event: WebhookEvent): void;
  now(): number;
}
