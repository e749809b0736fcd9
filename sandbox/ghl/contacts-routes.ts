/**
 * Single-contact endpoints (Version 2021-07-28): GET/PUT/DELETE /contacts/:id, POST /contacts/
 * (201, duplicate rule), POST /contacts/upsert (200 `{ new, contact }`) and the tag endpoints
 * (POST 201, DELETE with a JSON body).
 */
import type { FastifyInstance } from 'fastify';
import { requireContact } from './contact-access.ts';
import { contactDto, createdContactDto } from './contact-views.ts';
import type { SandboxContext } from './context.ts';
import { CREATE_CONTACT, TAGS, UPDATE_CONTACT, UPSERT_CONTACT } from './dto-specs.ts';
import { parseDto } from './dto-validation.ts';
import { badRequest, unprocessable } from './http-errors.ts';
import type { ContactRecord } from './model.ts';
import { contactFullName } from './model.ts';
import { apiRoute, assertLocation } from './route-kit.ts';

const VERSION = '2021-07-28';
const READ = { scope: 'contacts.readonly' };
const WRITE = { scope: 'contacts.write' };

/** Throws GHL's duplicate 400 when the location disallows duplicates and email/phone match. */
function assertNoDuplicate(
  ctx: SandboxContext,
  locationId: string,
  input: Record<string, unknown>,
  self?: ContactRecord,
): void {
  if (ctx.state.location(locationId)?.allowDuplicateContacts === true) return;
  const match = ctx.contactWrites.findDuplicate(locationId, input['email'], input['phone']);
  if (match === undefined || match.contact.id === self?.id) return;
  throw badRequest('This location does not allow duplicated contacts.', {
    meta: {
      contactId: match.contact.id,
      contactName: contactFullName(match.contact),
      matchingField: match.matchingField,
    },
  });
}

function tagList(body: unknown): string[] {
  return parseDto(body, TAGS)['tags'] as string[];
}

export function registerContactRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/contacts/:id', version: VERSION, auth: READ },
    ({ principal, params }) => ({
      status: 200,
      body: { contact: contactDto(requireContact(ctx, principal, params['id'])) },
    }),
  );

  apiRoute(
    app,
    ctx,
    { method: 'POST', url: '/contacts/', version: VERSION, auth: WRITE },
    ({ principal, body }) => {
      const input = parseDto(body, CREATE_CONTACT);
      const locationId = assertLocation(principal, input['locationId']);
      assertNoDuplicate(ctx, locationId, input);
      const { locationId: _location, ...fields } = input;
      const contact = ctx.contactWrites.create(locationId, fields);
      // ISS #64: the create answers 422 although the contact exists.
      if (ctx.faults.settings.createReturns422ButPersists)
        throw unprocessable(['Unprocessable Entity']);
      return { status: 201, body: { contact: createdContactDto(contact) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'PUT', url: '/contacts/:id', version: VERSION, auth: WRITE },
    ({ principal, params, body }) => {
      const extra = ctx.faults.settings.companyNameOnPut ? ['companyName'] : [];
      const input = parseDto(body, UPDATE_CONTACT, extra);
      const existing = requireContact(ctx, principal, params['id']);
      assertNoDuplicate(ctx, existing.locationId, input, existing);
      const contact = ctx.contactWrites.update(existing, input);
      return { status: 200, body: { succeded: true, contact: contactDto(contact) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'DELETE', url: '/contacts/:id', version: VERSION, auth: WRITE },
    ({ principal, params }) => {
      ctx.contactWrites.remove(requireContact(ctx, principal, params['id']));
      return { status: 200, body: { succeded: true } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'POST', url: '/contacts/upsert', version: VERSION, auth: WRITE },
    ({ principal, body }) => {
      const input = parseDto(body, UPSERT_CONTACT);
      const locationId = assertLocation(principal, input['locationId']);
      const { locationId: _location, ...fields } = input;
      const result = ctx.contactWrites.upsert(locationId, fields);
      return { status: 200, body: { new: result.isNew, contact: contactDto(result.contact) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'POST', url: '/contacts/:id/tags', version: VERSION, auth: WRITE },
    ({ principal, params, body }) => {
      const tags = tagList(body);
      const contact = ctx.contactWrites.addTags(requireContact(ctx, principal, params['id']), tags);
      return { status: 201, body: { tags: [...contact.tags] } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'DELETE', url: '/contacts/:id/tags', version: VERSION, auth: WRITE },
    ({ principal, params, body }) => {
      const tags = tagList(body);
      const contact = ctx.contactWrites.removeTags(
        requireContact(ctx, principal, params['id']),
        tags,
      );
      return { status: 200, body: { tags: [...contact.tags] } };
    },
  );
}
