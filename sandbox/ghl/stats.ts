/**
 * Counters behind `GET /__sandbox/stats`: what the sandbox answered and what happened to each
 * webhook, so tests and benchmarks can assert on traffic rather than guess.
 */

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
  /** Deliveries given up: non-2xx other than 429, timeout, connection error, or retries exhausted. */
  lost: number;
  /** Retries scheduled after a 429. */
  retried: number;
}

export class SandboxStats {
  readonly requests = new Map<string, number>();
  readonly statuses = new Map<number, number>();
  rateLimited = { burst: 0, daily: 0 };
  oauth = { codeExchanges: 0, codeFailures: 0, refreshOk: 0, refreshFailed: 0, locationTokens: 0 };
  webhooks: WebhookCounters = {
    emitted: 0,
    dropped: 0,
    duplicated: 0,
    attempted: 0,
    succeeded: 0,
    lost: 0,
    retried: 0,
  };
  faultsInjected = { errors: 0, timeouts: 0 };

  countRequest(routeKey: string): void {
    this.requests.set(routeKey, (this.requests.get(routeKey) ?? 0) + 1);
  }

  countStatus(status: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  reset(): void {
    this.requests.clear();
    this.statuses.clear();
    this.rateLimited = { burst: 0, daily: 0 };
    this.oauth = {
      codeExchanges: 0,
      codeFailures: 0,
      refreshOk: 0,
      refreshFailed: 0,
      locationTokens: 0,
    };
    this.webhooks = {
      emitted: 0,
      dropped: 0,
      duplicated: 0,
      attempted: 0,
      succeeded: 0,
      lost: 0,
      retried: 0,
    };
    this.faultsInjected = { errors: 0, timeouts: 0 };
  }

  toJSON(): Record<string, unknown> {
    return {
      requests: Object.fromEntries(this.requests),
      statuses: Object.fromEntries(this.statuses),
      rateLimited: { ...this.rateLimited },
      oauth: { ...this.oauth },
      webhooks: { ...this.webhooks },
      faultsInjected: { ...this.faultsInjected },
    };
  }
}
