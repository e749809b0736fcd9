/**
 * Note operations under a contact (ghl-api.md §2.5). Notes have no `dateUpdated`: detect
 * changes by content hash.
 */
import type { GhlNote, GhlNoteInput } from '../types.ts';
import type { CallOptions, GhlContext } from './context.ts';
import { READ, WRITE, call, seg } from './context.ts';

const base = (contactId: string): string => `/contacts/${seg(contactId)}/notes`;

/** `GET /contacts/{id}/notes` (unpaginated). */
export async function listNotes(
  ctx: GhlContext,
  contactId: string,
  options?: CallOptions,
): Promise<GhlNote[]> {
  const body = await call<{ notes: GhlNote[] }>(
    ctx,
    { method: 'GET', path: base(contactId), scope: READ },
    options,
  );
  return body.notes;
}

/** `GET /contacts/{id}/notes/{noteId}`. */
export async function getNote(
  ctx: GhlContext,
  contactId: string,
  noteId: string,
  options?: CallOptions,
): Promise<GhlNote> {
  const body = await call<{ note: GhlNote }>(
    ctx,
    { method: 'GET', path: `${base(contactId)}/${seg(noteId)}`, scope: READ },
    options,
  );
  return body.note;
}

/** `POST /contacts/{id}/notes` (201). Not idempotent: after an ambiguous failure, list and compare. */
export async function createNote(
  ctx: GhlContext,
  contactId: string,
  input: GhlNoteInput,
  options?: CallOptions,
): Promise<GhlNote> {
  const body = await call<{ note: GhlNote }>(
    ctx,
    { method: 'POST', path: base(contactId), scope: WRITE, body: input },
    options,
  );
  return body.note;
}

/** `PUT /contacts/{id}/notes/{noteId}`. */
export async function updateNote(
  ctx: GhlContext,
  contactId: string,
  noteId: string,
  input: Partial<GhlNoteInput>,
  options?: CallOptions,
): Promise<GhlNote> {
  const body = await call<{ note: GhlNote }>(
    ctx,
    { method: 'PUT', path: `${base(contactId)}/${seg(noteId)}`, scope: WRITE, body: input },
    options,
  );
  return body.note;
}

/** `DELETE /contacts/{id}/notes/{noteId}`. */
export async function deleteNote(
  ctx: GhlContext,
  contactId: string,
  noteId: string,
  options?: CallOptions,
): Promise<boolean> {
  const body = await call<{ succeded?: boolean }>(
    ctx,
    { method: 'DELETE', path: `${base(contactId)}/${seg(noteId)}`, scope: WRITE },
    options,
  );
  return body.succeded === true;
}
