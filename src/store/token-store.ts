/**
 * The GHL client's `TokenStore` port on the database: token sets sealed in `connections`
 * (`ghl:<key>`), and refreshes serialised across processes by a lease in `locks`, so that two
 * workers never spend the same single-use refresh token.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { GhlTokenSet, TokenStore } from '../ghl/token-store.ts';
import { systemClock } from '../shared/clock.ts';
import type { Clock } from '../shared/clock.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { loadConnectionSecret, saveConnection } from './connections.ts';
import { withLock } from './locks.ts';
import type { LockOptions } from './locks.ts';
import type { Database } from './schema.ts';

export interface DbTokenStoreOptions {
  db: Kysely<Database>;
  box: SecretBox;
  clock?: Clock;
  /** Identifies this process in lock rows; default a random id. */
  owner?: string;
  lock?: Omit<LockOptions, 'clock'>;
}

/** GHL OAuth token sets in the database, encrypted, with a cross-process refresh lock. */
export class DbTokenStore implements TokenStore {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #owner: string;
  readonly #lock: Omit<LockOptions, 'clock'>;

  constructor(options: DbTokenStoreOptions) {
    this.#db = options.db;
    this.#box = options.box;
    this.#clock = options.clock ?? systemClock;
    this.#owner = options.owner ?? `process-${randomUUID()}`;
    this.#lock = options.lock ?? {};
  }

  async load(key: string): Promise<GhlTokenSet | undefined> {
    return (await loadConnectionSecret(this.#db, this.#box, connectionId(key))) as
      GhlTokenSet | undefined;
  }

  async save(key: string, tokens: GhlTokenSet): Promise<void> {
    await saveConnection(
      this.#db,
      this.#box,
      {
        id: connectionId(key),
        provider: 'ghl',
        authKind: tokens.refreshToken === undefined ? 'oauth-location-token' : 'oauth',
        secret: tokens,
        expiresAt: tokens.expiresAt,
        scopes: tokens.scopes,
      },
      this.#clock.now(),
    );
  }

  withRefreshLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return withLock(this.#db, `ghl-refresh:${key}`, this.#owner, fn, {
      ...this.#lock,
      clock: this.#clock,
    });
  }
}

function connectionId(key: string): string {
  return `ghl:${key}`;
}
