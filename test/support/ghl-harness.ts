/**
 * Test wiring: a GHL sandbox on port 0 and GHL clients pointed at it over real HTTP.
 */
import { GhlClient } from '../../src/ghl/client.ts';
import type { GhlClientOptions } from '../../src/ghl/client.ts';
import { MemoryTokenStore, OAuthAuth, PrivateIntegrationAuth } from '../../src/ghl/auth.ts';
import type { TokenStore } from '../../src/ghl/auth.ts';
import { startGhlSandbox } from '../../sandbox/ghl/index.ts';
import type { GhlSandbox, GhlSandboxOptions } from '../../sandbox/ghl/index.ts';
import { ALL_SCOPES } from '../../sandbox/ghl/tokens.ts';

/** Every API scope of the sandbox but the agency-only `oauth.*` ones. */
export const READ_WRITE = ALL_SCOPES.filter((scope) => !scope.startsWith('oauth.'));

/** Starts a sandbox with test-friendly defaults (no search delay, fast webhook retries). */
export function sandbox(options: GhlSandboxOptions = {}): Promise<GhlSandbox> {
  return startGhlSandbox({ searchDelayMs: 0, webhookRetryIntervalMs: 50, ...options });
}

/** A client on a Private Integration token for the sandbox's main location. */
export function pitClient(
  box: GhlSandbox,
  scopes: string[] = READ_WRITE,
  options: Partial<GhlClientOptions> = {},
): GhlClient {
  const { accessToken } = box.mintToken({ scopes, kind: 'pit' });
  return new GhlClient({
    auth: new PrivateIntegrationAuth({ token: accessToken }),
    baseUrl: box.url,
    retryBaseMs: 5,
    retryMaxMs: 50,
    ...options,
  });
}

/** Goes through the sandbox's OAuth flow (authorize → code → token) and returns the auth. */
export async function oauthAuth<S extends TokenStore = MemoryTokenStore>(
  box: GhlSandbox,
  scopes: string[] = READ_WRITE,
  store: S = new MemoryTokenStore() as TokenStore as S,
): Promise<{ auth: OAuthAuth; store: S }> {
  const redirectUri = 'http://127.0.0.1:1/callback';
  const auth = new OAuthAuth({
    clientId: box.clientId,
    clientSecret: box.clientSecret,
    redirectUri,
    baseUrl: box.url,
    authorizeBaseUrl: box.url,
    store,
  });
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const approve = await fetch(auth.authorizeUrl({ scopes, state }), { redirect: 'manual' });
  const location = approve.headers.get('location');
  if (approve.status !== 302 || !location)
    throw new Error(`authorize did not redirect: ${approve.status}`);
  const back = new URL(location);
  if (back.searchParams.get('state') !== state) throw new Error('state not echoed');
  await auth.exchangeCode(back.searchParams.get('code') ?? '', { userType: 'Location' });
  return { auth, store };
}

/** Another OAuth client (another "process") on the same token store, without a new grant. */
export function oauthAuthOn(box: GhlSandbox, store: TokenStore): OAuthAuth {
  return new OAuthAuth({
    clientId: box.clientId,
    clientSecret: box.clientSecret,
    redirectUri: 'http://127.0.0.1:1/callback',
    baseUrl: box.url,
    authorizeBaseUrl: box.url,
    store,
  });
}

import { operator } from './operator.ts';

export { operator };

/** Sandbox counters (`GET /__sandbox/stats`). */
export interface SandboxStats {
  requests: Record<string, number>;
  statuses: Record<string, number>;
  rateLimited: { burst: number; daily: number };
  oauth: {
    codeExchanges: number;
    refreshOk: number;
    refreshFailed: number;
    locationTokens: number;
  };
  webhooks: Record<string, number>;
  faultsInjected: { errors: number; timeouts: number };
}

export function stats(box: GhlSandbox): Promise<SandboxStats> {
  return operator<SandboxStats>(box, 'GET', '/__sandbox/stats');
}

/** Collects an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
