/**
 * Location-level lookups (Version 2021-07-28): custom field definitions (to map ids to keys),
 * users (to resolve `assignedTo` / `userId`) and the location-wide task search.
 */
import type { FastifyInstance } from 'fastify';
import { taskDto, userDto } from './activity-views.ts';
import type { SandboxContext } from './context.ts';
import { TASK_SEARCH } from './dto-specs.ts';
import { parseDto } from './dto-validation.ts';
import { invalidId, locationForbidden, notFound } from './http-errors.ts';
import { isFirebaseId } from './ids.ts';
import type { CustomFieldDefinition, TaskRecord } from './model.ts';
import { apiRoute, assertLocation, queryText } from './route-kit.ts';

const VERSION = '2021-07-28';

function customFieldDto(field: CustomFieldDefinition): Record<string, unknown> {
  return {
    id: field.id,
    name: field.name,
    fieldKey: field.fieldKey,
    placeholder: field.placeholder,
    dataType: field.dataType,
    position: field.position,
    picklistOptions: field.picklistOptions,
    locationId: field.locationId,
    model: field.model,
  };
}

function taskMatches(task: TaskRecord, body: Record<string, unknown>): boolean {
  const contactIds = body['contactId'] as string[] | undefined;
  const assignees = body['assignedTo'] as string[] | undefined;
  const completed = body['completed'] as boolean | undefined;
  const query = (body['query'] as string | undefined)?.trim().toLowerCase();
  return (
    (contactIds === undefined || contactIds.length === 0 || contactIds.includes(task.contactId)) &&
    (assignees === undefined ||
      assignees.length === 0 ||
      (task.assignedTo !== undefined && assignees.includes(task.assignedTo))) &&
    (completed === undefined || task.completed === completed) &&
    (query === undefined ||
      query === '' ||
      task.title.toLowerCase().includes(query) ||
      (task.body?.toLowerCase().includes(query) ?? false))
  );
}

export function registerLocationRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  apiRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/locations/:locationId/customFields',
      version: VERSION,
      auth: { scope: 'locations/customFields.readonly' },
    },
    ({ principal, params, query }) => {
      const locationId = assertLocation(principal, params['locationId']);
      const model = queryText(query['model']) ?? 'all';
      const fields = ctx.state
        .customFieldsOf(locationId)
        .filter((field) => model === 'all' || field.model === model);
      return { status: 200, body: { customFields: fields.map(customFieldDto) } };
    },
  );

  apiRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/locations/:locationId/tasks/search',
      version: VERSION,
      auth: { scope: 'locations/tasks.readonly' },
    },
    ({ principal, params, body }) => {
      const locationId = assertLocation(principal, params['locationId']);
      const input = parseDto(body, TASK_SEARCH);
      const skip = Math.max(0, Math.floor((input['skip'] as number | undefined) ?? 0));
      const limit = Math.max(1, Math.floor((input['limit'] as number | undefined) ?? 20));
      const tasks = ctx.state.tasks
        .forLocation(locationId)
        .filter((task) => taskMatches(task, input))
        .sort((a, b) => b.dateAddedMs - a.dateAddedMs || (a.id < b.id ? -1 : 1));
      return { status: 200, body: { tasks: tasks.slice(skip, skip + limit).map(taskDto) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/users/', version: VERSION, auth: { scope: 'users.readonly' } },
    ({ principal, query }) => {
      const locationId = assertLocation(principal, queryText(query['locationId']));
      return { status: 200, body: { users: ctx.state.usersOf(locationId).map(userDto) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/users/:userId', version: VERSION, auth: { scope: 'users.readonly' } },
    ({ principal, params }) => {
      const id = params['userId'];
      if (id === undefined || !isFirebaseId(id)) throw invalidId('user');
      const user = ctx.identity.users.find((candidate) => candidate.id === id);
      if (user === undefined) throw notFound('User', id);
      if (principal.locationId === undefined || !user.locationIds.includes(principal.locationId))
        throw locationForbidden();
      return { status: 200, body: userDto(user) };
    },
  );
}
