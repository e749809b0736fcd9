/**
 * The GHL (HighLevel API v2) sandbox: a real HTTP server with in-memory, seeded state that
 * behaves like GHL as documented in shared/reference/ghl-api.md (§11 is its checklist), plus
 * `/__sandbox` operator endpoints and fault knobs.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SandboxContext } from './context.ts';
import { createIdentity } from './identity.ts';
import { DEFAULT_RATE_LIMIT } from './rate-limit.ts';
import { buildServer } from './server.ts';
import type { TokenKind } from './tokens.ts';

export { OAUTH_MESSAGES } from './oauth-routes.ts';
export { OPERATOR_ENDPOINTS } from './operator-control-routes.ts';
export { WEBHOOK_EVENT_TYPES } from './webhook-payloads.ts';
export type { WebhookEventType } from './webhook-payloads.ts';
export type { TokenKind } from './tokens.ts';

export interface GhlSandboxOptions {
  /** Default 0 (a random free port). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 1; the same seed gives identical data and ids. */
  seed?: number;
  /** Seeded contacts in the main location, default 25; each gets 0-3 tasks, 0-2 notes, 0-1 appointments. */
  contacts?: number;
  /** Default derived from the seed (20 alphanumerics). */
  locationId?: string;
  /** Defaults 100 per 10,000 ms, 200,000 per day, enabled. */
  rateLimit?: { max?: number; windowMs?: number; daily?: number; enabled?: boolean };
  /** Delay before writes reach `POST /contacts/search`, default 2000 ms. */
  searchDelayMs?: number;
  /** Interval between webhook retries after a 429 (GHL: 10 min), default 600,000 ms. */
  webhookRetryIntervalMs?: number;
  /** Webhook delivery timeout, default 10,000 ms. */
  webhookTimeoutMs?: number;
  /** Reject a `Version` header other than the endpoint's (a missing one is always rejected). */
  strictVersion?: boolean;
  /** The locations' "Allow Duplicate Contact" setting, default false. */
  allowDuplicateContacts?: boolean;
}

export interface MintTokenOptions {
  scopes: string[];
  /** Default 'pit'. */
  kind?: TokenKind;
  /** Default the main location; ignored for agency tokens. */
  locationId?: string;
  expiresInSec?: number;
}

export interface MintedToken {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt?: number;
}

export interface GhlSandbox {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  locationId: string;
  /** A second location of the same company, for 403 tests. */
  otherLocationId: string;
  companyId: string;
  /** OAuth app credentials the sandbox accepts. */
  clientId: string;
  clientSecret: string;
  /** Ed25519 SPKI PEM that verifies `x-ghl-signature`. */
  webhookPublicKeyPem: string;
  mintToken(opts: MintTokenOptions): MintedToken;
  close(): Promise<void>;
}

/** Starts a sandbox and resolves once it listens. */
export async function startGhlSandbox(opts: GhlSandboxOptions = {}): Promise<GhlSandbox> {
  const seed = opts.seed ?? 1;
  const identity = createIdentity({
    seed,
    allowDuplicateContacts: opts.allowDuplicateContacts ?? false,
    ...(opts.locationId === undefined ? {} : { locationId: opts.locationId }),
  });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const ctx = new SandboxContext({
    identity,
    seed,
    contacts: opts.contacts ?? 25,
    searchDelayMs: opts.searchDelayMs ?? 2000,
    rateLimit: { ...DEFAULT_RATE_LIMIT, ...opts.rateLimit },
    webhookRetryIntervalMs: opts.webhookRetryIntervalMs ?? 600_000,
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 10_000,
    strictVersion: opts.strictVersion ?? false,
    privateKey,
  });
  const app = buildServer(ctx);
  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const [main, other] = identity.locations;
  if (main === undefined || other === undefined)
    throw new Error('sandbox identity needs two locations');
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    locationId: main.id,
    otherLocationId: other.id,
    companyId: identity.companyId,
    clientId: identity.app.clientId,
    clientSecret: identity.app.clientSecret,
    webhookPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    mintToken(mint) {
      const { accessToken, refreshToken, expiresAt } = ctx.mint(mint);
      return {
        accessToken,
        ...(refreshToken === undefined ? {} : { refreshToken }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      };
    },
    close() {
      closed ??= (async () => {
        for (const release of ctx.hangs) release();
        await ctx.webhooks.close();
        await app.close();
      })();
      return closed;
    },
  };
}
