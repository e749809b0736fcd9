/**
 * Contact notes (Version 2021-07-28): list, create (201), get, update, delete. Notes carry
 * `dateAdded` only: GHL has no `dateUpdated` on notes.
 */
import type { FastifyInstance } from 'fastify';
import type { NoteInput } from './activity-mutations.ts';
import { noteDto } from './activity-views.ts';
import { requireChild, requireContact } from './contact-access.ts';
import type { SandboxContext } from './context.ts';
import { CREATE_NOTE, UPDATE_NOTE } from './dto-specs.ts';
import { parseDto } from './dto-validation.ts';
import type { NoteRecord } from './model.ts';
import { apiRoute } from './route-kit.ts';
import type { ApiRequest } from './route-kit.ts';

const VERSION = '2021-07-28';
const READ = { scope: 'contacts.readonly' };
const WRITE = { scope: 'contacts.write' };

function toNoteInput(input: Record<string, unknown>): NoteInput {
  const out: NoteInput = {};
  if (typeof input['body'] === 'string') out.body = input['body'];
  if (typeof input['pinned'] === 'boolean') out.pinned = input['pinned'];
  for (const key of ['userId', 'title', 'color'] as const) {
    const value = input[key];
    if (typeof value === 'string' || value === null) out[key] = value;
  }
  return out;
}

function loadNote(ctx: SandboxContext, { principal, params }: ApiRequest): NoteRecord {
  const contact = requireContact(ctx, principal, params['id']);
  return requireChild('Note', params['noteId'], contact, (id) => ctx.state.notes.get(id));
}

export function registerNoteRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/contacts/:id/notes', version: VERSION, auth: READ },
    ({ principal, params }) => {
      const contact = requireContact(ctx, principal, params['id']);
      return { status: 200, body: { notes: ctx.state.notes.forContact(contact.id).map(noteDto) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'POST', url: '/contacts/:id/notes', version: VERSION, auth: WRITE },
    ({ principal, params, body }) => {
      const input = toNoteInput(parseDto(body, CREATE_NOTE));
      const contact = requireContact(ctx, principal, params['id']);
      const note = ctx.activityWrites.createNote(contact, { ...input, body: input.body ?? '' });
      return { status: 201, body: { note: noteDto(note) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/contacts/:id/notes/:noteId', version: VERSION, auth: READ },
    (input) => ({
      status: 200,
      body: { note: noteDto(loadNote(ctx, input)) },
    }),
  );

  apiRoute(
    app,
    ctx,
    { method: 'PUT', url: '/contacts/:id/notes/:noteId', version: VERSION, auth: WRITE },
    (input) => {
      const raw = toNoteInput(parseDto(input.body, UPDATE_NOTE));
      const note = ctx.activityWrites.updateNote(loadNote(ctx, input), raw);
      return { status: 200, body: { note: noteDto(note) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'DELETE', url: '/contacts/:id/notes/:noteId', version: VERSION, auth: WRITE },
    (input) => {
      ctx.activityWrites.removeNote(loadNote(ctx, input));
      return { status: 200, body: { succeded: true } };
    },
  );
}
