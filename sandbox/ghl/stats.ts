/**
 * Counters behind `GET /__sandbox/stats`: the shared request, status, fault and webhook counters
 * plus GHL's own, rate-limit refusals and OAuth token traffic.
 */
import { TrafficStats } from '../shared/traffic-stats.ts';

export class SandboxStats extends TrafficStats {
  rateLimited = { burst: 0, daily: 0 };
  oauth = { codeExchanges: 0, codeFailures: 0, refreshOk: 0, refreshFailed: 0, locationTokens: 0 };

  override reset(): void {
    super.reset();
    this.rateLimited = { burst: 0, daily: 0 };
    this.oauth = {
      codeExchanges: 0,
      codeFailures: 0,
      refreshOk: 0,
      refreshFailed: 0,
      locationTokens: 0,
    };
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), rateLimited: { ...this.rateLimited }, oauth: { ...this.oauth } };
  }
}
