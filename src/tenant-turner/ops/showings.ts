/**
 * Showings (viewings, tenant-turner-api.md §2.1): book, get, list by `SinceDateUpdated`, and the
 * modeled `showing-update` (reschedule, cancel).
 */
import type { ShowingInput, ShowingUpdate } from '../inputs.ts';
import type { TtPage } from '../pagination.ts';
import { showingSchema } from '../resources.ts';
import type { Showing } from '../resources.ts';
import { decode } from '../wire-codec.ts';
import { changePages } from './change-list.ts';
import type { ChangeListOptions } from './change-list.ts';
import type { CallOptions, Created, TtContext } from './context.ts';
import { createdId, send, seg } from './context.ts';

/** Showing operations. */
export class TtShowings {
  readonly #ctx: TtContext;

  constructor(ctx: TtContext) {
    this.#ctx = ctx;
  }

  /**
   * `POST /v1/showings` (201): books a viewing with the requested times, then reads it back.
   * Not idempotent: a timeout or 5xx throws an error `isAmbiguous()` recognises; look at the
   * lead's showings before booking again. A service that knows the `ExternalId` answers 200
   * with the existing showing (`alreadyExisted: true`).
   */
  async create(input: ShowingInput, options: CallOptions = {}): Promise<Created<Showing>> {
    const { status, body } = await send(
      this.#ctx,
      { method: 'POST', path: '/v1/showings', body: input },
      options,
    );
    const id = createdId(body, 'ShowingId', 'POST /v1/showings');
    return { record: await this.get(id, options), alreadyExisted: status === 200 };
  }

  /** `GET /v1/showings/{id}`. */
  async get(showingId: number, options: CallOptions = {}): Promise<Showing> {
    const { body } = await send(
      this.#ctx,
      { method: 'GET', path: `/v1/showings/${seg(showingId)}` },
      options,
    );
    return decode(showingSchema, body, 'Showing');
  }

  /** Showings changed since `options.since`, ordered by `dateUpdated` then id, page by page. */
  pages(options: ChangeListOptions = {}): AsyncGenerator<TtPage<Showing>, void, undefined> {
    return changePages(this.#ctx, '/v1/showings', showingSchema, 'Showing', options);
  }

  /** Showings changed since `options.since`, one by one (see `pages`). */
  async *list(options: ChangeListOptions = {}): AsyncGenerator<Showing, void, undefined> {
    for await (const page of this.pages(options)) yield* page.items;
  }

  /**
   * Modeled `PUT /v1/showings/{id}` (204): reschedule (`scheduledTime`), cancel
   * (`status: 'Cancelled'`) or annotate. Throws the `unsupported` error on a real account,
   * where showings cannot be changed through the API.
   */
  async update(showingId: number, input: ShowingUpdate, options: CallOptions = {}): Promise<void> {
    await this.#ctx.capabilities.require('showing-update', 'showings.update', options.signal);
    await send(
      this.#ctx,
      { method: 'PUT', path: `/v1/showings/${seg(showingId)}`, body: input },
      options,
    );
  }
}
