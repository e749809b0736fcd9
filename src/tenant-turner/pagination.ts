/**
 * Tenant Turner lists (tenant-turner-api.md §1 "Lists"): an envelope
 * `{ TotalCount, NextPage, Data }` where `NextPage` is an opaque cursor that encodes the page
 * size and the filter, so every request after the first sends **only** `?NextPage=<cursor>`.
 * The first request may carry `PageSize` (modeled, at most 100) and filters. A body that is a
 * bare array (the unpaginated `GET /v1/properties`) is one page. Iteration stops when
 * `NextPage` is empty and also on a cursor already seen, so a misbehaving server cannot make it
 * loop.
 */
import type { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import type { TtHttp } from './http.ts';
import { decode, wireField } from './wire-codec.ts';

/** The largest `PageSize` the contract allows. */
export const MAX_PAGE_SIZE = 100;

/** One page of a list. */
export interface TtPage<T> {
  items: T[];
  /** `TotalCount` as the server reported it on this page. */
  totalCount: number | undefined;
  /** The cursor of the next page, undefined on the last. Save it to resume a list later. */
  nextPage: string | undefined;
}

/** What `paginate` needs. */
export interface PaginateRequest<T> {
  path: string;
  /** Query of the first request (filters, `PageSize`); ignored when `cursor` is given. */
  query?: Record<string, string | number | undefined>;
  /** Resume from a `nextPage` saved earlier instead of starting over. */
  cursor?: string | undefined;
  item: z.ZodType<T>;
  /** Resource name for decoding errors ("Lead"). */
  what: string;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
}

/** Clamps a requested page size to 1..MAX_PAGE_SIZE; undefined stays undefined (server default). */
export function pageSizeParam(pageSize: number | undefined): number | undefined {
  if (pageSize === undefined) return undefined;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(pageSize)));
}

/** Every page of a list, in server order. */
export async function* paginate<T>(
  http: TtHttp,
  request: PaginateRequest<T>,
): AsyncGenerator<TtPage<T>, void, undefined> {
  const logger = request.logger ?? silentLogger;
  const seen = new Set<string>();
  let query = request.cursor === undefined ? request.query : { NextPage: request.cursor };
  if (request.cursor !== undefined) seen.add(request.cursor);
  for (;;) {
    const { body } = await http.request({
      method: 'GET',
      path: request.path,
      ...(query ? { query } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const page = readPage(body, request);
    yield page;
    const next = page.nextPage;
    if (next === undefined) return;
    if (seen.has(next)) {
      logger.warn(
        { path: request.path, pages: seen.size },
        'Tenant Turner repeated a page cursor; stopping the list there',
      );
      return;
    }
    seen.add(next);
    query = { NextPage: next };
  }
}

/** Every item of a list, page after page. */
export async function* paginateItems<T>(
  http: TtHttp,
  request: PaginateRequest<T>,
): AsyncGenerator<T, void, undefined> {
  for await (const page of paginate(http, request)) yield* page.items;
}

function readPage<T>(body: unknown, request: PaginateRequest<T>): TtPage<T> {
  const decodeAll = (rows: unknown[]): T[] =>
    rows.map((row) => decode(request.item, row, request.what));
  if (Array.isArray(body)) {
    return { items: decodeAll(body), totalCount: body.length, nextPage: undefined };
  }
  const data = wireField(body, 'Data');
  if (!Array.isArray(data)) {
    throw new AppError(
      'unexpected',
      `Tenant Turner answered ${request.path} without a Data list: the API may have changed; ` +
        'keep the response and compare it with tenant-turner-api.md.',
      { details: { path: request.path } },
    );
  }
  const total = Number(wireField(body, 'TotalCount'));
  const cursor = wireField(body, 'NextPage');
  return {
    items: decodeAll(data),
    totalCount: Number.isFinite(total) ? total : undefined,
    nextPage: typeof cursor === 'string' && cursor !== '' ? cursor : undefined,
  };
}
