/**
 * The task jobs' handlers: `task-sync` runs `syncTask`; `task-resolve` finds the contact of a
 * task event that came without one (the task's link if ttsync knows it, else a location task
 * search) and enqueues `task-sync` in the transaction that completes it. Not found: it throws,
 * so the queue retries (GHL's search may lag the event).
 */
import type { JobQueue } from '../queue/index.ts';
import { findLinkByGhlId, getLink } from '../store/links.ts';
import type { TaskSyncDeps } from './task-sync.ts';
import { syncTask } from './task-sync.ts';
import { TASK_RESOLVE_JOB, TASK_SYNC_JOB, taskSyncSpec } from './task-route.ts';
import type { TaskResolvePayload, TaskSyncPayload } from './task-route.ts';

/** Searches at most this many tasks of the location for one task id. */
const SEARCH_LIMIT = 2_000;

/**
 * The contact a GHL task belongs to: from the task's link when ttsync has one, else from a
 * location task search (narrowed by the title when known, then unnarrowed). Undefined when
 * neither finds it.
 */
export async function resolveTaskContact(
  deps: Pick<TaskSyncDeps, 'db' | 'ghl'>,
  locationId: string,
  taskId: string,
  title?: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const link = await findLinkByGhlId(deps.db, 'task', locationId, taskId);
  if (link?.parentId !== undefined) {
    const parent = await getLink(deps.db, link.parentId);
    if (parent?.ghlId !== undefined) return parent.ghlId;
  }
  const ghl = deps.ghl.location(locationId, 'webhook');
  const filters = title ? [{ query: title }, {}] : [{}];
  for (const filter of filters) {
    let seen = 0;
    for await (const task of ghl.searchLocationTasks(filter, signal ? { signal } : {})) {
      if (task.id === taskId && task.contactId) return task.contactId;
      if (++seen >= SEARCH_LIMIT) break;
    }
  }
  return undefined;
}

/** Registers `task-sync` and `task-resolve` on `queue`. */
export function registerTaskHandlers(queue: JobQueue, deps: TaskSyncDeps): void {
  queue.register<TaskSyncPayload>(TASK_SYNC_JOB, async (payload, helpers) => {
    const outcome = await syncTask(
      { ...deps, logger: helpers.logger },
      {
        ...payload,
        jobId: helpers.jobId,
        inTransaction: (trx) => helpers.completeInTransaction(trx),
      },
      helpers.signal,
    );
    helpers.logger.info({ taskId: payload.taskId, outcome: outcome.kind }, 'task synced');
  });

  queue.register<TaskResolvePayload>(TASK_RESOLVE_JOB, async (payload, helpers) => {
    const { title, ...rest } = payload;
    const contactId = await resolveTaskContact(
      deps,
      payload.locationId,
      payload.taskId,
      title,
      helpers.signal,
    );
    if (!contactId) {
      throw new Error(
        `task ${payload.taskId}: no contactId in the event and not found by the location task search; retrying`,
      );
    }
    const next: TaskSyncPayload = { ...rest, contactId };
    await deps.db.transaction().execute(async (trx) => {
      await queue.enqueue(TASK_SYNC_JOB, next, { ...taskSyncSpec(next), transaction: trx });
      await helpers.completeInTransaction(trx);
    });
    helpers.logger.info({ taskId: payload.taskId, contactId }, 'task contact resolved');
  });
}
