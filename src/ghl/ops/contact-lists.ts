/**
 * Contact listing as async iterators (ghl-api.md §2.6, §2.7):
 * - the deprecated `GET /contacts/`: sends BOTH `startAfter` and `startAfterId` (one alone
 *   returns page 1 again) and keeps `locationId` on every page (else 403);
 * - `POST /contacts/search`: `pageLimit` up to 500, `page` up to GHL's 10,000-record cap, then
 *   `searchAfter` from the last item;
 * - `GET /contacts/business/{id}`: limit/skip.
 * Every iterator stops on a short or empty page and on a repeated cursor instead of looping.
 */
import { AppError } from '../../shared/errors.ts';
import type {
  GhlListContact,
  GhlListMeta,
  GhlSearchBody,
  GhlSearchContact,
  GhlSearchResponse,
} from '../types.ts';
import type { CallOptions, GhlContext } from './context.ts';
import { READ, call, seg } from './context.ts';

/** GHL's cap on records reachable with `page` paging. */
export const SEARCH_PAGE_CAP = 10_000;
/** GHL's largest `pageLimit`. */
export const SEARCH_MAX_PAGE_LIMIT = 500;

/** Options of the deprecated list. */
export interface ListContactsOptions extends CallOptions {
  /** Page size, 1..100 (default 100). */
  limit?: number;
  query?: string;
}

/** A page of the deprecated list. */
export interface ContactListPage {
  contacts: GhlListContact[];
  meta: GhlListMeta | undefined;
}

/** `GET /contacts/` page by page, newest first. Deprecated by GHL; prefer `searchContacts`. */
export async function* listContactPages(
  ctx: GhlContext,
  options: ListContactsOptions = {},
): AsyncGenerator<ContactListPage, void, undefined> {
  const limit = Math.min(100, Math.max(1, options.limit ?? 100));
  const seen = new Set<string>();
  let cursor: { startAfter: number; startAfterId: string } | undefined;
  for (;;) {
    const body = await call<{ contacts: GhlListContact[]; meta?: GhlListMeta }>(
      ctx,
      {
        method: 'GET',
        path: '/contacts/',
        scope: READ,
        query: {
          locationId: ctx.locationId,
          limit,
          query: options.query,
          startAfter: cursor?.startAfter,
          startAfterId: cursor?.startAfterId,
        },
      },
      options,
    );
    const contacts = body.contacts;
    if (contacts.length === 0) return;
    yield { contacts, meta: body.meta };
    if (contacts.length < limit) return;
    const next = nextListCursor(contacts, body.meta);
    const key = next && `${next.startAfter}:${next.startAfterId}`;
    if (!next || !key || seen.has(key)) return;
    seen.add(key);
    cursor = next;
  }
}

function nextListCursor(
  contacts: GhlListContact[],
  meta: GhlListMeta | undefined,
): { startAfter: number; startAfterId: string } | undefined {
  if (meta?.startAfterId && typeof meta.startAfter === 'number') {
    return { startAfter: meta.startAfter, startAfterId: meta.startAfterId };
  }
  const last = contacts.at(-1);
  const at = last?.dateAdded ? Date.parse(last.dateAdded) : Number.NaN;
  return last?.id && Number.isFinite(at) ? { startAfter: at, startAfterId: last.id } : undefined;
}

/** Every contact of the deprecated list. */
export async function* listContacts(
  ctx: GhlContext,
  options: ListContactsOptions = {},
): AsyncGenerator<GhlListContact, void, undefined> {
  for await (const page of listContactPages(ctx, options)) yield* page.contacts;
}

/** Options of contact search. */
export interface SearchContactsOptions extends CallOptions {
  /** Records per request, 1..500 (default 500). */
  pageLimit?: number;
  filters?: GhlSearchBody['filters'];
  sort?: GhlSearchBody['sort'];
  query?: string;
  /** Resume after this cursor (a `searchAfter` saved from an earlier page). */
  searchAfter?: GhlSearchContact['searchAfter'];
}

/** A page of search results with the cursor that resumes after it. */
export interface ContactSearchPage {
  contacts: GhlSearchContact[];
  total: number;
  /** Pass as `searchAfter` to continue after this page; undefined when the page was empty. */
  cursor: GhlSearchContact['searchAfter'] | undefined;
}

/** `POST /contacts/search` page by page. */
export async function* searchContactPages(
  ctx: GhlContext,
  options: SearchContactsOptions = {},
): AsyncGenerator<ContactSearchPage, void, undefined> {
  const pageLimit = options.pageLimit ?? SEARCH_MAX_PAGE_LIMIT;
  if (!Number.isInteger(pageLimit) || pageLimit < 1 || pageLimit > SEARCH_MAX_PAGE_LIMIT) {
    throw new AppError(
      'validation_failed',
      `pageLimit must be 1..${SEARCH_MAX_PAGE_LIMIT}, got ${pageLimit}`,
    );
  }
  if (options.query !== undefined && options.query.length > 75) {
    throw new AppError('validation_failed', 'GHL search query is limited to 75 characters');
  }
  const seen = new Set<string>();
  let searchAfter = options.searchAfter;
  // Page paging until GHL's 10,000-record cap, then the cursor; a resumed search starts on the cursor.
  let paging = searchAfter === undefined;
  let page = 1;
  for (;;) {
    if (paging && page * pageLimit > SEARCH_PAGE_CAP) paging = false;
    const usePage = paging;
    const body: GhlSearchBody = {
      locationId: ctx.locationId,
      pageLimit,
      ...(usePage ? { page } : {}),
      ...(!usePage && searchAfter ? { searchAfter } : {}),
      ...(options.filters ? { filters: options.filters } : {}),
      ...(options.sort ? { sort: options.sort } : {}),
      ...(options.query ? { query: options.query } : {}),
    };
    if (!usePage && searchAfter === undefined) {
      throw new AppError(
        'unexpected',
        'GHL search passed 10,000 records without a searchAfter cursor',
      );
    }
    const result = await call<GhlSearchResponse>(
      ctx,
      { method: 'POST', path: '/contacts/search', scope: READ, body, idempotent: true },
      options,
    );
    const contacts = result.contacts;
    const cursor = contacts.at(-1)?.searchAfter;
    if (contacts.length === 0) return;
    yield { contacts, total: result.total, cursor };
    if (contacts.length < pageLimit || !cursor) return;
    const key = JSON.stringify(cursor);
    if (seen.has(key)) return;
    seen.add(key);
    searchAfter = cursor;
    page++;
  }
}

/** Every contact matching the search. */
export async function* searchContacts(
  ctx: GhlContext,
  options: SearchContactsOptions = {},
): AsyncGenerator<GhlSearchContact, void, undefined> {
  for await (const page of searchContactPages(ctx, options)) yield* page.contacts;
}

/** `GET /contacts/business/{businessId}` every page (limit/skip). */
export async function* listContactsByBusiness(
  ctx: GhlContext,
  businessId: string,
  options: CallOptions & { limit?: number; query?: string } = {},
): AsyncGenerator<GhlListContact, void, undefined> {
  const limit = options.limit ?? 100;
  let previousFirst: string | undefined;
  for (let skip = 0; ; skip += limit) {
    const body = await call<{ contacts: GhlListContact[]; count?: number }>(
      ctx,
      {
        method: 'GET',
        path: `/contacts/business/${seg(businessId)}`,
        scope: READ,
        query: { locationId: ctx.locationId, limit, skip, query: options.query },
      },
      options,
    );
    const contacts = body.contacts;
    if (contacts.length === 0 || contacts[0]?.id === previousFirst) return;
    previousFirst = contacts[0]?.id;
    yield* contacts;
    if (contacts.length < limit) return;
  }
}
