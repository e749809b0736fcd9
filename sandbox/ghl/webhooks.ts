/**
 * Webhook delivery as GHL does it (ghl-api.md §5): Ed25519 signature of the raw body bytes in
 * `x-ghl-signature`; retried only after a 429, up to 6 times, `retryIntervalMs` apart plus
 * jitter; any other status, a timeout or a connection error is final and the event is lost.
 * Fault knobs drop, duplicate (same webhookId) and reorder deliveries.
 */
import { randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type http from 'node:http';
import type { Faults } from './faults.ts';
import { createPrng } from './prng.ts';
import type { Prng } from './prng.ts';
import type { SandboxStats } from './stats.ts';
import type { WebhookEvent, WebhookEventType } from './webhook-payloads.ts';
import { postWebhook } from './webhook-transport.ts';

export const MAX_WEBHOOK_RETRIES = 6;
const REORDER_WINDOW_MS = 50;
const LOG_LIMIT = 2000;

export interface WebhookSubscription {
  id: string;
  url: string;
  /** null = every event type. */
  events: WebhookEventType[] | null;
  /** null = every location. */
  locationId: string | null;
}

export interface DeliveryLogEntry {
  webhookId: string;
  type: string;
  subscriptionId: string;
  url: string;
  attempt: number;
  status: number | null;
  error?: string;
  outcome: 'delivered' | 'retry-scheduled' | 'lost' | 'dropped';
  at: string;
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

interface Delivery {
  subscription: WebhookSubscription;
  webhookId: string;
  type: string;
  body: Buffer;
  signature: string;
  attempts: number;
}

export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #subscriptions = new Map<string, WebhookSubscription>();
  readonly #log: DeliveryLogEntry[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<http.ClientRequest>();
  readonly #jitter: Prng;
  #reorderBuffer: Delivery[] = [];
  #closed = false;
  retryIntervalMs: number;
  timeoutMs: number;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    this.retryIntervalMs = options.retryIntervalMs;
    this.timeoutMs = options.timeoutMs;
    this.#jitter = createPrng(options.seed, 'webhook-jitter');
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
    return this.#log;
  }

  /** Sends an event to every matching subscription, through the fault knobs. */
  emit(event: WebhookEvent): void {
    if (this.#closed) return;
    const { faults, stats } = this.#options;
    stats.webhooks.emitted++;
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.events !== null && !subscription.events.includes(event.type)) continue;
      if (subscription.locationId !== null && subscription.locationId !== event.locationId)
        continue;
      const delivery = this.#prepare(subscription, event);
      if (faults.roll(faults.settings.webhookDropRate)) {
        stats.webhooks.dropped++;
        this.#record(delivery, null, 'dropped');
        continue;
      }
      const copies = faults.roll(faults.settings.webhookDuplicateRate) ? 2 : 1;
      if (copies === 2) stats.webhooks.duplicated++;
      for (let i = 0; i < copies; i++) this.#enqueue({ ...delivery });
    }
  }

  /** Forgets scheduled retries and buffered deliveries (a reset); attempts in flight finish. */
  cancelPending(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#reorderBuffer = [];
  }

  /** Cancels pending retries and aborts attempts in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    this.cancelPending();
    for (const request of this.#inFlight) request.destroy(new Error('sandbox closing'));
    this.#inFlight.clear();
  }

  #prepare(subscription: WebhookSubscription, event: WebhookEvent): Delivery {
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
    return { subscription, webhookId, type: event.type, body, signature, attempts: 0 };
  }

  #enqueue(delivery: Delivery): void {
    if (!this.#options.faults.settings.webhookReorder) {
      void this.#attempt(delivery);
      return;
    }
    this.#reorderBuffer.push(delivery);
    if (this.#reorderBuffer.length === 1) {
      this.#later(REORDER_WINDOW_MS, () => {
        const buffered = this.#reorderBuffer;
        let batch = this.#options.faults.shuffle(buffered);
        // A knob that asks for disorder should deliver it: never keep the emission order.
        if (batch.every((item, i) => item === buffered[i])) batch = [...buffered].reverse();
        this.#reorderBuffer = [];
        for (const item of batch) void this.#attempt(item);
      });
    }
  }

  async #attempt(delivery: Delivery): Promise<void> {
    if (this.#closed) return;
    const { stats } = this.#options;
    delivery.attempts++;
    stats.webhooks.attempted++;
    const result = await postWebhook(
      delivery.subscription.url,
      delivery.body,
      { 'x-ghl-signature': delivery.signature },
      this.timeoutMs,
      this.#inFlight,
    );
    if (this.#closed) return;
    const status = result.status ?? null;
    if (status !== null && status >= 200 && status < 300) {
      stats.webhooks.succeeded++;
      this.#record(delivery, status, 'delivered');
    } else if (status === 429 && delivery.attempts <= MAX_WEBHOOK_RETRIES) {
      stats.webhooks.retried++;
      this.#record(delivery, status, 'retry-scheduled');
      const jitter = Math.floor(this.#jitter.next() * this.retryIntervalMs * 0.1);
      this.#later(this.retryIntervalMs + jitter, () => void this.#attempt(delivery));
    } else {
      stats.webhooks.lost++;
      this.#record(delivery, status, 'lost', result.error);
    }
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }

  #record(
    delivery: Delivery,
    status: number | null,
    outcome: DeliveryLogEntry['outcome'],
    error?: string,
  ): void {
    const entry: DeliveryLogEntry = {
      webhookId: delivery.webhookId,
      type: delivery.type,
      subscriptionId: delivery.subscription.id,
      url: delivery.subscription.url,
      attempt: delivery.attempts,
      status,
      outcome,
      at: new Date().toISOString(),
    };
    if (error !== undefined) entry.error = error;
    this.#log.push(entry);
    if (this.#log.length > LOG_LIMIT) this.#log.splice(0, this.#log.length - LOG_LIMIT);
  }
}
