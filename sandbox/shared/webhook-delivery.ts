/**
 * Webhook delivery for both sandboxes, after each has built and signed its body: the drop,
 * duplicate and reorder knobs, HTTP attempts, retries as the sandbox's retry policy decides, the
 * delivery log and the webhook counters. What is sent, to whom and how it is signed stays with the
 * sandbox.
 */
import type http from 'node:http';
import type { CommonFaultSettings, FaultKnobs } from './fault-knobs.ts';
import type { TrafficStats } from './traffic-stats.ts';
import { postWebhook } from './webhook-transport.ts';
import type { AttemptResult } from './webhook-transport.ts';

export type { AttemptResult } from './webhook-transport.ts';

const REORDER_WINDOW_MS = 50;
const LOG_LIMIT = 2000;

/** One signed body for one subscriber. */
export interface OutgoingWebhook {
  /** The event's id as the body carries it (a duplicate keeps it). */
  webhookId: string;
  type: string;
  subscriptionId: string;
  url: string;
  body: Buffer;
  /** Signature and any other headers the sandbox adds. */
  headers: Record<string, string>;
}

/** One line of the delivery log (`GET /__sandbox/webhooks`). */
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

/**
 * After a failed attempt (`attempts` made so far, the last one's `result`): the delay before the
 * next attempt, or null to give the delivery up.
 */
export type RetryPolicy = (attempts: number, result: AttemptResult) => number | null;

export interface WebhookDeliveryOptions {
  knobs: FaultKnobs<CommonFaultSettings>;
  stats: TrafficStats;
  retryPolicy: RetryPolicy;
  timeoutMs: number;
}

interface Delivery extends OutgoingWebhook {
  attempts: number;
}

/** Sends signed webhooks through the fault knobs and retries them per the policy. */
export class WebhookDelivery {
  readonly #options: WebhookDeliveryOptions;
  readonly #log: DeliveryLogEntry[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<http.ClientRequest>();
  #reorderBuffer: Delivery[] = [];
  #closed = false;
  /** Per-attempt deadline; a sandbox may change it at run time. */
  timeoutMs: number;

  constructor(options: WebhookDeliveryOptions) {
    this.#options = options;
    this.timeoutMs = options.timeoutMs;
  }

  /** Recent attempts and drops, oldest first. */
  deliveries(): readonly DeliveryLogEntry[] {
    return this.#log;
  }

  /** Delivers one body to one subscriber, unless the drop knob fires; twice if duplicate fires. */
  send(webhook: OutgoingWebhook): void {
    if (this.#closed) return;
    const { knobs, stats } = this.#options;
    const delivery: Delivery = { ...webhook, attempts: 0 };
    if (knobs.roll(knobs.settings.webhookDropRate)) {
      stats.webhooks.dropped++;
      this.#record(delivery, null, 'dropped');
      return;
    }
    const copies = knobs.roll(knobs.settings.webhookDuplicateRate) ? 2 : 1;
    if (copies === 2) stats.webhooks.duplicated++;
    for (let i = 0; i < copies; i++) this.#enqueue({ ...delivery });
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

  #enqueue(delivery: Delivery): void {
    const { knobs } = this.#options;
    if (!knobs.settings.webhookReorder) {
      void this.#attempt(delivery);
      return;
    }
    this.#reorderBuffer.push(delivery);
    if (this.#reorderBuffer.length === 1) {
      this.#later(REORDER_WINDOW_MS, () => {
        const buffered = this.#reorderBuffer;
        let batch = knobs.shuffle(buffered);
        // A knob that asks for disorder should deliver it: never keep the emission order.
        if (batch.every((item, i) => item === buffered[i])) batch = [...buffered].reverse();
        this.#reorderBuffer = [];
        for (const item of batch) void this.#attempt(item);
      });
    }
  }

  async #attempt(delivery: Delivery): Promise<void> {
    if (this.#closed) return;
    const { stats, retryPolicy } = this.#options;
    delivery.attempts++;
    stats.webhooks.attempted++;
    const result = await postWebhook(
      delivery.url,
      delivery.body,
      delivery.headers,
      this.timeoutMs,
      this.#inFlight,
    );
    if (this.#closed) return;
    const status = result.status ?? null;
    if (status !== null && status >= 200 && status < 300) {
      stats.webhooks.succeeded++;
      this.#record(delivery, status, 'delivered');
      return;
    }
    const delay = retryPolicy(delivery.attempts, result);
    if (delay === null) {
      stats.webhooks.lost++;
      this.#record(delivery, status, 'lost', result.error);
      return;
    }
    stats.webhooks.retried++;
    this.#record(delivery, status, 'retry-scheduled', result.error);
    this.#later(delay, () => void this.#attempt(delivery));
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
      subscriptionId: delivery.subscriptionId,
      url: delivery.url,
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
