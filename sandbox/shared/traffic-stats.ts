/**
 * Counters behind both sandboxes' `GET /__sandbox/stats`: what the sandbox answered, the faults
 * it injected and what happened to each webhook, so tests and benchmarks can assert on traffic
 * rather than guess. A sandbox subclasses it for counters of its own.
 */

/** What happened to webhooks since the last reset. */
export interface WebhookCounters {
  /** Events produced by state changes (before drop/duplicate knobs). */
  emitted: number;
  /** Events the drop knob discarded before any attempt. */
  dropped: number;
  /** Extra deliveries made by the duplicate knob. */
  duplicated: number;
  /** HTTP attempts, first tries and retries. */
  attempted: number;
  succeeded: number;
  /** Deliveries given up: the retry policy declined another attempt. */
  lost: number;
  /** Retries scheduled. */
  retried: number;
}

/** Faults the route knobs fired. */
export interface FaultCounters {
  errors: number;
  timeouts: number;
}

function emptyWebhookCounters(): WebhookCounters {
  return { emitted: 0, dropped: 0, duplicated: 0, attempted: 0, succeeded: 0, lost: 0, retried: 0 };
}

/** Request, status, fault and webhook counters. */
export class TrafficStats {
  readonly requests = new Map<string, number>();
  readonly statuses = new Map<number, number>();
  webhooks: WebhookCounters = emptyWebhookCounters();
  faultsInjected: FaultCounters = { errors: 0, timeouts: 0 };

  countRequest(routeKey: string): void {
    this.requests.set(routeKey, (this.requests.get(routeKey) ?? 0) + 1);
  }

  countStatus(status: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  reset(): void {
    this.requests.clear();
    this.statuses.clear();
    this.webhooks = emptyWebhookCounters();
    this.faultsInjected = { errors: 0, timeouts: 0 };
  }

  toJSON(): Record<string, unknown> {
    return {
      requests: Object.fromEntries(this.requests),
      statuses: Object.fromEntries(this.statuses),
      webhooks: { ...this.webhooks },
      faultsInjected: { ...this.faultsInjected },
    };
  }
}
