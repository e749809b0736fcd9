/**
 * Task operations under a contact (ghl-api.md §2.5) and the location-wide task search.
 */
import type { GhlCreateTaskInput, GhlTask, GhlUpdateTaskInput } from '../types.ts';
import type { CallOptions, GhlContext } from './context.ts';
import { READ, WRITE, call, seg } from './context.ts';

const base = (contactId: string): string => `/contacts/${seg(contactId)}/tasks`;

/** GHL rejects update `dueDate`s with milliseconds (n8n's experience, ghl-api.md §2.5). */
function withoutMillis(date: string): string {
  return date.replace(/\.\d{3}(?=Z|[+-]\d\d:?\d\d$)/, '');
}

/** `GET /contacts/{id}/tasks` (unpaginated). */
export async function listTasks(
  ctx: GhlContext,
  contactId: string,
  options?: CallOptions,
): Promise<GhlTask[]> {
  const body = await call<{ tasks: GhlTask[] }>(
    ctx,
    { method: 'GET', path: base(contactId), scope: READ },
    options,
  );
  return body.tasks;
}

/** `GET /contacts/{id}/tasks/{taskId}`. */
export async function getTask(
  ctx: GhlContext,
  contactId: string,
  taskId: string,
  options?: CallOptions,
): Promise<GhlTask> {
  const body = await call<{ task: GhlTask }>(
    ctx,
    { method: 'GET', path: `${base(contactId)}/${seg(taskId)}`, scope: READ },
    options,
  );
  return body.task;
}

/** `POST /contacts/{id}/tasks` (201). Not idempotent: after an ambiguous failure, list and compare. */
export async function createTask(
  ctx: GhlContext,
  contactId: string,
  input: GhlCreateTaskInput,
  options?: CallOptions,
): Promise<GhlTask> {
  const body = await call<{ task: GhlTask }>(
    ctx,
    { method: 'POST', path: base(contactId), scope: WRITE, body: input },
    options,
  );
  return body.task;
}

/** `PUT /contacts/{id}/tasks/{taskId}`; the due date is sent without milliseconds. */
export async function updateTask(
  ctx: GhlContext,
  contactId: string,
  taskId: string,
  input: GhlUpdateTaskInput,
  options?: CallOptions,
): Promise<GhlTask> {
  const payload = input.dueDate ? { ...input, dueDate: withoutMillis(input.dueDate) } : input;
  const body = await call<{ task: GhlTask }>(
    ctx,
    { method: 'PUT', path: `${base(contactId)}/${seg(taskId)}`, scope: WRITE, body: payload },
    options,
  );
  return body.task;
}

/** `PUT /contacts/{id}/tasks/{taskId}/completed`. */
export async function completeTask(
  ctx: GhlContext,
  contactId: string,
  taskId: string,
  completed = true,
  options?: CallOptions,
): Promise<GhlTask> {
  const body = await call<{ task: GhlTask }>(
    ctx,
    {
      method: 'PUT',
      path: `${base(contactId)}/${seg(taskId)}/completed`,
      scope: WRITE,
      body: { completed },
    },
    options,
  );
  return body.task;
}

/** `DELETE /contacts/{id}/tasks/{taskId}`. */
export async function deleteTask(
  ctx: GhlContext,
  contactId: string,
  taskId: string,
  options?: CallOptions,
): Promise<boolean> {
  const body = await call<{ succeded?: boolean }>(
    ctx,
    { method: 'DELETE', path: `${base(contactId)}/${seg(taskId)}`, scope: WRITE },
    options,
  );
  return body.succeded === true;
}

/** Filters of `POST /locations/{id}/tasks/search`. */
export interface TaskSearchFilter {
  contactId?: string[];
  completed?: boolean;
  assignedTo?: string[];
  query?: string;
  businessId?: string;
}

/**
 * `POST /locations/{id}/tasks/search`, every page (limit/skip) from `skip` (default 0). Needs
 * `locations/tasks.readonly`.
 * Stops on a short or empty page, and on a page that repeats the previous one.
 */
export async function* searchLocationTasks(
  ctx: GhlContext,
  filter: TaskSearchFilter = {},
  options: CallOptions & { pageSize?: number; skip?: number } = {},
): AsyncGenerator<GhlTask, void, undefined> {
  const limit = options.pageSize ?? 100;
  let previousFirst: string | undefined;
  for (let skip = options.skip ?? 0; ; skip += limit) {
    const body = await call<{ tasks: GhlTask[] }>(
      ctx,
      {
        method: 'POST',
        path: `/locations/${seg(ctx.locationId)}/tasks/search`,
        scope: 'locations/tasks.readonly',
        body: { ...filter, limit, skip },
        idempotent: true,
      },
      options,
    );
    const tasks = body.tasks;
    if (tasks.length === 0 || tasks[0]?.id === previousFirst) return;
    previousFirst = tasks[0]?.id;
    yield* tasks;
    if (tasks.length < limit) return;
  }
}
