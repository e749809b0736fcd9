/**
 * Operator endpoints that play the GHL user: create, change and delete contacts, tasks, notes
 * and appointments without a token. They go through the same write paths as the API, so they
 * emit the same webhooks (every event type can be triggered from here).
 */
import type { FastifyInstance } from 'fastify';
import type { AppointmentInput } from './activity-mutations.ts';
import { calendarEventDto, noteDto, taskDto } from './activity-views.ts';
import { contactDto } from './contact-views.ts';
import type { SandboxContext } from './context.ts';
import { CREATE_CONTACT, UPDATE_CONTACT } from './dto-specs.ts';
import { parseDto } from './dto-validation.ts';
import { GhlHttpError, badRequest } from './http-errors.ts';
import type { AppointmentRecord, ContactRecord, NoteRecord, TaskRecord } from './model.ts';
import {
  operatorAppointmentSchema,
  operatorNoteSchema,
  operatorTaskSchema,
  parseBody,
} from './operator-body.ts';

const DAY_MS = 86_400_000;

function missing(entity: string, id: string | undefined): GhlHttpError {
  return new GhlHttpError(404, {
    statusCode: 404,
    message: `${entity} with id ${id ?? ''} not found`,
  });
}

function find<T>(entity: string, id: string | undefined, lookup: (id: string) => T | undefined): T {
  const record = id === undefined ? undefined : lookup(id);
  if (record === undefined) throw missing(entity, id);
  return record;
}

type Params = Record<string, string | undefined>;

export function registerOperatorEntityRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const contact = (params: unknown): ContactRecord =>
    find('Contact', (params as Params)['id'], (id) => ctx.state.contacts.get(id));
  const task = (params: unknown): TaskRecord =>
    find('Task', (params as Params)['taskId'], (id) => ctx.state.tasks.get(id));
  const note = (params: unknown): NoteRecord =>
    find('Note', (params as Params)['noteId'], (id) => ctx.state.notes.get(id));
  const appointment = (params: unknown): AppointmentRecord =>
    find('Appointment', (params as Params)['appointmentId'], (id) =>
      ctx.state.appointments.get(id),
    );
  const zone = (locationId: string): string => ctx.state.location(locationId)?.timezone ?? 'UTC';

  app.get('/__sandbox/contacts/:id', async (request) => {
    const found = contact(request.params);
    return {
      contact: contactDto(found),
      tasks: ctx.state.tasks.forContact(found.id).map(taskDto),
      notes: ctx.state.notes.forContact(found.id).map(noteDto),
      appointments: ctx.state.appointments
        .forContact(found.id)
        .map((e) => calendarEventDto(e, zone(e.locationId))),
    };
  });

  app.post('/__sandbox/contacts', async (request, reply) => {
    const body = { locationId: ctx.state.mainLocation.id, ...(request.body as object | undefined) };
    const input = parseDto(body, CREATE_CONTACT);
    const { locationId, ...fields } = input;
    if (typeof locationId !== 'string' || ctx.state.location(locationId) === undefined)
      throw badRequest('Unknown locationId');
    return reply
      .code(201)
      .send({ contact: contactDto(ctx.contactWrites.create(locationId, fields)) });
  });

  app.patch('/__sandbox/contacts/:id', async (request) => {
    const input = parseDto(request.body, UPDATE_CONTACT, ['companyName', 'gender']);
    return { contact: contactDto(ctx.contactWrites.update(contact(request.params), input)) };
  });

  app.delete('/__sandbox/contacts/:id', async (request) => {
    ctx.contactWrites.remove(contact(request.params));
    return { deleted: true };
  });

  app.post('/__sandbox/contacts/:id/tasks', async (request, reply) => {
    const body = parseBody(operatorTaskSchema, request.body);
    const created = ctx.activityWrites.createTask(contact(request.params), {
      ...body,
      title: body.title ?? 'Follow up',
      dueDate: new Date(body.dueDate ?? ctx.now() + DAY_MS).toISOString(),
      completed: body.completed ?? false,
    });
    return reply.code(201).send({ task: taskDto(created) });
  });

  app.patch('/__sandbox/tasks/:taskId', async (request) => {
    const { dueDate, ...body } = parseBody(operatorTaskSchema, request.body);
    const input =
      dueDate === undefined ? body : { ...body, dueDate: new Date(dueDate).toISOString() };
    return { task: taskDto(ctx.activityWrites.updateTask(task(request.params), input)) };
  });

  app.delete('/__sandbox/tasks/:taskId', async (request) => {
    ctx.activityWrites.removeTask(task(request.params));
    return { deleted: true };
  });

  app.post('/__sandbox/contacts/:id/notes', async (request, reply) => {
    const body = parseBody(operatorNoteSchema, request.body);
    const created = ctx.activityWrites.createNote(contact(request.params), {
      ...body,
      body: body.body ?? 'Note from the sandbox operator',
    });
    return reply.code(201).send({ note: noteDto(created) });
  });

  app.patch('/__sandbox/notes/:noteId', async (request) => {
    const body = parseBody(operatorNoteSchema, request.body);
    return { note: noteDto(ctx.activityWrites.updateNote(note(request.params), body)) };
  });

  app.delete('/__sandbox/notes/:noteId', async (request) => {
    ctx.activityWrites.removeNote(note(request.params));
    return { deleted: true };
  });

  const appointmentInput = (locationId: string, body: unknown): AppointmentInput => {
    const { startTime, endTime, calendarId, ...rest } = parseBody(operatorAppointmentSchema, body);
    const input: AppointmentInput = { ...rest, source: 'calendar_page' };
    if (calendarId !== undefined) {
      const calendar = ctx.state.calendarsOf(locationId).find((c) => c.id === calendarId);
      if (calendar === undefined) throw badRequest('Unknown calendarId');
      input.calendarId = calendar.id;
      input.groupId = calendar.groupId;
    }
    if (startTime !== undefined) input.startMs = Date.parse(startTime);
    if (endTime !== undefined) input.endMs = Date.parse(endTime);
    return input;
  };

  app.post('/__sandbox/contacts/:id/appointments', async (request, reply) => {
    const owner = contact(request.params);
    const input = appointmentInput(owner.locationId, request.body);
    const calendar = ctx.state.calendarsOf(owner.locationId)[0];
    if (calendar === undefined) throw badRequest('The location has no calendar');
    const created = ctx.activityWrites.createAppointment(owner, {
      ...input,
      calendarId: input.calendarId ?? calendar.id,
      groupId: input.groupId ?? calendar.groupId,
      startMs: input.startMs ?? Math.ceil((ctx.now() + DAY_MS) / 1_800_000) * 1_800_000,
      assignedUserId: input.assignedUserId ?? ctx.state.usersOf(owner.locationId)[0]?.id ?? '',
    });
    return reply
      .code(201)
      .send({ appointment: calendarEventDto(created, zone(created.locationId)) });
  });

  app.patch('/__sandbox/appointments/:appointmentId', async (request) => {
    const existing = appointment(request.params);
    const updated = ctx.activityWrites.updateAppointment(
      existing,
      appointmentInput(existing.locationId, request.body),
    );
    return { appointment: calendarEventDto(updated, zone(updated.locationId)) };
  });

  app.delete('/__sandbox/appointments/:appointmentId', async (request) => {
    ctx.activityWrites.removeAppointment(appointment(request.params));
    return { deleted: true };
  });
}
