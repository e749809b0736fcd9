/**
 * Contact operations (ghl-api.md §2.1–§2.3): get, create, update, delete, upsert, duplicate
 * lookup, tags. Listing and search live in `contact-lists.ts`.
 */
import type {
  GhlContact,
  GhlCreateContactInput,
  GhlDuplicateResponse,
  GhlUpdateContactInput,
  GhlUpsertContactInput,
} from '../types.ts';
import type { CallOptions, GhlContext } from './context.ts';
import { READ, WRITE, call, seg } from './context.ts';

/** `GET /contacts/{id}`. */
export async function getContact(
  ctx: GhlContext,
  contactId: string,
  options?: CallOptions,
): Promise<GhlContact> {
  const body = await call<{ contact: GhlContact }>(
    ctx,
    { method: 'GET', path: `/contacts/${seg(contactId)}`, scope: READ },
    options,
  );
  return body.contact;
}

/**
 * `POST /contacts/` (201). Not idempotent: a timeout or 5xx throws an error that
 * `isAmbiguous()` recognises; look the contact up before creating again. A location that
 * disallows duplicates answers 400 with the existing id (`HttpError` code `duplicate`,
 * `details.existingContactId`).
 */
export async function createContact(
  ctx: GhlContext,
  input: GhlCreateContactInput,
  options?: CallOptions,
): Promise<GhlContact> {
  const body = await call<{ contact: GhlContact }>(
    ctx,
    {
      method: 'POST',
      path: '/contacts/',
      scope: WRITE,
      body: { ...input, locationId: ctx.locationId },
    },
    options,
  );
  return body.contact;
}

/** `PUT /contacts/{id}`. `tags` here replaces every tag: use addTags/removeTags to change some. */
export async function updateContact(
  ctx: GhlContext,
  contactId: string,
  input: GhlUpdateContactInput,
  options?: CallOptions,
): Promise<GhlContact> {
  const body = await call<{ contact: GhlContact; succeded?: boolean }>(
    ctx,
    { method: 'PUT', path: `/contacts/${seg(contactId)}`, scope: WRITE, body: input },
    options,
  );
  return body.contact;
}

/** `DELETE /contacts/{id}`; true when GHL reports it deleted. */
export async function deleteContact(
  ctx: GhlContext,
  contactId: string,
  options?: CallOptions,
): Promise<boolean> {
  const body = await call<{ succeded?: boolean }>(
    ctx,
    { method: 'DELETE', path: `/contacts/${seg(contactId)}`, scope: WRITE },
    options,
  );
  return body.succeded === true;
}

/**
 * `POST /contacts/upsert`: matches by email then phone per the location's settings. Idempotent
 * for the same input. GHL may silently drop a phone owned by another contact (ghl-api.md §2.3):
 * compare the returned contact with what you sent.
 */
export async function upsertContact(
  ctx: GhlContext,
  input: GhlUpsertContactInput,
  options?: CallOptions,
): Promise<{ created: boolean; contact: GhlContact }> {
  const body = await call<{ new: boolean; contact: GhlContact }>(
    ctx,
    {
      method: 'POST',
      path: '/contacts/upsert',
      scope: WRITE,
      body: { ...input, locationId: ctx.locationId },
      idempotent: true,
    },
    options,
  );
  return { created: body.new, contact: body.contact };
}

/**
 * `GET /contacts/search/duplicate`: the contact GHL would treat as a duplicate of this email or
 * phone, or undefined. The response shape is unverified upstream (ghl-api.md §10).
 */
export async function findDuplicateContact(
  ctx: GhlContext,
  match: { email?: string; phone?: string },
  options?: CallOptions,
): Promise<GhlContact | undefined> {
  const body = await call<GhlDuplicateResponse>(
    ctx,
    {
      method: 'GET',
      path: '/contacts/search/duplicate',
      scope: READ,
      query: { locationId: ctx.locationId, email: match.email, number: match.phone },
    },
    options,
  );
  return body.contact ?? undefined;
}

/** `POST /contacts/{id}/tags` (201): adds tags, returns the contact's tags. */
export async function addTags(
  ctx: GhlContext,
  contactId: string,
  tags: readonly string[],
  options?: CallOptions,
): Promise<string[]> {
  const body = await call<{ tags: string[] }>(
    ctx,
    {
      method: 'POST',
      path: `/contacts/${seg(contactId)}/tags`,
      scope: WRITE,
      body: { tags },
      idempotent: true,
    },
    options,
  );
  return body.tags;
}

/** `DELETE /contacts/{id}/tags` with a JSON body: removes tags, returns the contact's tags. */
export async function removeTags(
  ctx: GhlContext,
  contactId: string,
  tags: readonly string[],
  options?: CallOptions,
): Promise<string[]> {
  const body = await call<{ tags: string[] }>(
    ctx,
    { method: 'DELETE', path: `/contacts/${seg(contactId)}/tags`, scope: WRITE, body: { tags } },
    options,
  );
  return body.tags;
}
