/**
 * The Tenant Turner (API v1) sandbox: a real HTTP server with in-memory, seeded state that
 * implements the contract of shared/reference/tenant-turner-api.md, either the real surface only
 * or with the modeled extensions of §2.2, plus signed webhooks, `/__sandbox` operator endpoints
 * and fault knobs. Its OpenAPI document is spec/tenant-turner/openapi.json.
 */
import type { AddressInfo } from 'node:net';
import { TtContext } from './context.ts';
import type { TtSurface } from './context.ts';
import { stateDump } from './operator-control-routes.ts';
import { buildTtServer } from './server.ts';

export type { TtSurface } from './context.ts';
export { TT_OPERATOR_ENDPOINTS } from './operator-control-routes.ts';
export { EXTENSIONS as TT_EXTENSIONS } from './extension-routes.ts';
export { TT_EVENT_TYPES, signPayload, retryDelayMs } from './webhooks.ts';
export type { TtEventType } from './webhooks.ts';

const HOUR_MS = 3_600_000;

export interface TtSandboxOptions {
  /** Default 0 (a random free port). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 'extended'; 'real' serves only what the real service has (404 elsewhere). */
  surface?: TtSurface;
  /** Default 1; the same seed gives the same records, ids and keys. */
  seed?: number;
  /** Seeded rentals, default 5. */
  rentals?: number;
  /** Seeded leads, default 20. */
  leads?: number;
  /** Seeded showings, default 10. */
  showings?: number;
  /** An Active lead with no response for this long is archived; default 72 h. */
  archiveAfterMs?: number;
  /** First webhook retry gap, default 5 min; later gaps ×3 (5, 15, 45, 135, 405 min). */
  webhookRetryIntervalMs?: number;
  /** Per-attempt webhook deadline, default 10 s. */
  webhookTimeoutMs?: number;
  /** Subscribed from the start (and kept across resets). */
  webhookUrls?: string[];
  /** Default: derived from the seed, in Tenant Turner's `tt_live_…` format. */
  apiKey?: string;
}

export interface TtSandbox {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash, no /v1). */
  readonly url: string;
  /** The current API key: `Authorization: Basic base64(apiKey)`. Changes on a key refresh. */
  readonly apiKey: string;
  /** Key of `X-Payload-Signature` (hex HMAC-SHA256 of the raw body). */
  readonly webhookSigningKey: string;
  readonly surface: TtSurface;
  /** Settings, counts and every record as the API shows it (what `GET /__sandbox/state` returns). */
  state(): Record<string, unknown>;
  /** What `GET /__sandbox/stats` returns. */
  stats(): Record<string, unknown>;
  /** Subscribes a webhook URL; returns the subscription id. */
  subscribeWebhook(url: string): string;
  /** Moves the sandbox clock forward (idle leads archive at once); returns the new time, epoch ms. */
  advanceClock(ms: number): number;
  close(): Promise<void>;
}

/** Starts a sandbox and resolves once it listens. */
export async function startTtSandbox(options: TtSandboxOptions = {}): Promise<TtSandbox> {
  const ctx = new TtContext({
    surface: options.surface ?? 'extended',
    seed: options.seed ?? 1,
    counts: {
      rentals: options.rentals ?? 5,
      leads: options.leads ?? 20,
      showings: options.showings ?? 10,
    },
    archiveAfterMs: options.archiveAfterMs ?? 72 * HOUR_MS,
    webhookRetryIntervalMs: options.webhookRetryIntervalMs ?? 5 * 60_000,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    apiKey: options.apiKey,
  });
  for (const url of options.webhookUrls ?? []) ctx.webhooks.subscribe(url);
  const app = buildTtServer(ctx);
  try {
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await ctx.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    get apiKey() {
      return ctx.apiKey;
    },
    webhookSigningKey: ctx.webhookSigningKey,
    surface: ctx.surface,
    state: () => stateDump(ctx),
    stats: () => ctx.stats.toJSON(),
    subscribeWebhook: (url) => ctx.webhooks.subscribe(url).Id,
    advanceClock: (ms) => ctx.advanceClock(ms),
    close() {
      closed ??= (async () => {
        await ctx.close();
        await app.close();
      })();
      return closed;
    },
  };
}
