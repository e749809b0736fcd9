/**
 * Where GHL OAuth token sets live (ghl-api.md §3.2, §8.1). The store is a port: this file has the
 * in-memory adapter; the database-backed one (encrypted at rest, with a cross-process refresh
 * lock) belongs to the store module.
 */

/** One GHL OAuth grant: what `/oauth/token` or `/oauth/locationToken` returned, normalised. */
export interface GhlTokenSet {
  accessToken: string;
  /** Rotating and single-use; absent for location tokens minted from an agency token. */
  refreshToken?: string;
  /** Epoch ms when the access token expires. */
  expiresAt?: number;
  scopes: string[];
  userType: 'Location' | 'Company';
  locationId?: string;
  companyId?: string;
}

/** Port: the store persists token sets; the sync issue adds a DB-backed one with a cross-process lock. */
export interface TokenStore {
  /** The token set saved under `key`, if any. */
  load(key: string): Promise<GhlTokenSet | undefined>;
  /** Persists `tokens` under `key`; resolves only once they are durable. */
  save(key: string, tokens: GhlTokenSet): Promise<void>;
  /**
   * Optional cross-process lock: runs `fn` while no other process refreshes `key`. Without it,
   * refreshes are serialised within this process only. Called with different keys nested (a
   * location refresh may refresh its agency token), so it must lock per key.
   */
  withRefreshLock?<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

const COMPANY_PREFIX = 'company:';

/** The store key of an agency (company) token; location tokens are keyed by location id. */
export function companyKey(companyId: string): string {
  return COMPANY_PREFIX + companyId;
}

/** The company id in an agency token's store key; undefined for a location key. */
export function companyIdOfKey(key: string): string | undefined {
  return key.startsWith(COMPANY_PREFIX) ? key.slice(COMPANY_PREFIX.length) : undefined;
}

/** A `TokenStore` in memory, for tests and one-off runs. Hands out copies, never its own objects. */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, GhlTokenSet>();

  /** Optionally seeded with token sets by key. */
  constructor(initial: Record<string, GhlTokenSet> = {}) {
    for (const [key, tokens] of Object.entries(initial))
      this.#tokens.set(key, structuredClone(tokens));
  }

  async load(key: string): Promise<GhlTokenSet | undefined> {
    const tokens = this.#tokens.get(key);
    return tokens && structuredClone(tokens);
  }

  async save(key: string, tokens: GhlTokenSet): Promise<void> {
    this.#tokens.set(key, structuredClone(tokens));
  }
}
