/**
 * Tenant Turner's rentals as the sync needs them: the `/v1/properties/sync` address list, read
 * once and kept for a while, to turn a mapping's rental hint into a property id.
 */
import type { Clock } from '../shared/clock.ts';
import { matchAddress } from '../tenant-turner/address-match.ts';
import type { TenantTurnerClient } from '../tenant-turner/client.ts';
import type { RentalAddress } from '../tenant-turner/resources.ts';
import type { RentalHint } from './contact-mapping.ts';

/** The rental a hint resolved to, or why there is none. */
export interface RentalChoice {
  propertyId: number | undefined;
  /** How it was chosen, or why not (shown in the timeline and audit). */
  note: string;
}

export interface RentalDirectoryOptions {
  tt: TenantTurnerClient;
  clock: Clock;
  /** How long the address list is trusted; default 5 minutes. */
  ttlMs?: number;
}

/** Resolves rental hints against Tenant Turner's rentals, cached. */
export class RentalDirectory {
  readonly #tt: TenantTurnerClient;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  #cache: { at: number; rentals: Promise<RentalAddress[]> } | undefined;

  constructor(options: RentalDirectoryOptions) {
    this.#tt = options.tt;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
  }

  /** The property a hint names; a property id must exist, an address must match exactly one. */
  async resolve(hint: RentalHint, signal?: AbortSignal): Promise<RentalChoice> {
    if (hint === undefined) return { propertyId: undefined, note: 'no rental rule matched' };
    const rentals = await this.#rentals(signal);
    if ('propertyId' in hint) {
      if (rentals.some((r) => r.propertyId === hint.propertyId)) {
        return { propertyId: hint.propertyId, note: `rental ${hint.propertyId} by ${hint.rule}` };
      }
      return {
        propertyId: undefined,
        note: `${hint.rule} names rental ${hint.propertyId}, which Tenant Turner does not have`,
      };
    }
    const match = matchAddress(hint.address, rentals);
    if (match.matched) {
      return {
        propertyId: match.rental.propertyId,
        note: `rental ${match.rental.propertyId} by ${hint.rule} (${match.confidence} match)`,
      };
    }
    return { propertyId: undefined, note: `${hint.rule}: ${match.message}` };
  }

  /** Forgets the cached list (after rentals change). */
  invalidate(): void {
    this.#cache = undefined;
  }

  #rentals(signal?: AbortSignal): Promise<RentalAddress[]> {
    const now = this.#clock.now();
    if (!this.#cache || now - this.#cache.at > this.#ttlMs) {
      const rentals = this.#tt.rentals.addresses(signal ? { signal } : {});
      this.#cache = { at: now, rentals };
      rentals.catch(() => {
        if (this.#cache?.rentals === rentals) this.#cache = undefined;
      });
    }
    return this.#cache.rentals;
  }
}
