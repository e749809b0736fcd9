/**
 * The lead and showing lists (tenant-turner-api.md §1, §2.1): both require `SinceDateUpdated`
 * and page with the `NextPage` cursor. Callers ask for "changes since an instant"; this turns
 * that into the date the service accepts (see `since-date.ts`).
 */
import type { z } from 'zod';
import { paginate, pageSizeParam } from '../pagination.ts';
import type { TtPage } from '../pagination.ts';
import { sinceDateUpdated } from '../since-date.ts';
import type { CallOptions, TtContext } from './context.ts';

/** Options of the lead and showing lists. */
export interface ChangeListOptions extends CallOptions {
  /**
   * Changes since this instant. Sent as `SinceDateUpdated` = its UTC day, so records updated
   * earlier that day come too: keep those with `dateUpdated >= since`. Undefined, or more than
   * two years back, means the earliest date the service allows (see `since-date.ts`).
   */
  since?: Date;
  /** Rows per page on the first request, 1..100 (modeled; server default 10). */
  pageSize?: number;
  /** Resume from a `nextPage` saved from an earlier page (`since` and `pageSize` are then ignored). */
  cursor?: string;
}

/** The first-page query of a change list, with `since` clamped so the service never says 422. */
export function changeListQuery(
  ctx: TtContext,
  path: string,
  options: ChangeListOptions,
): Record<string, string | number | undefined> {
  const choice = sinceDateUpdated(options.since, ctx.clock.now());
  if (choice.clamped && options.since !== undefined) {
    ctx.logger.info(
      { path, since: options.since.toISOString(), sinceDateUpdated: choice.value },
      'since is older than Tenant Turner allows; listing from the earliest allowed date',
    );
  }
  return { SinceDateUpdated: choice.value, PageSize: pageSizeParam(options.pageSize) };
}

/** Pages of a change list at `path`, each row decoded with `item`. */
export function changePages<T>(
  ctx: TtContext,
  path: string,
  item: z.ZodType<T>,
  what: string,
  options: ChangeListOptions,
): AsyncGenerator<TtPage<T>, void, undefined> {
  return paginate(ctx.http, {
    path,
    query: options.cursor === undefined ? changeListQuery(ctx, path, options) : {},
    cursor: options.cursor,
    item,
    what,
    signal: options.signal,
    logger: ctx.logger,
  });
}
