/**
 * GHL task → Tenant Turner task (modeled extension): the title cut to Tenant Turner's 127
 * characters, the body as description, `completed` as the status, the due date as a calendar
 * date, the assignee's email, and the GHL task id as `ExternalId` (which makes a repeated
 * create return the first task).
 */
import type { GhlTask } from '../ghl/types.ts';
import type { TaskInput } from '../tenant-turner/inputs.ts';
import { MAX_TASK_TITLE } from '../tenant-turner/inputs.ts';
import { contentHash } from './contact-mapping.ts';

/** Why task changes stay on ttsync's side on the real surface. */
export const NO_TASKS = 'not applied: Tenant Turner has no tasks';

/** The Tenant Turner task as ttsync writes it. */
export interface TaskState {
  title: string;
  description?: string;
  taskStatus: 'New' | 'Completed';
  /** `YYYY-MM-DD`. */
  dueDate?: string;
  /** The GHL assignee's email (GHL user id resolved through the location's users). */
  assignedToUserEmail?: string;
  externalId: string;
}

/** A mapped task and the hash that change detection compares. */
export interface MappedTask {
  state: TaskState;
  hash: string;
}

/**
 * The calendar date of a GHL due date as GHL wrote it (the date part of its ISO string, in the
 * offset GHL gave), or undefined when there is none or it is not a date.
 */
export function calendarDate(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(raw.trim());
  if (match?.[1]) return match[1];
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 10);
}

/** Maps a GHL task (with its assignee's email when known); see the module comment. */
export function mapTask(task: GhlTask, assigneeEmail?: string): MappedTask {
  const title = (task.title ?? '').trim() || 'Task';
  const body = task.body?.trim();
  const dueDate = calendarDate(task.dueDate);
  const state: TaskState = {
    title: title.length > MAX_TASK_TITLE ? `${title.slice(0, MAX_TASK_TITLE - 1)}…` : title,
    ...(body ? { description: body } : {}),
    taskStatus: task.completed === true ? 'Completed' : 'New',
    ...(dueDate ? { dueDate } : {}),
    ...(assigneeEmail ? { assignedToUserEmail: assigneeEmail } : {}),
    externalId: task.id,
  };
  return { state, hash: contentHash(state) };
}

/** The fields of `next` that differ from `before`. */
export function changedTaskFields(
  before: Partial<TaskState> | undefined,
  next: TaskState,
): (keyof TaskState)[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(next)]) as Set<
    keyof TaskState
  >;
  return [...keys].filter((k) => before?.[k] !== next[k]);
}

/** The create input for Tenant Turner. */
export function taskInput(state: TaskState): TaskInput {
  return { ...state };
}

/** The timeline kind of a change from `before` to `next` (undefined `before`: a new task). */
export function taskChangeKind(before: Partial<TaskState> | undefined, next: TaskState): string {
  if (!before) return 'task_created';
  if (before.taskStatus !== 'Completed' && next.taskStatus === 'Completed') {
    return 'task_completed';
  }
  if (before.taskStatus === 'Completed' && next.taskStatus !== 'Completed') {
    return 'task_reopened';
  }
  return 'task_updated';
}
