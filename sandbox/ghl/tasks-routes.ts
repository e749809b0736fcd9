/**
 * Contact tasks (Version 2021-07-28): list, create (201), get, update, complete, delete. Due
 * dates come back normalized to ISO with milliseconds; the `rejectDueDateMillis` knob makes an
 * update with milliseconds fail, as n8n's workaround suggests GHL does.
 */
import type { FastifyInstance } from 'fastify';
import type { TaskInput } from './activity-mutations.ts';
import { taskDto } from './activity-views.ts';
import { requireChild, requireContact } from './contact-access.ts';
import type { SandboxContext } from './context.ts';
import { CREATE_TASK, TASK_COMPLETED, UPDATE_TASK } from './dto-specs.ts';
import { parseDto } from './dto-validation.ts';
import { unprocessable } from './http-errors.ts';
import type { ContactRecord, TaskRecord } from './model.ts';
import { apiRoute } from './route-kit.ts';
import type { ApiRequest } from './route-kit.ts';

const VERSION = '2021-07-28';
const READ = { scope: 'contacts.readonly' };
const WRITE = { scope: 'contacts.write' };

function toTaskInput(input: Record<string, unknown>): TaskInput {
  const out: TaskInput = {};
  if (typeof input['title'] === 'string') out.title = input['title'];
  if (typeof input['body'] === 'string' || input['body'] === null) out.body = input['body'];
  if (typeof input['dueDate'] === 'string') out.dueDate = new Date(input['dueDate']).toISOString();
  if (typeof input['completed'] === 'boolean') out.completed = input['completed'];
  if (typeof input['assignedTo'] === 'string' || input['assignedTo'] === null)
    out.assignedTo = input['assignedTo'];
  return out;
}

function loadTask(
  ctx: SandboxContext,
  { principal, params }: ApiRequest,
): { contact: ContactRecord; task: TaskRecord } {
  const contact = requireContact(ctx, principal, params['id']);
  const task = requireChild('Task', params['taskId'], contact, (id) => ctx.state.tasks.get(id));
  return { contact, task };
}

export function registerTaskRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/contacts/:id/tasks', version: VERSION, auth: READ },
    ({ principal, params }) => {
      const contact = requireContact(ctx, principal, params['id']);
      return { status: 200, body: { tasks: ctx.state.tasks.forContact(contact.id).map(taskDto) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'POST', url: '/contacts/:id/tasks', version: VERSION, auth: WRITE },
    ({ principal, params, body }) => {
      const input = toTaskInput(parseDto(body, CREATE_TASK));
      const contact = requireContact(ctx, principal, params['id']);
      const task = ctx.activityWrites.createTask(contact, {
        ...input,
        title: input.title ?? '',
        dueDate: input.dueDate ?? '',
        completed: input.completed ?? false,
      });
      return { status: 201, body: { task: taskDto(task), contactId: contact.id } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'GET', url: '/contacts/:id/tasks/:taskId', version: VERSION, auth: READ },
    (input) => ({
      status: 200,
      body: { task: taskDto(loadTask(ctx, input).task) },
    }),
  );

  apiRoute(
    app,
    ctx,
    { method: 'PUT', url: '/contacts/:id/tasks/:taskId', version: VERSION, auth: WRITE },
    (input) => {
      const raw = parseDto(input.body, UPDATE_TASK);
      if (
        ctx.faults.settings.rejectDueDateMillis &&
        typeof raw['dueDate'] === 'string' &&
        /\.\d+/.test(raw['dueDate'])
      ) {
        throw unprocessable(['dueDate must be a valid ISO 8601 date string']);
      }
      const { task } = loadTask(ctx, input);
      return {
        status: 200,
        body: { task: taskDto(ctx.activityWrites.updateTask(task, toTaskInput(raw))) },
      };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'PUT', url: '/contacts/:id/tasks/:taskId/completed', version: VERSION, auth: WRITE },
    (input) => {
      const raw = parseDto(input.body, TASK_COMPLETED);
      const { task } = loadTask(ctx, input);
      const updated = ctx.activityWrites.updateTask(task, {
        completed: raw['completed'] as boolean,
      });
      return { status: 200, body: { task: taskDto(updated) } };
    },
  );

  apiRoute(
    app,
    ctx,
    { method: 'DELETE', url: '/contacts/:id/tasks/:taskId', version: VERSION, auth: WRITE },
    (input) => {
      ctx.activityWrites.removeTask(loadTask(ctx, input).task);
      return { status: 200, body: { succeded: true } };
    },
  );
}
