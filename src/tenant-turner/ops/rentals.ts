/**
 * Rentals (Tenant Turner "properties", tenant-turner-api.md §1): list, get, create, update,
 * activate, deactivate, the `/v1/properties/sync` address list, and finding the rental a
 * free-text address names.
 */
import { matchAddress } from '../address-match.ts';
import type { AddressMatch } from '../address-match.ts';
import type { RentalInput } from '../inputs.ts';
import { paginateItems } from '../pagination.ts';
import { rentalAddressSchema, rentalSchema } from '../resources.ts';
import type { Rental, RentalAddress } from '../resources.ts';
import { decode } from '../wire-codec.ts';
import type { CallOptions, TtContext } from './context.ts';
import { createdId, send, seg } from './context.ts';

/** Rental operations. */
export class TtRentals {
  readonly #ctx: TtContext;

  constructor(ctx: TtContext) {
    this.#ctx = ctx;
  }

  /** `GET /v1/properties`: every rental (unpaginated upstream; an envelope is followed too). */
  list(options: CallOptions = {}): AsyncGenerator<Rental, void, undefined> {
    return paginateItems(this.#ctx.http, {
      path: '/v1/properties',
      item: rentalSchema,
      what: 'Rental',
      signal: options.signal,
      logger: this.#ctx.logger,
    });
  }

  /** `GET /v1/properties/{id}`. */
  async get(propertyId: number, options: CallOptions = {}): Promise<Rental> {
    const { body } = await send(
      this.#ctx,
      { method: 'GET', path: `/v1/properties/${seg(propertyId)}` },
      options,
    );
    return decode(rentalSchema, body, 'Rental');
  }

  /**
   * `POST /v1/properties` (201 `{ PropertyId }`), then reads the rental back. Not idempotent:
   * after a timeout or 5xx (`isAmbiguous()`), look for the address (`match`) before creating
   * again.
   */
  async create(input: RentalInput, options: CallOptions = {}): Promise<Rental> {
    const { body } = await send(
      this.#ctx,
      { method: 'POST', path: '/v1/properties', body: input },
      options,
    );
    return this.get(createdId(body, 'PropertyId', 'POST /v1/properties'), options);
  }

  /**
   * `PUT /v1/properties/{id}` (204). Send the whole rental: whether the service treats PUT as
   * a full replacement is not published.
   */
  async update(propertyId: number, input: RentalInput, options: CallOptions = {}): Promise<void> {
    await send(
      this.#ctx,
      { method: 'PUT', path: `/v1/properties/${seg(propertyId)}`, body: input },
      options,
    );
  }

  /** `PUT /v1/properties/{id}/activate`: publishes the rental. */
  async activate(propertyId: number, options: CallOptions = {}): Promise<void> {
    await send(
      this.#ctx,
      { method: 'PUT', path: `/v1/properties/${seg(propertyId)}/activate` },
      options,
    );
  }

  /** `PUT /v1/properties/{id}/deactivate`: takes the rental off the market. */
  async deactivate(propertyId: number, options: CallOptions = {}): Promise<void> {
    await send(
      this.#ctx,
      { method: 'PUT', path: `/v1/properties/${seg(propertyId)}/deactivate` },
      options,
    );
  }

  /** `GET /v1/properties/sync`: id, address and external ids of every rental. */
  async addresses(options: CallOptions = {}): Promise<RentalAddress[]> {
    const rows: RentalAddress[] = [];
    const iterator = paginateItems(this.#ctx.http, {
      path: '/v1/properties/sync',
      item: rentalAddressSchema,
      what: 'RentalAddress',
      signal: options.signal,
      logger: this.#ctx.logger,
    });
    for await (const row of iterator) rows.push(row);
    return rows;
  }

  /**
   * The rental a free-text address names ("12 N Main St Apt 4, Springfield IL 62704"), matched
   * against `addresses()` (see `address-match.ts`); `matched: false` with a reason when no
   * rental, or more than one equally good, fits.
   */
  async match(text: string, options: CallOptions = {}): Promise<AddressMatch<RentalAddress>> {
    return matchAddress(text, await this.addresses(options));
  }
}
