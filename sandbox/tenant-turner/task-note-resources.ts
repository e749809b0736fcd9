/**
 * The modeled tasks and notes of a lead (tenant-turner-api.md §2.2, after Buildium's to-do
 * tasks and notes): their fields, how a body becomes a record, and what goes on the timeline.
 */
import { boundString } from './input.ts';
import type { BoundBody } from './input.ts';
import type { ChildResource } from './child-routes.ts';
import { TASK_PRIORITIES, TASK_STATUSES } from './model.ts';
import type { NoteRecord, TaskPriority, TaskRecord, TaskStatus } from './model.ts';
import { noteDto, taskDto } from './views.ts';

/** Update a text field when given (null clears it), else keep it. */
function keep(body: BoundBody, name: string, current: string | null): string | null {
  const value = boundString(body, name);
  return value === undefined ? current : value;
}

function short(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

export const TASK_RESOURCE: ChildResource<TaskRecord> = {
  entity: 'Task',
  collection: 'tasks',
  idKind: 'task',
  fields: {
    Title: { kind: 'string', required: true, maxLength: 127 },
    Description: { kind: 'string', maxLength: 65_535 },
    TaskStatus: { kind: 'string', values: TASK_STATUSES },
    Priority: { kind: 'string', values: TASK_PRIORITIES },
    DueDate: { kind: 'date' },
    AssignedToUserEmail: { kind: 'string', maxLength: 254 },
    ExternalId: { kind: 'string', maxLength: 100 },
  },
  store: (state) => state.tasks,
  build: (id, lead, body, nowMs) => ({
    id,
    applicationId: lead.id,
    title: boundString(body, 'Title') ?? '',
    description: boundString(body, 'Description') ?? null,
    status: (boundString(body, 'TaskStatus') ?? 'New') as TaskStatus,
    priority: (boundString(body, 'Priority') ?? 'Normal') as TaskPriority,
    dueDate: boundString(body, 'DueDate') ?? null,
    assignedToUserEmail: boundString(body, 'AssignedToUserEmail') ?? null,
    externalId: boundString(body, 'ExternalId') ?? null,
    createdMs: nowMs,
    updatedMs: nowMs,
  }),
  apply: (task, body) => {
    const wasDone = task.status === 'Completed';
    task.title = boundString(body, 'Title') ?? task.title;
    task.description = keep(body, 'Description', task.description);
    task.status = (boundString(body, 'TaskStatus') ?? task.status) as TaskStatus;
    task.priority = (boundString(body, 'Priority') ?? task.priority) as TaskPriority;
    task.dueDate = keep(body, 'DueDate', task.dueDate);
    task.assignedToUserEmail = keep(body, 'AssignedToUserEmail', task.assignedToUserEmail);
    task.externalId = keep(body, 'ExternalId', task.externalId);
    return !wasDone && task.status === 'Completed'
      ? ['Task Completed', `Task completed: ${short(task.title)}`]
      : null;
  },
  dto: taskDto,
  created: (task) => ['Task Created', `Task: ${short(task.title)}`],
};

export const NOTE_RESOURCE: ChildResource<NoteRecord> = {
  entity: 'Note',
  collection: 'notes',
  idKind: 'note',
  fields: {
    Note: { kind: 'string', required: true, maxLength: 65_535 },
    Author: { kind: 'string', maxLength: 254 },
    ExternalId: { kind: 'string', maxLength: 100 },
  },
  store: (state) => state.notes,
  build: (id, lead, body, nowMs) => ({
    id,
    applicationId: lead.id,
    note: boundString(body, 'Note') ?? '',
    author: boundString(body, 'Author') ?? null,
    externalId: boundString(body, 'ExternalId') ?? null,
    createdMs: nowMs,
    updatedMs: nowMs,
  }),
  apply: (note, body) => {
    note.note = boundString(body, 'Note') ?? note.note;
    note.author = keep(body, 'Author', note.author);
    note.externalId = keep(body, 'ExternalId', note.externalId);
    return null;
  },
  dto: noteDto,
  created: (note) => ['Note Added', short(note.note)],
};
