/**
 * Task webhooks → jobs. TaskCreate, TaskComplete and TaskDelete become a `task-sync` job keyed
 * by the person (so it runs in order with the contact's jobs), coalescing per task: the job
 * reads the task's latest state, so a waiting burst for one task needs one run. An event
 * without `contactId` (real GHL sends TaskCreate like that at times) becomes a `task-resolve`
 * job that finds the contact and then enqueues the `task-sync` job.
 */
import type { EventRoute } from './event-routes.ts';
import { personKey } from './jobs.ts';

/** Brings one GHL task to Tenant Turner. */
export const TASK_SYNC_JOB = 'task-sync';

/** Finds the contact of a task event that came without one, then enqueues `task-sync`. */
export const TASK_RESOLVE_JOB = 'task-resolve';

/** Payload of `task-sync`. */
export interface TaskSyncPayload {
  locationId: string;
  contactId: string;
  taskId: string;
  /** The webhook event type, or `poll`, `reconcile`. */
  trigger: string;
  eventId?: string;
  /** GHL's time of the change as GHL wrote it. */
  occurredRaw?: string;
}

/** Payload of `task-resolve`: a task sync without its contact, plus the title to search by. */
export type TaskResolvePayload = Omit<TaskSyncPayload, 'contactId'> & { title?: string };

const TASK_EVENTS = new Set(['TaskCreate', 'TaskComplete', 'TaskDelete']);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The `task-sync` job options for a task of a person. */
export function taskSyncSpec(payload: TaskSyncPayload): {
  key: string;
  coalesceKey: string;
} {
  return {
    key: personKey(payload.locationId, payload.contactId),
    coalesceKey: `task:${payload.taskId}`,
  };
}

/** Task events → `task-sync` (or `task-resolve` when the event names no contact). */
export const taskRoute: EventRoute = (entry, event) => {
  if (!TASK_EVENTS.has(entry.eventType)) return undefined;
  const taskId = text(event['id']);
  const locationId = text(event['locationId']) ?? entry.locationId;
  if (!taskId || !locationId) return { invalid: 'task event without id or locationId' };
  const occurredRaw =
    entry.eventType === 'TaskCreate'
      ? (text(event['dateAdded']) ?? text(event['timestamp']))
      : text(event['timestamp']);
  const base = {
    locationId,
    taskId,
    trigger: entry.eventType,
    eventId: entry.eventId,
    ...(occurredRaw ? { occurredRaw } : {}),
  };
  const contactId = text(event['contactId']);
  if (!contactId) {
    const title = text(event['title']);
    const payload: TaskResolvePayload = { ...base, ...(title ? { title } : {}) };
    return {
      name: TASK_RESOLVE_JOB,
      payload,
      key: `task:${locationId}:${taskId}`,
      coalesceKey: 'resolve',
    };
  }
  const payload: TaskSyncPayload = { ...base, contactId };
  return { name: TASK_SYNC_JOB, payload, ...taskSyncSpec(payload) };
};
