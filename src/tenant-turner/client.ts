/**
 * The Tenant Turner client's public face: one instance per account (one API key), with the
 * operations grouped by resource: `client.rentals`, `client.leads`, `client.showings`, and the
 * modeled `client.tasks`, `client.notes`, `client.activities` that a real account answers with
 * the `unsupported` error (see `capabilities.ts`).
 */
import { systemClock } from '../shared/clock.ts';
import { silentLogger } from '../shared/logger.ts';
import { CapabilityProbe } from './capabilities.ts';
import type { CapabilitySetting, TtExtension } from './capabilities.ts';
import { TtHttp } from './http.ts';
import type { TtHttpOptions } from './http.ts';
import { TtActivities } from './ops/activities.ts';
import type { TtContext } from './ops/context.ts';
import { TtNotes, TtTasks } from './ops/lead-children.ts';
import { TtLeads } from './ops/leads.ts';
import { TtRentals } from './ops/rentals.ts';
import { TtShowings } from './ops/showings.ts';
import { TtThrottle } from './throttle.ts';

/**
 * Options of `TenantTurnerClient`: the transport's (`apiKey`, `baseUrl`, `clock`, `logger`,
 * `timeoutMs`, `maxRetries`, `retryBaseMs`, `retryMaxMs`, `random`, `fetch`) plus the budget and
 * the capability setting.
 */
export interface TenantTurnerClientOptions extends Omit<TtHttpOptions, 'throttle'> {
  /** The account's self-imposed budget, default 5 requests per second (0 or Infinity: none). */
  requestsPerSecond?: number;
  /** How to learn the modeled extensions: `'probe'` (default), `'real'`, `'extended'` or a list. */
  capabilities?: CapabilitySetting;
}

/** The Tenant Turner API client for one account. */
export class TenantTurnerClient {
  readonly http: TtHttp;
  readonly throttle: TtThrottle;
  /** `GET/POST/PUT /v1/properties…`: list, get, create, update, activate, deactivate, addresses, match. */
  readonly rentals: TtRentals;
  /** `/v1/applications`: create (duplicate-safe), get, list, pages, update (modeled). */
  readonly leads: TtLeads;
  /** `/v1/showings`: create, get, list, pages, update (modeled). */
  readonly showings: TtShowings;
  /** Modeled tasks on a lead: list, create, get, update, delete. */
  readonly tasks: TtTasks;
  /** Modeled notes on a lead: list, create, get, update, delete. */
  readonly notes: TtNotes;
  /** Modeled activity timeline of a lead: list, pages, create. */
  readonly activities: TtActivities;
  readonly #capabilities: CapabilityProbe;

  constructor(options: TenantTurnerClientOptions) {
    const clock = options.clock ?? systemClock;
    const logger = (options.logger ?? silentLogger).child({ provider: 'tenant-turner' });
    this.throttle = new TtThrottle({
      clock,
      ...(options.requestsPerSecond === undefined
        ? {}
        : { requestsPerSecond: options.requestsPerSecond }),
    });
    const { requestsPerSecond: _rate, capabilities: _setting, ...transport } = options;
    this.http = new TtHttp({ ...transport, throttle: this.throttle, clock, logger });
    this.#capabilities = new CapabilityProbe({
      http: this.http,
      logger,
      ...(options.capabilities === undefined ? {} : { setting: options.capabilities }),
    });
    const ctx: TtContext = { http: this.http, capabilities: this.#capabilities, clock, logger };
    this.rentals = new TtRentals(ctx);
    this.leads = new TtLeads(ctx);
    this.showings = new TtShowings(ctx);
    this.tasks = new TtTasks(ctx);
    this.notes = new TtNotes(ctx);
    this.activities = new TtActivities(ctx);
  }

  /**
   * The modeled extensions this account offers (empty on a real account). Probed once with
   * `GET /v1/capabilities` unless the `capabilities` option forced the answer.
   */
  capabilities(signal?: AbortSignal): Promise<ReadonlySet<TtExtension>> {
    return this.#capabilities.get(signal);
  }

  /** Whether the account offers `extension`, so the sync can choose its path up front. */
  supports(extension: TtExtension, signal?: AbortSignal): Promise<boolean> {
    return this.#capabilities.has(extension, signal);
  }

  /** Rejects requests waiting for the throttle; nothing new is sent after this. */
  stop(): void {
    this.throttle.stop();
  }
}
