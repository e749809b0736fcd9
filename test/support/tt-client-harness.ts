/**
 * Test wiring for the Tenant Turner client's integration tests: a Tenant Turner sandbox on port 0
 * (either surface), clients pointed at it over real HTTP, and the sandbox's operator endpoints.
 */
import { startTtSandbox } from '../../sandbox/tenant-turner/index.ts';
import type { TtSandbox, TtSandboxOptions } from '../../sandbox/tenant-turner/index.ts';
import { TenantTurnerClient } from '../../src/tenant-turner/client.ts';
import type { TenantTurnerClientOptions } from '../../src/tenant-turner/client.ts';

/** Both surfaces: what the real service offers, and the real one plus the modeled extensions. */
export const SURFACES = ['real', 'extended'] as const;

/** Starts a sandbox; small seeds unless told otherwise. */
export function ttSandbox(options: TtSandboxOptions = {}): Promise<TtSandbox> {
  return startTtSandbox({ webhookRetryIntervalMs: 50, ...options });
}

/**
 * A client on the sandbox, probing capabilities as it would in production, with fast retries
 * and the throttle off unless a test sets it.
 */
export function ttClient(
  box: TtSandbox,
  options: Partial<TenantTurnerClientOptions> = {},
): TenantTurnerClient {
  return new TenantTurnerClient({
    apiKey: box.apiKey,
    baseUrl: box.url,
    requestsPerSecond: 0,
    retryBaseMs: 5,
    retryMaxMs: 50,
    timeoutMs: 5_000,
    ...options,
  });
}

export { operator } from './operator.ts';

/** How many requests the sandbox saw for a route key ("GET /v1/applications", "NOT_FOUND"). */
export function requestCount(box: TtSandbox, routeKey: string): number {
  const requests = box.stats()['requests'] as Record<string, number> | undefined;
  return requests?.[routeKey] ?? 0;
}

/** Records of one kind as the sandbox holds them (from its state dump). */
export function records(
  box: TtSandbox,
  kind: 'properties' | 'leads' | 'showings' | 'tasks' | 'notes' | 'activities',
): Record<string, unknown>[] {
  return (box.state()[kind] as Record<string, unknown>[] | undefined) ?? [];
}

/** Drains an async iterable. */
export async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
