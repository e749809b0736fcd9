/**
 * Webhook delivery as GHL does it (ghl-api.md §5): Ed25519 signature of the raw body bytes in
 * `x-ghl-signature`; retried only after a 429, up to 6 times, `retryIntervalMs` apart plus
 * jitter; any other status, a timeout or a connection error is final and the event is lost.
 * Drop, duplicate (same webhookId) and reorder knobs, attempts and the log are the shared
 * `WebhookDelivery`'s.
 */
import { randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createPrng } from '../shared/prng.ts';
import type { Prng } from '../shared/prng.ts';
import { WebhookDelivery } from '../shared/webhook-delivery.ts';
import type { AttemptResult, DeliveryLogEntry } from '../shared/webhook-delivery.ts';
import type { Faults } from './faults.ts';
import type { SandboxStats } from './stats.ts';
import type { WebhookEvent, WebhookEventType } from './webhook-payloads.ts';

export type { DeliveryLogEntry } from '../shared/webhook-delivery.ts';

export const MAX_WEBHOOK_RETRIES = 6;

export interface WebhookSubscription {
  id: string;
  url: string;
  /** null = every event type. */
  events: WebhookEventType[] | null;
  /** null = every location. */
  locationId: string | null;
}

export interface WebhookDispatcherOptions {
  privateKey: KeyObject;
  appId: string;
  versionId: string;
  retryIntervalMs: number;
  timeoutMs: number;
  seed: number;
  faults: Faults;
  stats: SandboxStats;
}

export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #subscriptions = new Map<string, WebhookSubscription>();
  readonly #delivery: WebhookDelivery;
  readonly #jitter: Prng;
  #closed = false;
  retryIntervalMs: number;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    this.retryIntervalMs = options.retryIntervalMs;
    this.#jitter = createPrng(options.seed, 'webhook-jitter');
    this.#delivery = new WebhookDelivery({
      knobs: options.faults,
      stats: options.stats,
      timeoutMs: options.timeoutMs,
      retryPolicy: (attempts, result) => this.#retryDelay(attempts, result),
    });
  }

  get timeoutMs(): number {
    return this.#delivery.timeoutMs;
  }

  set timeoutMs(value: number) {
    this.#delivery.timeoutMs = value;
  }

  subscribe(input: {
    url: string;
    events?: WebhookEventType[] | undefined;
    locationId?: string | undefined;
  }): WebhookSubscription {
    const subscription: WebhookSubscription = {
      id: randomUUID(),
      url: input.url,
      events: input.events ?? null,
      locationId: input.locationId ?? null,
    };
    this.#subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  unsubscribe(id: string): boolean {
    return this.#subscriptions.delete(id);
  }

  subscriptions(): WebhookSubscription[] {
    return [...this.#subscriptions.values()];
  }

  /** Recent attempts, oldest first. */
  deliveries(): readonly DeliveryLogEntry[] {
    return this.#delivery.deliveries();
  }

  /** Sends an event to every matching subscription, through the fault knobs. */
  emit(event: WebhookEvent): void {
    if (this.#closed) return;
    this.#options.stats.webhooks.emitted++;
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.events !== null && !subscription.events.includes(event.type)) continue;
      if (subscription.locationId !== null && subscription.locationId !== event.locationId)
        continue;
      this.#delivery.send(this.#prepare(subscription, event));
    }
  }

  /** Forgets scheduled retries and buffered deliveries (a reset); attempts in flight finish. */
  cancelPending(): void {
    this.#delivery.cancelPending();
  }

  /** Cancels pending retries and aborts attempts in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#delivery.close();
  }

  #retryDelay(attempts: number, result: AttemptResult): number | null {
    if (result.status !== 429 || attempts > MAX_WEBHOOK_RETRIES) return null;
    return this.retryIntervalMs + Math.floor(this.#jitter.next() * this.retryIntervalMs * 0.1);
  }

  #prepare(subscription: WebhookSubscription, event: WebhookEvent) {
    const { faults, appId, versionId, privateKey } = this.#options;
    const payload: Record<string, unknown> = { ...event.payload };
    if (event.type === 'TaskCreate' && faults.roll(faults.settings.taskCreateWithoutContactRate)) {
      delete payload['contactId'];
      delete payload['body'];
    }
    const webhookId = randomUUID();
    const body = Buffer.from(
      JSON.stringify({
        ...payload,
        timestamp: new Date().toISOString(),
        webhookId,
        appId,
        versionId,
      }),
    );
    const signature = sign(null, body, privateKey).toString('base64');
    return {
      subscriptionId: subscription.id,
      url: subscription.url,
      webhookId,
      type: event.type,
      body,
      headers: { 'x-ghl-signature': signature, 'user-agent': 'ghl-sandbox-webhooks/1.0' },
    };
  }
}
