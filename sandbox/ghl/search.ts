/**
 * `POST /contacts/search` over the delayed search index (ghl-api.md §2.7): required `locationId`
 * and `pageLimit` (≤ 500), `page` capped at 10,000 records, `searchAfter` cursors (not
 * combinable with `page`), filters, sort and a ≤ 75-character `query`.
 */
import { searchItemDto } from './contact-views.ts';
import { SEARCH_CONTACTS } from './dto-specs.ts';
import { parseDto } from './dto-validation.ts';
import { badRequest, unprocessable } from './http-errors.ts';
import type { ContactRecord } from './model.ts';
import { contactFullName } from './model.ts';
import { compileFilters, fieldAccessor } from './search-filters.ts';
import type { ContactPredicate } from './search-filters.ts';
import type { SearchIndex } from './search-index.ts';
import { lowerBound } from './sorted-contacts.ts';

const MAX_PAGE_LIMIT = 500;
const MAX_PAGED_RECORDS = 10_000;
const MAX_QUERY_LENGTH = 75;
const SORTABLE = new Set([
  'dateAdded',
  'dateUpdated',
  'firstNameLowerCase',
  'lastNameLowerCase',
  'fullNameLowerCase',
  'email',
  'businessName',
  'companyName',
  'dateOfBirth',
]);

interface SortSpec {
  field: string;
  direction: 'asc' | 'desc';
}

export interface SearchRequest {
  locationId: string;
  page: number | undefined;
  pageLimit: number;
  searchAfter: [number, string] | undefined;
  predicate: ContactPredicate | undefined;
  sort: SortSpec[];
}

export interface SearchResult {
  contacts: Record<string, unknown>[];
  total: number;
}

function parseSort(raw: unknown[]): SortSpec[] {
  return raw.map((item) => {
    const spec = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const field = spec['field'];
    if (typeof field !== 'string' || !SORTABLE.has(field))
      throw badRequest(`Invalid sort field ${String(field)}`);
    const direction = spec['direction'] ?? 'desc';
    if (direction !== 'asc' && direction !== 'desc')
      throw unprocessable(['sort direction must be one of asc, desc']);
    return { field, direction };
  });
}

function queryPredicate(query: string): ContactPredicate {
  const needle = query.trim().toLowerCase();
  const digits = needle.replace(/\D/g, '');
  return (c) =>
    contactFullName(c).toLowerCase().includes(needle) ||
    (c.email?.toLowerCase().includes(needle) ?? false) ||
    (c.companyName?.toLowerCase().includes(needle) ?? false) ||
    (digits.length >= 3 && (c.phone?.includes(digits) ?? false));
}

/** Validates the body; throws GHL's 400/422. */
export function parseSearchRequest(body: unknown, phoneEqMiss: boolean): SearchRequest {
  const input = parseDto(body, SEARCH_CONTACTS);
  const pageLimit = input['pageLimit'] as number;
  const messages: string[] = [];
  if (!Number.isInteger(pageLimit) || pageLimit < 1)
    messages.push('pageLimit must not be less than 1');
  if (pageLimit > MAX_PAGE_LIMIT)
    messages.push(`pageLimit must not be greater than ${MAX_PAGE_LIMIT}`);
  const page = input['page'] as number | undefined;
  if (page !== undefined && (!Number.isInteger(page) || page < 1))
    messages.push('page must not be less than 1');
  const query = input['query'] as string | undefined;
  if (query !== undefined && query.length > MAX_QUERY_LENGTH) {
    messages.push(`query must be shorter than or equal to ${MAX_QUERY_LENGTH} characters`);
  }
  const rawAfter = input['searchAfter'] as unknown[] | undefined;
  if (rawAfter !== undefined && (rawAfter.length !== 2 || typeof rawAfter[1] !== 'string')) {
    messages.push('searchAfter must be the [number, string] value of a previous result');
  }
  if (messages.length > 0) throw unprocessable(messages);
  if (page !== undefined && rawAfter !== undefined)
    throw badRequest('page and searchAfter cannot be used together');
  if (page !== undefined && page * pageLimit > MAX_PAGED_RECORDS) {
    throw badRequest(
      `page * pageLimit must not exceed ${MAX_PAGED_RECORDS}; use searchAfter to go further`,
    );
  }
  const filters = (input['filters'] as unknown[] | undefined) ?? [];
  const predicates: ContactPredicate[] = [];
  if (filters.length > 0) predicates.push(compileFilters(filters, phoneEqMiss));
  if (query !== undefined && query.trim() !== '') predicates.push(queryPredicate(query));
  return {
    locationId: input['locationId'] as string,
    page,
    pageLimit,
    searchAfter: rawAfter === undefined ? undefined : [Number(rawAfter[0]), rawAfter[1] as string],
    predicate: predicates.length === 0 ? undefined : (c) => predicates.every((p) => p(c)),
    sort: parseSort((input['sort'] as unknown[] | undefined) ?? []),
  };
}

function sortText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

function compareValues(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return sortText(a).localeCompare(sortText(b));
}

function comparator(sort: readonly SortSpec[]): (a: ContactRecord, b: ContactRecord) => number {
  const keys = sort.map((spec) => ({
    get: fieldAccessor(spec.field) ?? (() => undefined),
    sign: spec.direction === 'asc' ? 1 : -1,
  }));
  return (a, b) => {
    for (const key of keys) {
      const va = key.get(a);
      const vb = key.get(b);
      // Missing values sort last in either direction, as in Elasticsearch.
      if (va === undefined || vb === undefined) {
        const missing = compareValues(va, vb);
        if (missing !== 0) return missing;
        continue;
      }
      const order = compareValues(va, vb) * key.sign;
      if (order !== 0) return order;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

/** The first number of an item's `searchAfter`: the primary sort value when numeric, else dateAdded. */
function cursorNumber(contact: ContactRecord, sort: readonly SortSpec[]): number {
  const first = sort[0];
  const value = first === undefined ? undefined : fieldAccessor(first.field)?.(contact);
  return typeof value === 'number' ? value : contact.dateAddedMs;
}

function isDefaultOrder(sort: readonly SortSpec[]): boolean {
  return (
    sort.length === 0 ||
    (sort.length === 1 && sort[0]?.field === 'dateAdded' && sort[0].direction === 'desc')
  );
}

/** Runs a validated search (newest first by default) against the index as it is now. */
export function runSearch(index: SearchIndex, request: SearchRequest, now: number): SearchResult {
  index.refresh(now);
  const all = index.list(request.locationId);
  const { predicate, pageLimit, sort } = request;
  const skip = request.page === undefined ? 0 : (request.page - 1) * pageLimit;
  const cursor =
    request.searchAfter === undefined
      ? undefined
      : (index.get(request.searchAfter[1]) ??
        ({ dateAddedMs: request.searchAfter[0], id: request.searchAfter[1] } as ContactRecord));
  let page: ContactRecord[] = [];
  let total: number;
  if (isDefaultOrder(sort)) {
    // Fast path: the index is already ordered; walk it backwards from the cursor.
    let position = cursor === undefined ? all.length - 1 : lowerBound(all, cursor) - 1;
    let skipped = 0;
    for (; position >= 0 && page.length < pageLimit; position--) {
      const contact = all[position] as ContactRecord;
      if (predicate !== undefined && !predicate(contact)) continue;
      if (skipped < skip) skipped++;
      else page.push(contact);
    }
    total =
      predicate === undefined ? all.length : all.reduce((n, c) => (predicate(c) ? n + 1 : n), 0);
  } else {
    const compare = comparator(sort);
    const matched = predicate === undefined ? [...all] : all.filter(predicate);
    matched.sort(compare);
    let start = skip;
    if (cursor !== undefined) {
      start = matched.findIndex((c) => compare(c, cursor) > 0);
      if (start < 0) start = matched.length;
    }
    page = matched.slice(start, start + pageLimit);
    total = matched.length;
  }
  return { contacts: page.map((c) => searchItemDto(c, [cursorNumber(c, sort), c.id])), total };
}
