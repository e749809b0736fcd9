/**
 * Everything a running Tenant Turner sandbox holds, wired once at start: surface, keys, clock,
 * state (replaced on reset), faults, stats, webhooks, the lead and showing write paths, and the
 * timer that archives idle leads.
 */
import { createHash } from 'node:crypto';
import { Announcer } from './announcer.ts';
import { TtFaults } from './faults.ts';
import { LeadLifecycle } from './lead-lifecycle.ts';
import type { LifecycleDeps } from './lifecycle-deps.ts';
import { seedState } from './seed.ts';
import type { SeedCounts } from './seed.ts';
import { ShowingLifecycle } from './showing-lifecycle.ts';
import { TtState } from './state.ts';
import { TtStats } from './stats.ts';
import { TtWebhooks } from './webhooks.ts';

/** The real surface only, or the real surface plus the modeled extensions of §2.2. */
export type TtSurface = 'real' | 'extended';

export interface TtContextOptions {
  surface: TtSurface;
  seed: number;
  counts: SeedCounts;
  archiveAfterMs: number;
  webhookRetryIntervalMs: number;
  webhookTimeoutMs: number;
  /** Default: derived from the seed. */
  apiKey?: string | undefined;
}

/** Longest gap between archive sweeps, whatever the idle period. */
const MAX_SWEEP_INTERVAL_MS = 60_000;

/** A key in Tenant Turner's format, `tt_live_<8>_<4>_<4>_<4>_<12>` hex, derived from `material`. */
export function deriveApiKey(material: string): string {
  const hex = createHash('sha256').update(`tt-sandbox-api-key:${material}`).digest('hex');
  return `tt_live_${hex.slice(0, 8)}_${hex.slice(8, 12)}_${hex.slice(12, 16)}_${hex.slice(16, 20)}_${hex.slice(20, 32)}`;
}

export class TtContext {
  readonly surface: TtSurface;
  readonly faults: TtFaults;
  readonly stats = new TtStats();
  readonly webhooks: TtWebhooks;
  readonly announce: Announcer;
  readonly leads: LeadLifecycle;
  readonly showings: ShowingLifecycle;
  /** Requests held open by the timeout knobs; released on close. */
  readonly hangs = new Set<() => void>();
  readonly webhookSigningKey: string;
  apiKey: string;
  archiveAfterMs: number;
  state: TtState;
  #seed: number;
  #counts: SeedCounts;
  #clockOffsetMs = 0;
  /** No lead can fall due before this (sandbox time, epoch ms); 0: look at the next sweep. */
  #sweepDueMs = 0;
  #keyRefreshes = 0;
  #sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: TtContextOptions) {
    this.surface = options.surface;
    this.#seed = options.seed;
    this.#counts = options.counts;
    this.archiveAfterMs = options.archiveAfterMs;
    this.apiKey = options.apiKey ?? deriveApiKey(String(options.seed));
    this.webhookSigningKey = createHash('sha256')
      .update(`tt-sandbox-webhook-key:${options.seed}`)
      .digest('hex');
    this.faults = new TtFaults(options.seed);
    this.webhooks = new TtWebhooks({
      faults: this.faults,
      stats: this.stats,
      signingKey: () => this.webhookSigningKey,
      retryIntervalMs: options.webhookRetryIntervalMs,
      timeoutMs: options.webhookTimeoutMs,
    });
    this.state = this.#seeded();
    this.announce = new Announcer({
      state: () => this.state,
      webhooks: this.webhooks,
      now: () => this.stamp(),
    });
    const deps: LifecycleDeps = {
      state: () => this.state,
      announce: this.announce,
      now: () => this.now(),
      stamp: () => this.stamp(),
    };
    this.leads = new LeadLifecycle(deps);
    this.showings = new ShowingLifecycle(deps, this.leads);
    this.#scheduleSweeps();
  }

  /** Sandbox time: the wall clock plus what the operator advanced it by. */
  now(): number {
    return Date.now() + this.#clockOffsetMs;
  }

  /** `now()` truncated to whole seconds: what DateCreated and DateUpdated store. */
  stamp(): number {
    return Math.floor(this.now() / 1000) * 1000;
  }

  get seed(): number {
    return this.#seed;
  }

  /** Moves the sandbox clock forward (idle leads archive at once), returning the new time. */
  advanceClock(ms: number): number {
    this.#clockOffsetMs += ms;
    this.#sweepDueMs = 0;
    this.sweep();
    return this.now();
  }

  /**
   * Archives leads idle for `archiveAfterMs`. Runs on every API request, so it looks at the
   * leads only once the earliest idle deadline has come (a lead created or answered later can
   * only fall due later); a clock or setting change makes the next call look again.
   */
  sweep(): void {
    if (this.now() < this.#sweepDueMs) return;
    const { archived, nextDueMs } = this.leads.sweep(this.archiveAfterMs);
    this.stats.autoArchived += archived;
    this.#sweepDueMs = nextDueMs;
  }

  /** "Refresh API Key": a new key; the old one is refused from now on. */
  refreshApiKey(): string {
    this.#keyRefreshes++;
    this.apiKey = deriveApiKey(`${this.#seed}:refresh:${this.#keyRefreshes}`);
    return this.apiKey;
  }

  /** Changes the idle period and restarts the sweep timer for it. */
  setArchiveAfter(ms: number): void {
    this.archiveAfterMs = ms;
    this.#scheduleSweeps();
    this.#sweepDueMs = 0;
    this.sweep();
  }

  /**
   * Re-seeds the data (keys, surface and webhook subscriptions stay); clears faults, stats,
   * pending webhook retries and the clock offset.
   */
  reset(
    options: {
      seed?: number | undefined;
      counts?: { [K in keyof SeedCounts]?: number | undefined };
    } = {},
  ): void {
    this.#seed = options.seed ?? this.#seed;
    this.#counts = { ...this.#counts, ...stripUndefined<SeedCounts>(options.counts ?? {}) };
    this.#clockOffsetMs = 0;
    this.#sweepDueMs = 0;
    this.state = this.#seeded();
    this.faults.reset();
    this.stats.reset();
    this.webhooks.cancelPending();
  }

  /** Stops the sweep timer, releases held requests and webhook retries. */
  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    for (const release of this.hangs) release();
    await this.webhooks.close();
  }

  #seeded(): TtState {
    const state = new TtState();
    seedState(state, this.#seed, this.#counts, this.now());
    return state;
  }

  #scheduleSweeps(): void {
    clearInterval(this.#sweepTimer);
    const every = Math.max(
      10,
      Math.min(MAX_SWEEP_INTERVAL_MS, Math.floor(this.archiveAfterMs / 4)),
    );
    this.#sweepTimer = setInterval(() => this.sweep(), every);
    this.#sweepTimer.unref();
  }
}

function stripUndefined<T extends object>(value: {
  [K in keyof T]?: T[K] | undefined;
}): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
