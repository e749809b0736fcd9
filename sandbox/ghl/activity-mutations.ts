/**
 * Task, note and appointment writes and their webhooks. GHL has no TaskUpdate event: a task
 * edit is silent unless it completes the task (TaskComplete).
 */
import type { AppointmentRecord, ContactRecord, NoteRecord, TaskRecord } from './model.ts';
import type { MutationDeps } from './mutation-deps.ts';
import { appointmentEvent, noteEvent, taskEvent } from './webhook-payloads.ts';

export interface TaskInput {
  title?: string | undefined;
  body?: string | null | undefined;
  dueDate?: string | undefined;
  completed?: boolean | undefined;
  assignedTo?: string | null | undefined;
}

export interface NoteInput {
  body?: string | undefined;
  userId?: string | null | undefined;
  title?: string | null | undefined;
  color?: string | null | undefined;
  pinned?: boolean | undefined;
}

export interface AppointmentInput {
  calendarId?: string | undefined;
  groupId?: string | undefined;
  title?: string | undefined;
  address?: string | undefined;
  notes?: string | undefined;
  description?: string | undefined;
  meetingLocationType?: string | undefined;
  appointmentStatus?: string | undefined;
  assignedUserId?: string | undefined;
  startMs?: number | undefined;
  endMs?: number | undefined;
  source?: string | undefined;
}

const DEFAULT_APPOINTMENT_MS = 30 * 60_000;

/** Copies optional string fields: a string sets, null clears, undefined keeps. */
function assignOptional<T extends object>(
  target: T,
  input: object,
  keys: readonly (keyof T & string)[],
): void {
  for (const key of keys) {
    const value = (input as Record<string, unknown>)[key];
    if (typeof value === 'string') Object.assign(target, { [key]: value });
    else if (value === null) delete (target as Record<string, unknown>)[key];
  }
}

export class ActivityMutations {
  readonly #deps: MutationDeps;

  constructor(deps: MutationDeps) {
    this.#deps = deps;
  }

  createTask(
    contact: ContactRecord,
    input: TaskInput & { title: string; dueDate: string; completed: boolean },
  ): TaskRecord {
    const state = this.#deps.state();
    const task: TaskRecord = {
      id: state.newId(),
      locationId: contact.locationId,
      contactId: contact.id,
      title: input.title,
      dueDate: input.dueDate,
      completed: input.completed,
      dateAddedMs: this.#deps.now(),
    };
    assignOptional(task, input, ['body', 'assignedTo']);
    state.tasks.put(task);
    this.#deps.emit(taskEvent('TaskCreate', task));
    return task;
  }

  /** Edits a task; emits TaskComplete only when it goes from open to completed. */
  updateTask(existing: TaskRecord, input: TaskInput): TaskRecord {
    const next: TaskRecord = { ...existing };
    if (input.title !== undefined) next.title = input.title;
    if (input.dueDate !== undefined) next.dueDate = input.dueDate;
    if (input.completed !== undefined) next.completed = input.completed;
    assignOptional(next, input, ['body', 'assignedTo']);
    this.#deps.state().tasks.put(next);
    if (!existing.completed && next.completed) this.#deps.emit(taskEvent('TaskComplete', next));
    return next;
  }

  removeTask(existing: TaskRecord): void {
    this.#deps.state().tasks.remove(existing.id);
    this.#deps.emit(taskEvent('TaskDelete', existing));
  }

  createNote(contact: ContactRecord, input: NoteInput & { body: string }): NoteRecord {
    const state = this.#deps.state();
    const note: NoteRecord = {
      id: state.newId(),
      locationId: contact.locationId,
      contactId: contact.id,
      body: input.body,
      pinned: input.pinned ?? false,
      dateAddedMs: this.#deps.now(),
    };
    assignOptional(note, input, ['userId', 'title', 'color']);
    state.notes.put(note);
    this.#deps.emit(noteEvent('NoteCreate', note));
    return note;
  }

  updateNote(existing: NoteRecord, input: NoteInput): NoteRecord {
    const next: NoteRecord = { ...existing };
    if (input.body !== undefined) next.body = input.body;
    if (input.pinned !== undefined) next.pinned = input.pinned;
    assignOptional(next, input, ['userId', 'title', 'color']);
    this.#deps.state().notes.put(next);
    this.#deps.emit(noteEvent('NoteUpdate', next));
    return next;
  }

  removeNote(existing: NoteRecord): void {
    this.#deps.state().notes.remove(existing.id);
    this.#deps.emit(noteEvent('NoteDelete', existing));
  }

  createAppointment(
    contact: ContactRecord,
    input: AppointmentInput & {
      calendarId: string;
      groupId: string;
      startMs: number;
      assignedUserId: string;
    },
  ): AppointmentRecord {
    const state = this.#deps.state();
    const now = this.#deps.now();
    const event: AppointmentRecord = {
      id: state.newId(),
      locationId: contact.locationId,
      contactId: contact.id,
      calendarId: input.calendarId,
      groupId: input.groupId,
      title: input.title ?? `Appointment with ${contact.firstName ?? 'contact'}`,
      appointmentStatus: input.appointmentStatus ?? 'confirmed',
      assignedUserId: input.assignedUserId,
      users: [input.assignedUserId],
      startMs: input.startMs,
      endMs: input.endMs ?? input.startMs + DEFAULT_APPOINTMENT_MS,
      source: input.source ?? 'third_party',
      dateAddedMs: now,
      dateUpdatedMs: now,
    };
    assignOptional(event, input, ['address', 'notes', 'description', 'meetingLocationType']);
    state.appointments.put(event);
    this.#deps.emit(appointmentEvent('AppointmentCreate', event, this.#timeZone(event)));
    return event;
  }

  updateAppointment(existing: AppointmentRecord, input: AppointmentInput): AppointmentRecord {
    const next: AppointmentRecord = { ...existing, dateUpdatedMs: this.#deps.now() };
    for (const key of [
      'calendarId',
      'groupId',
      'title',
      'appointmentStatus',
      'assignedUserId',
    ] as const) {
      const value = input[key];
      if (value !== undefined) next[key] = value;
    }
    if (input.assignedUserId !== undefined && !next.users.includes(input.assignedUserId)) {
      next.users = [input.assignedUserId, ...next.users];
    }
    if (input.startMs !== undefined) {
      const duration = existing.endMs - existing.startMs;
      next.startMs = input.startMs;
      next.endMs = input.endMs ?? input.startMs + duration;
    } else if (input.endMs !== undefined) next.endMs = input.endMs;
    assignOptional(next, input, ['address', 'notes', 'description', 'meetingLocationType']);
    this.#deps.state().appointments.put(next);
    this.#deps.emit(appointmentEvent('AppointmentUpdate', next, this.#timeZone(next)));
    return next;
  }

  removeAppointment(existing: AppointmentRecord): void {
    this.#deps.state().appointments.remove(existing.id);
    this.#deps.emit(appointmentEvent('AppointmentDelete', existing, this.#timeZone(existing)));
  }

  #timeZone(event: AppointmentRecord): string {
    return this.#deps.state().location(event.locationId)?.timezone ?? 'UTC';
  }
}
