/**
 * Tenant Turner lists: `{ TotalCount, NextPage, Data }`, 10 rows a page (or the modeled
 * `PageSize`, at most 100, on the extended surface's first request), and an opaque `NextPage`
 * cursor that carries the page size, the filter and the position, so a later request sends only
 * `?NextPage=<cursor>`. Positions are keyset (sort key, id), so rows written while a client pages
 * are neither skipped nor repeated, except that a row updated meanwhile moves to the end.
 */
import { generalError, sinceDateUpdatedRequired, unprocessable } from './http-errors.ts';
import { pickCaseInsensitive } from './input.ts';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A list request, from its first-page parameters or from a cursor. */
export interface ListQuery {
  /** Which list the cursor belongs to, e.g. `applications` or `tasks:200001`. */
  scope: string;
  size: number;
  /** SinceDateUpdated as given (lists that take it). */
  since: string | null;
  /** Start of that day, UTC. */
  sinceMs: number | null;
  /** The last row of the previous page: [sort key, id]. */
  after: [number, number] | null;
}

export interface ListOptions {
  scope: string;
  /** SinceDateUpdated required (applications and showings). */
  requireSince: boolean;
  /** Whether the modeled `PageSize` is honoured (extended surface); otherwise it is ignored. */
  pageSizeParam: boolean;
  now: number;
}

export interface Envelope {
  TotalCount: number;
  NextPage: string | null;
  Data: unknown[];
}

interface CursorBody {
  s: string;
  p: number;
  d: string | null;
  a: [number, number];
}

function encodeCursor(cursor: CursorBody): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, scope: string): CursorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw generalError();
  }
  const c = parsed as Partial<CursorBody> | null;
  const valid =
    typeof c === 'object' &&
    c !== null &&
    typeof c.s === 'string' &&
    typeof c.p === 'number' &&
    (c.d === null || typeof c.d === 'string') &&
    Array.isArray(c.a) &&
    c.a.length === 2 &&
    c.a.every((n) => typeof n === 'number');
  if (!valid) throw generalError();
  if (c.s !== scope) throw unprocessable('NextPage is a cursor of another list.');
  return c as CursorBody;
}

/** Start of a `YYYY-MM-DD` day in UTC ms, or null when it is not a real date. */
function parseDay(text: string): number | null {
  const match = DATE.exec(text);
  if (match === null) return null;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d
    ? ms
    : null;
}

/** SinceDateUpdated must be a date less than 2 years before today (UTC). */
function checkSince(value: unknown, now: number): { since: string; sinceMs: number } {
  if (typeof value !== 'string') throw sinceDateUpdatedRequired();
  const sinceMs = parseDay(value);
  const today = new Date(Math.floor(now / DAY_MS) * DAY_MS);
  const limit = Date.UTC(today.getUTCFullYear() - 2, today.getUTCMonth(), today.getUTCDate());
  if (sinceMs === null || sinceMs <= limit) throw sinceDateUpdatedRequired();
  return { since: value, sinceMs };
}

/** Reads a list request's query string; throws the API's 400/422 for a bad one. */
export function parseListQuery(query: unknown, options: ListOptions): ListQuery {
  const next = pickCaseInsensitive(query, 'NextPage');
  if (typeof next === 'string' && next !== '') {
    const others = Object.keys(query as object).filter((k) => k.toLowerCase() !== 'nextpage');
    if (others.length > 0)
      throw unprocessable(
        `Send NextPage alone: the cursor already carries SinceDateUpdated and PageSize (also got ${others.join(', ')}).`,
      );
    const cursor = decodeCursor(next, options.scope);
    const sinceMs = cursor.d === null ? null : parseDay(cursor.d);
    return { scope: cursor.s, size: cursor.p, since: cursor.d, sinceMs, after: cursor.a };
  }
  let size = DEFAULT_PAGE_SIZE;
  const pageSize = pickCaseInsensitive(query, 'PageSize');
  if (options.pageSizeParam && pageSize !== undefined) {
    size = Number(pageSize);
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
      throw unprocessable(`PageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  const base = { scope: options.scope, size, after: null };
  if (!options.requireSince) return { ...base, since: null, sinceMs: null };
  return { ...base, ...checkSince(pickCaseInsensitive(query, 'SinceDateUpdated'), options.now) };
}

/**
 * One page of `rows`, which are already filtered and sorted by `key` (ascending, or descending
 * when `descending`). `TotalCount` counts every row of the list, not only those left.
 */
export function page<T>(
  rows: readonly T[],
  query: ListQuery,
  key: (row: T) => [number, number],
  dto: (row: T) => unknown,
  descending = false,
): Envelope {
  const after = query.after;
  const start =
    after === null ? 0 : rows.findIndex((row) => compareKeys(key(row), after, descending) > 0);
  const remaining = start === -1 ? [] : rows.slice(start);
  const chunk = remaining.slice(0, query.size);
  const last = chunk.at(-1);
  const more = remaining.length > chunk.length && last !== undefined;
  return {
    TotalCount: rows.length,
    NextPage: more
      ? encodeCursor({ s: query.scope, p: query.size, d: query.since, a: key(last) })
      : null,
    Data: chunk.map(dto),
  };
}

/** Sorts rows by [key, id], ascending or descending, returning a new array. */
export function sortByKey<T>(
  rows: Iterable<T>,
  key: (row: T) => [number, number],
  descending = false,
): T[] {
  return [...rows].sort((a, b) => compareKeys(key(a), key(b), descending));
}

function compareKeys(a: [number, number], b: [number, number], descending: boolean): number {
  return (descending ? -1 : 1) * (a[0] - b[0] || a[1] - b[1]);
}
