/**
 * A lead's activity timeline: a modeled extension (tenant-turner-api.md §2.2) merging the lead's
 * own events, showings, tasks, notes and entries posted by other systems, newest first. A real
 * account has none: ttsync then keeps the timeline on its own side and these methods throw the
 * `unsupported` error without calling anything.
 */
import type { ActivityInput } from '../inputs.ts';
import { paginate } from '../pagination.ts';
import type { TtPage } from '../pagination.ts';
import { activitySchema } from '../resources.ts';
import type { Activity } from '../resources.ts';
import type { CallOptions, TtContext } from './context.ts';
import { createdId, send, seg } from './context.ts';

/** Activity-timeline operations. */
export class TtActivities {
  readonly #ctx: TtContext;

  constructor(ctx: TtContext) {
    this.#ctx = ctx;
  }

  /** `GET /v1/applications/{id}/activities` page by page, newest first. */
  async *pages(
    applicationId: number,
    options: CallOptions & { pageSize?: number } = {},
  ): AsyncGenerator<TtPage<Activity>, void, undefined> {
    await this.#ctx.capabilities.require('activities', 'activities.list', options.signal);
    yield* paginate(this.#ctx.http, {
      path: `/v1/applications/${seg(applicationId)}/activities`,
      query: { PageSize: options.pageSize },
      item: activitySchema,
      what: 'Activity',
      signal: options.signal,
      logger: this.#ctx.logger,
    });
  }

  /** The lead's timeline, newest first, one entry at a time. */
  async *list(
    applicationId: number,
    options: CallOptions & { pageSize?: number } = {},
  ): AsyncGenerator<Activity, void, undefined> {
    for await (const page of this.pages(applicationId, options)) yield* page.items;
  }

  /**
   * `POST /v1/applications/{id}/activities`: posts an entry from another system (201, or 200
   * with the first entry's id when its `externalId` was seen before, so it is retried safely).
   */
  async create(
    applicationId: number,
    input: ActivityInput,
    options: CallOptions = {},
  ): Promise<{ activityId: number; alreadyExisted: boolean }> {
    await this.#ctx.capabilities.require('activities', 'activities.create', options.signal);
    const { status, body } = await send(
      this.#ctx,
      {
        method: 'POST',
        path: `/v1/applications/${seg(applicationId)}/activities`,
        body: input,
        idempotent: true,
      },
      options,
    );
    return {
      activityId: createdId(body, 'ActivityId', 'POST activities'),
      alreadyExisted: status === 200,
    };
  }
}
