/**
 * Leads (Tenant Turner "applications", tenant-turner-api.md §2.1): create, get, list by
 * `SinceDateUpdated`, and the modeled `lead-update`.
 */
import { HttpError } from '../../shared/errors.ts';
import type { LeadInput, LeadUpdate } from '../inputs.ts';
import type { TtPage } from '../pagination.ts';
import { leadSchema } from '../resources.ts';
import type { Lead } from '../resources.ts';
import { decode } from '../wire-codec.ts';
import { changePages } from './change-list.ts';
import type { ChangeListOptions } from './change-list.ts';
import type { CallOptions, Created, TtContext } from './context.ts';
import { createdId, send, seg } from './context.ts';

/** Lead operations. */
export class TtLeads {
  readonly #ctx: TtContext;

  constructor(ctx: TtContext) {
    this.#ctx = ctx;
  }

  /**
   * `POST /v1/applications` (201), then reads the lead back. Tenant Turner refuses a lead whose
   * email or phone it already has (409 with the existing `ApplicationId`): that resolves to the
   * existing lead with `alreadyExisted: true` instead of failing. Not idempotent otherwise: a
   * timeout or 5xx throws an error `isAmbiguous()` recognises, and calling `create` again is
   * then safe, because the duplicate refusal returns the lead the first call made.
   */
  async create(input: LeadInput, options: CallOptions = {}): Promise<Created<Lead>> {
    const created = await this.createId(input, options);
    return {
      record: await this.get(created.applicationId, options),
      alreadyExisted: created.alreadyExisted,
    };
  }

  /**
   * `create` without reading the lead back: one request instead of two when the caller knows
   * what it sent (a backfill). Duplicates resolve to the existing lead's id the same way.
   */
  async createId(
    input: LeadInput,
    options: CallOptions = {},
  ): Promise<{ applicationId: number; alreadyExisted: boolean }> {
    try {
      const { body } = await send(
        this.#ctx,
        { method: 'POST', path: '/v1/applications', body: input },
        options,
      );
      return {
        applicationId: createdId(body, 'ApplicationId', 'POST /v1/applications'),
        alreadyExisted: false,
      };
    } catch (error) {
      const existing = existingApplicationId(error);
      if (existing === undefined) throw error;
      this.#ctx.logger.info(
        { applicationId: existing },
        'Tenant Turner already has a lead with this contact info; using it',
      );
      return { applicationId: existing, alreadyExisted: true };
    }
  }

  /** `GET /v1/applications/{id}`. */
  async get(applicationId: number, options: CallOptions = {}): Promise<Lead> {
    const { body } = await send(
      this.#ctx,
      { method: 'GET', path: `/v1/applications/${seg(applicationId)}` },
      options,
    );
    return decode(leadSchema, body, 'Lead');
  }

  /** Leads changed since `options.since`, ordered by `dateUpdated` then id, page by page. */
  pages(options: ChangeListOptions = {}): AsyncGenerator<TtPage<Lead>, void, undefined> {
    return changePages(this.#ctx, '/v1/applications', leadSchema, 'Lead', options);
  }

  /** Leads changed since `options.since`, one by one (see `pages`). */
  async *list(options: ChangeListOptions = {}): AsyncGenerator<Lead, void, undefined> {
    for await (const page of this.pages(options)) yield* page.items;
  }

  /**
   * Modeled `PUT /v1/applications/{id}` (204). Throws the `unsupported` error on a real
   * account, which has no way to update a lead.
   */
  async update(applicationId: number, input: LeadUpdate, options: CallOptions = {}): Promise<void> {
    await this.#ctx.capabilities.require('lead-update', 'leads.update', options.signal);
    await send(
      this.#ctx,
      { method: 'PUT', path: `/v1/applications/${seg(applicationId)}`, body: input },
      options,
    );
  }
}

/** The existing lead's id when `error` is Tenant Turner's duplicate-contact refusal. */
function existingApplicationId(error: unknown): number | undefined {
  if (!(error instanceof HttpError) || error.code !== 'duplicate') return undefined;
  const id = error.details?.['existingApplicationId'];
  return typeof id === 'number' ? id : undefined;
}
