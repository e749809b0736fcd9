/**
 * Tenant Turner webhooks (tenant-turner-api.md §2.3): a JSON body `{ EventId, EventType,
 * OccurredAt, ApplicationId?, ShowingId?, PropertyId?, Data }` POSTed to every subscribed URL
 * with `X-Payload-Signature: <hex HMAC-SHA256 of the raw body under the signing key>`. A non-2xx
 * reply, a timeout or a connection error is retried 5, 15, 45, 135 and 405 minutes later (the
 * first gap is `retryIntervalMs`, each next one three times the last), then dropped. Drop,
 * duplicate and reorder knobs, attempts and the log are the shared `WebhookDelivery`'s.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { FaultKnobs, CommonFaultSettings } from '../shared/fault-knobs.ts';
import type { TrafficStats } from '../shared/traffic-stats.ts';
import { WebhookDelivery } from '../shared/webhook-delivery.ts';
import type { DeliveryLogEntry } from '../shared/webhook-delivery.ts';
import { isoSeconds } from './input.ts';

/** The 21 events of Tenant Turner's webhook form, by their labels. */
export const TT_EVENT_TYPES = [
  'Lead Created',
  'Lead Archived',
  'Lead Unarchived',
  'Lead Declined',
  'Lead Qualified',
  'Lead Disqualified',
  'Lead Contact Info Updated',
  'Tenant Selected',
  'Viewing Confirmed',
  'Viewing Requested',
  'Viewing Cancelled',
  'Viewing No Show',
  'Viewing Scheduled',
  'Viewing Feedback',
  'Rental Activated',
  'Rental Deactivated',
  'Rental Off Waitlist',
  'Rental On Waitlist',
  'Rental Ready To Activate',
  'Rental Ready To Deactivate',
  'Lockbox Code Sent',
] as const;

export type TtEventType = (typeof TT_EVENT_TYPES)[number];

/** Retries after the first attempt: 5, 15, 45, 135, 405 minutes at the default interval. */
export const MAX_WEBHOOK_RETRIES = 5;

/** One event before delivery. */
export interface TtEvent {
  type: TtEventType;
  occurredMs: number;
  applicationId?: number;
  showingId?: number;
  propertyId?: number;
  /** The resource as GET returns it. */
  data: Record<string, unknown>;
}

export interface TtWebhookSubscription {
  Id: string;
  Url: string;
}

export interface TtWebhooksOptions {
  faults: FaultKnobs<CommonFaultSettings>;
  stats: TrafficStats;
  /** Read at each emission, so a key refresh applies at once. */
  signingKey: () => string;
  retryIntervalMs: number;
  timeoutMs: number;
}

/** The delay before retry number `attempts` (1-based): interval × 3^(attempts−1). */
export function retryDelayMs(retryIntervalMs: number, attempts: number): number | null {
  return attempts > MAX_WEBHOOK_RETRIES ? null : retryIntervalMs * 3 ** (attempts - 1);
}

/** Hex HMAC-SHA256 of the raw body: the `X-Payload-Signature` header. */
export function signPayload(body: Buffer | string, key: string): string {
  return createHmac('sha256', key).update(body).digest('hex');
}

export class TtWebhooks {
  readonly #options: TtWebhooksOptions;
  readonly #subscriptions = new Map<string, TtWebhookSubscription>();
  readonly #delivery: WebhookDelivery;
  retryIntervalMs: number;

  constructor(options: TtWebhooksOptions) {
    this.#options = options;
    this.retryIntervalMs = options.retryIntervalMs;
    this.#delivery = new WebhookDelivery({
      knobs: options.faults,
      stats: options.stats,
      timeoutMs: options.timeoutMs,
      retryPolicy: (attempts) => retryDelayMs(this.retryIntervalMs, attempts),
    });
  }

  get timeoutMs(): number {
    return this.#delivery.timeoutMs;
  }

  set timeoutMs(value: number) {
    this.#delivery.timeoutMs = value;
  }

  subscribe(url: string): TtWebhookSubscription {
    const subscription = { Id: randomUUID(), Url: url };
    this.#subscriptions.set(subscription.Id, subscription);
    return subscription;
  }

  unsubscribe(id: string): boolean {
    return this.#subscriptions.delete(id);
  }

  subscriptions(): TtWebhookSubscription[] {
    return [...this.#subscriptions.values()];
  }

  /** Recent attempts, oldest first. */
  deliveries(): readonly DeliveryLogEntry[] {
    return this.#delivery.deliveries();
  }

  /** Signs the event once and sends it to every subscription, through the fault knobs. */
  emit(event: TtEvent): void {
    this.#options.stats.webhooks.emitted++;
    const eventId = randomUUID();
    const body = Buffer.from(
      JSON.stringify({
        EventId: eventId,
        EventType: event.type,
        OccurredAt: isoSeconds(event.occurredMs),
        ...(event.applicationId === undefined ? {} : { ApplicationId: event.applicationId }),
        ...(event.showingId === undefined ? {} : { ShowingId: event.showingId }),
        ...(event.propertyId === undefined ? {} : { PropertyId: event.propertyId }),
        Data: event.data,
      }),
    );
    const headers = {
      'x-payload-signature': signPayload(body, this.#options.signingKey()),
      'user-agent': 'tt-sandbox-webhooks/1.0',
    };
    for (const subscription of this.#subscriptions.values()) {
      this.#delivery.send({
        webhookId: eventId,
        type: event.type,
        subscriptionId: subscription.Id,
        url: subscription.Url,
        body,
        headers,
      });
    }
  }

  /** Forgets scheduled retries and buffered deliveries (a reset). */
  cancelPending(): void {
    this.#delivery.cancelPending();
  }

  async close(): Promise<void> {
    await this.#delivery.close();
  }
}
