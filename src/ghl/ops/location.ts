/**
 * Location-level reads the sync needs: custom field definitions (ids ↔ keys, which contact
 * responses omit, ghl-api.md §2.4) and users (to resolve `assignedTo` / `userId`).
 */
import type { GhlCustomFieldDefinition, GhlUser } from '../types.ts';
import type { CallOptions, GhlContext } from './context.ts';
import { call, seg } from './context.ts';

/** `GET /locations/{id}/customFields?model=contact`. Needs `locations/customFields.readonly`. */
export async function listCustomFields(
  ctx: GhlContext,
  options: CallOptions & { model?: 'contact' | 'opportunity' | 'all' } = {},
): Promise<GhlCustomFieldDefinition[]> {
  const body = await call<{ customFields: GhlCustomFieldDefinition[] }>(
    ctx,
    {
      method: 'GET',
      path: `/locations/${seg(ctx.locationId)}/customFields`,
      scope: 'locations/customFields.readonly',
      query: { model: options.model ?? 'contact' },
    },
    options,
  );
  return body.customFields;
}

/** `GET /users/?locationId=…`. Needs `users.readonly`. */
export async function listUsers(ctx: GhlContext, options?: CallOptions): Promise<GhlUser[]> {
  const body = await call<{ users: GhlUser[] }>(
    ctx,
    {
      method: 'GET',
      path: '/users/',
      scope: 'users.readonly',
      query: { locationId: ctx.locationId },
    },
    options,
  );
  return body.users;
}

/** `GET /users/{id}`. */
export async function getUser(
  ctx: GhlContext,
  userId: string,
  options?: CallOptions,
): Promise<GhlUser> {
  return call<GhlUser>(
    ctx,
    { method: 'GET', path: `/users/${seg(userId)}`, scope: 'users.readonly' },
    options,
  );
}
