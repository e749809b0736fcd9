/**
 * The route-level fault knobs both sandboxes apply before a handler runs: added latency, a
 * request held open until the client gives up (timeouts), a 503 for the next N requests
 * (failNext) and a random 5xx (errorRates). Each sandbox renders the status in its own error
 * shape.
 */
import type { FastifyReply } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultKnobs } from './fault-knobs.ts';
import type { CommonFaultSettings } from './fault-knobs.ts';
import type { TrafficStats } from './traffic-stats.ts';

const HANG_MAX_MS = 5 * 60_000;

/** What the fault code needs of a running sandbox. */
export interface RouteFaultDeps {
  readonly faults: FaultKnobs<CommonFaultSettings>;
  readonly stats: TrafficStats;
  /** Releases of requests held open; the sandbox calls them all on close. */
  readonly hangs: Set<() => void>;
}

/** Holds the request open until the client disconnects, the sandbox closes, or 5 minutes pass. */
export async function holdOpen(hangs: Set<() => void>, reply: FastifyReply): Promise<void> {
  const controller = new AbortController();
  const release = (): void => controller.abort();
  hangs.add(release);
  // The response's 'close' means the connection went away; the request's fires once it is read.
  reply.raw.once('close', release);
  try {
    await sleep(HANG_MAX_MS, undefined, { signal: controller.signal });
  } catch {
    // Released: the client gave up or the sandbox is closing.
  } finally {
    hangs.delete(release);
    reply.raw.off('close', release);
  }
}

/**
 * Applies the knobs for `routeKey`. Resolves with the status the request must fail with (504
 * after a hang, 503 for failNext, 500/502/503 for an error roll), or null to go on.
 */
export async function injectRouteFault(
  deps: RouteFaultDeps,
  routeKey: string,
  reply: FastifyReply,
): Promise<number | null> {
  const { faults, stats } = deps;
  const settings = faults.settings;
  if (settings.latencyMs > 0) await sleep(settings.latencyMs);
  if (faults.roll(FaultKnobs.rateFor(settings.timeouts, routeKey))) {
    stats.faultsInjected.timeouts++;
    await holdOpen(deps.hangs, reply);
    return 504;
  }
  const failNow = faults.takeFailNext(routeKey);
  if (failNow || faults.roll(FaultKnobs.rateFor(settings.errorRates, routeKey))) {
    stats.faultsInjected.errors++;
    return failNow ? 503 : faults.errorStatus();
  }
  return null;
}
