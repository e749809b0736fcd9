/**
 * Everything a running sandbox holds, wired once at start: identity, state (replaced on reset),
 * tokens, rate limiter, faults, stats, webhooks and the shared write paths.
 */
import type { KeyObject } from 'node:crypto';
import { ActivityMutations } from './activity-mutations.ts';
import { ContactMutations } from './contact-mutations.ts';
import { Faults } from './faults.ts';
import type { SandboxIdentity } from './identity.ts';
import type { MutationDeps } from './mutation-deps.ts';
import { RateLimiter } from './rate-limit.ts';
import type { RateLimitSettings } from './rate-limit.ts';
import { seedState } from './seed.ts';
import { SandboxState } from './state.ts';
import { SandboxStats } from './stats.ts';
import { TokenRegistry } from './tokens.ts';
import type { IssuedTokens, TokenKind } from './tokens.ts';
import { WebhookDispatcher } from './webhooks.ts';

/** Options of `mintToken` and `POST /__sandbox/tokens`. */
export interface MintOptions {
  scopes: string[];
  kind?: TokenKind;
  locationId?: string;
  expiresInSec?: number;
}

export interface ContextOptions {
  identity: SandboxIdentity;
  seed: number;
  contacts: number;
  searchDelayMs: number;
  rateLimit: RateLimitSettings;
  webhookRetryIntervalMs: number;
  webhookTimeoutMs: number;
  strictVersion: boolean;
  privateKey: KeyObject;
}

export class SandboxContext {
  readonly identity: SandboxIdentity;
  readonly tokens = new TokenRegistry();
  readonly limiter: RateLimiter;
  readonly faults: Faults;
  readonly stats = new SandboxStats();
  readonly webhooks: WebhookDispatcher;
  readonly contactWrites: ContactMutations;
  readonly activityWrites: ActivityMutations;
  /** Requests held open by the timeout knob; released on close. */
  readonly hangs = new Set<() => void>();
  strictVersion: boolean;
  state: SandboxState;
  #seed: number;
  #contacts: number;

  constructor(options: ContextOptions) {
    this.identity = options.identity;
    this.#seed = options.seed;
    this.#contacts = options.contacts;
    this.strictVersion = options.strictVersion;
    this.limiter = new RateLimiter(options.rateLimit);
    this.faults = new Faults(options.seed);
    this.state = this.#seeded(options.seed, options.contacts, options.searchDelayMs);
    this.webhooks = new WebhookDispatcher({
      privateKey: options.privateKey,
      appId: options.identity.app.appId,
      versionId: options.identity.app.versionId,
      retryIntervalMs: options.webhookRetryIntervalMs,
      timeoutMs: options.webhookTimeoutMs,
      seed: options.seed,
      faults: this.faults,
      stats: this.stats,
    });
    const deps: MutationDeps = {
      state: () => this.state,
      emit: (event) => this.webhooks.emit(event),
      now: () => this.now(),
    };
    this.contactWrites = new ContactMutations(deps);
    this.activityWrites = new ActivityMutations(deps);
  }

  now(): number {
    return Date.now();
  }

  get seed(): number {
    return this.#seed;
  }

  get seededContacts(): number {
    return this.#contacts;
  }

  /** Mints a token like `mintToken`: PITs static, OAuth/agency with a refresh token. */
  mint(options: MintOptions): IssuedTokens {
    const kind = options.kind ?? 'pit';
    const main = this.state.mainLocation;
    const locationId = kind === 'agency' ? undefined : (options.locationId ?? main.id);
    if (locationId !== undefined && this.state.location(locationId) === undefined) {
      throw new Error(`unknown locationId ${locationId}`);
    }
    const grant = {
      kind,
      scopes: [...options.scopes],
      companyId: this.identity.companyId,
      appId: kind === 'pit' ? `pit-${locationId ?? ''}` : this.identity.app.appId,
      userId: this.identity.users[0]?.id ?? main.id,
      ...(locationId === undefined ? {} : { locationId }),
    };
    const lifetime =
      options.expiresInSec === undefined ? {} : { expiresInSec: options.expiresInSec };
    return this.tokens.issue(grant, { withRefresh: kind !== 'pit', ...lifetime }, this.now());
  }

  /**
   * Re-seeds entity data (identity, tokens and webhook subscriptions stay); clears faults, rate
   * counters, stats and pending webhook retries.
   */
  reset(options: { seed?: number; contacts?: number } = {}): void {
    this.#seed = options.seed ?? this.#seed;
    this.#contacts = options.contacts ?? this.#contacts;
    this.state = this.#seeded(this.#seed, this.#contacts, this.state.search.delayMs);
    this.faults.reset();
    this.limiter.reset();
    this.stats.reset();
    this.webhooks.cancelPending();
  }

  #seeded(seed: number, contacts: number, searchDelayMs: number): SandboxState {
    const state = new SandboxState(this.identity, seed, searchDelayMs);
    seedState(state, contacts);
    return state;
  }
}
