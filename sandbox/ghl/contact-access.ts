/**
 * Resolving a contact from a path id the way GHL does: malformed id → 400, unknown → 404,
 * another location's contact → 403.
 */
import type { SandboxContext } from './context.ts';
import { invalidId, locationForbidden, notFound } from './http-errors.ts';
import { isFirebaseId } from './ids.ts';
import type { ContactRecord } from './model.ts';
import type { AccessTokenRecord } from './tokens.ts';

/** The contact behind `id`, visible to `principal`, or GHL's 400/404/403. */
export function requireContact(
  ctx: SandboxContext,
  principal: AccessTokenRecord,
  id: string | undefined,
): ContactRecord {
  if (id === undefined || !isFirebaseId(id)) throw invalidId('contact');
  const contact = ctx.state.contacts.get(id);
  if (contact === undefined) throw notFound('Contact', id);
  if (contact.locationId !== principal.locationId) throw locationForbidden();
  return contact;
}

/** A child record (task, note) of `contact`, or 400/404 in the same style. */
export function requireChild<T extends { contactId: string }>(
  entity: 'Task' | 'Note',
  id: string | undefined,
  contact: ContactRecord,
  lookup: (id: string) => T | undefined,
): T {
  if (id === undefined || !isFirebaseId(id)) throw invalidId(entity.toLowerCase());
  const record = lookup(id);
  if (record === undefined || record.contactId !== contact.id) throw notFound(entity, id);
  return record;
}
