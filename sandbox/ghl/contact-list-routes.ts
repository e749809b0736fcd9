/**
 * Listing endpoints (Version 2021-07-28, contacts.readonly): the deprecated `GET /contacts/`
 * with its cursor quirk, contacts of a business, duplicate lookup and `POST /contacts/search`.
 */
import type { FastifyInstance } from 'fastify';
import { normalizePhone } from './contact-input.ts';
import { contactDto, listItemDto } from './contact-views.ts';
import type { SandboxContext } from './context.ts';
import { unprocessable } from './http-errors.ts';
import type { ContactRecord } from './model.ts';
import { contactFullName } from './model.ts';
import { apiRoute, assertLocation, queryText } from './route-kit.ts';
import { parseSearchRequest, runSearch } from './search.ts';
import { lowerBound } from './sorted-contacts.ts';

const VERSION = '2021-07-28';
const READ = { scope: 'contacts.readonly' };

function parseLimit(raw: unknown, fallback: number, max: number): number {
  const text = queryText(raw);
  if (text === undefined || text === '') return fallback;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1) throw unprocessable(['limit must not be less than 1']);
  if (limit > max) throw unprocessable([`limit must not be greater than ${max}`]);
  return limit;
}

/** The deprecated list's `query`: name, email, phone, company or tag. */
function matchesQuery(contact: ContactRecord, query: string): boolean {
  const needle = query.trim().toLowerCase();
  return (
    contactFullName(contact).toLowerCase().includes(needle) ||
    (contact.email?.toLowerCase().includes(needle) ?? false) ||
    (contact.phone?.includes(needle) ?? false) ||
    (contact.companyName?.toLowerCase().includes(needle) ?? false) ||
    contact.tags.includes(needle)
  );
}

export function registerContactListRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // Deprecated list: newest → oldest; the cursor applies only when BOTH startAfter and
  // startAfterId are given (startAfter alone returns page 1 again, ghl-api.md §2.6).
  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/contacts/', version: VERSION, auth: READ },
    ({ principal, query, request }) => {
      const locationId = assertLocation(principal, queryText(query['locationId']));
      const limit = parseLimit(query['limit'], 20, 100);
      const text = queryText(query['query']);
      const all = ctx.state.contacts.list(locationId);
      const list =
        text === undefined || text.trim() === '' ? all : all.filter((c) => matchesQuery(c, text));
      const startAfter = queryText(query['startAfter']);
      const startAfterId = queryText(query['startAfterId']);
      let position = list.length - 1;
      if (
        startAfter !== undefined &&
        startAfterId !== undefined &&
        startAfter !== '' &&
        startAfterId !== ''
      ) {
        position = lowerBound(list, { dateAddedMs: Number(startAfter), id: startAfterId }) - 1;
      }
      const page: ContactRecord[] = [];
      for (let i = position; i >= 0 && page.length < limit; i--)
        page.push(list[i] as ContactRecord);
      const currentPage = Math.floor((list.length - 1 - position) / limit) + 1;
      const last = page.at(-1);
      const hasMore = last !== undefined && position - page.length >= 0;
      const base = `${request.protocol}://${request.host}/contacts/`;
      const nextPageUrl =
        hasMore && last !== undefined
          ? `${base}?locationId=${locationId}&startAfter=${last.dateAddedMs}&startAfterId=${last.id}`
          : undefined;
      return {
        status: 200,
        body: {
          contacts: page.map(listItemDto),
          count: list.length,
          // ContactsMetaSchema types these as non-nullable (only prevPage is nullable), so the
          // last page omits nextPageUrl/nextPage and an empty page the cursor fields.
          meta: {
            total: list.length,
            nextPageUrl,
            startAfterId: last?.id,
            startAfter: last?.dateAddedMs,
            currentPage,
            nextPage: hasMore ? currentPage + 1 : undefined,
            prevPage: currentPage > 1 ? currentPage - 1 : null,
          },
        },
      };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/contacts/business/:businessId', version: VERSION, auth: READ },
    ({ principal, params, query }) => {
      const locationId = assertLocation(principal, queryText(query['locationId']));
      const limit = parseLimit(query['limit'], 25, 100);
      const skip = Math.max(0, Number(queryText(query['skip']) ?? 0) || 0);
      const text = queryText(query['query']);
      const matched = ctx.state.contacts
        .list(locationId)
        .filter(
          (c) =>
            c.businessId === params['businessId'] && (text === undefined || matchesQuery(c, text)),
        )
        .reverse();
      return {
        status: 200,
        body: {
          contacts: matched.slice(skip, skip + limit).map(listItemDto),
          count: matched.length,
        },
      };
    },
  );

  // Response shape unverified upstream (ghl-api.md §10): `{ contact: Contact | null }` assumed.
  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/contacts/search/duplicate', version: VERSION, auth: READ },
    ({ principal, query }) => {
      const locationId = assertLocation(principal, queryText(query['locationId']));
      const email = queryText(query['email']);
      const number = queryText(query['number']);
      let contact: ContactRecord | undefined;
      if (email !== undefined && email !== '')
        contact = ctx.state.contacts.findByEmail(locationId, email)[0];
      // An unencoded '+' arrives as a space: like GHL, such a number matches nothing.
      if (contact === undefined && number !== undefined && number !== '' && !/^\s/.test(number)) {
        contact = ctx.state.contacts.findByPhone(locationId, normalizePhone(number))[0];
      }
      return { status: 200, body: { contact: contact === undefined ? null : contactDto(contact) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'POST', url: '/contacts/search', version: VERSION, auth: READ },
    ({ principal, body }) => {
      const search = parseSearchRequest(body, ctx.faults.settings.searchPhoneEqMiss);
      assertLocation(principal, search.locationId);
      const result = runSearch(ctx.state.search, search, ctx.now());
      return { status: 200, body: { contacts: result.contacts, total: result.total } };
    },
  );
}
