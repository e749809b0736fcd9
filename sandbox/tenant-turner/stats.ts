/**
 * Counters behind the Tenant Turner sandbox's `GET /__sandbox/stats`: the shared request, status,
 * fault and webhook counters plus refused API keys, archive sweeps and post-write faults.
 */
import { TrafficStats } from '../shared/traffic-stats.ts';

export class TtStats extends TrafficStats {
  unauthorized = 0;
  /** Leads the idle rule archived. */
  autoArchived = 0;
  afterWrite = { dropped: 0, hung: 0 };

  override reset(): void {
    super.reset();
    this.unauthorized = 0;
    this.autoArchived = 0;
    this.afterWrite = { dropped: 0, hung: 0 };
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      unauthorized: this.unauthorized,
      autoArchived: this.autoArchived,
      afterWrite: { ...this.afterWrite },
    };
  }
}
