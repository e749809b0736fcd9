/**
 * `ttsync backfill tasks`: every task of the location through the location task search (one
 * GHL call per page of 100, never one per task or per contact), each synced by `syncTask` with
 * the task as the search returned it (no second read). Checkpoint: the next page's `skip`.
 */
import { locationTaskPages } from './child-streams.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import {
  PhaseCheckpoint,
  READ_AHEAD,
  readAhead,
  snapshot,
  syncChildren,
} from './backfill-phase.ts';
import type { ChildItem, ChildPhaseOptions, ChildPhaseProgress } from './backfill-phase.ts';
import { TASK_SYNC_JOB, taskSyncSpec } from './task-route.ts';
import type { TaskSyncPayload } from './task-route.ts';
import { syncTask } from './task-sync.ts';

export interface TaskBackfillOptions extends ChildPhaseOptions {
  /** Tasks per search page; default 100. */
  pageSize?: number | undefined;
}

/** Runs (or resumes) the tasks phase; resolves with its final counts. */
export async function backfillTasks(
  deps: ContactSyncDeps,
  options: TaskBackfillOptions,
): Promise<ChildPhaseProgress> {
  const { locationId, signal } = options;
  const started = deps.clock.now();
  const checkpoint = new PhaseCheckpoint<{ skip: number }>(deps, 'tasks', locationId);
  const { position, progress } = await checkpoint.start('tasks', options);
  const ghl = deps.ghl.location(locationId, 'backfill');
  const source = locationTaskPages(ghl, {
    lane: 'backfill',
    signal,
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    ...(position ? { skip: position.skip } : {}),
  });
  const pages = options.gate
    ? readAhead(source, READ_AHEAD, (page) => page.tasks.length + 1)
    : source;
  for await (const page of pages) {
    await options.gate;
    progress.calls++;
    progress.records += page.tasks.length;
    const items: ChildItem[] = [];
    for (const task of page.tasks) {
      if (!task.contactId) {
        progress.outcomes.skipped++;
        continue;
      }
      const payload: TaskSyncPayload = {
        locationId,
        contactId: task.contactId,
        taskId: task.id,
        trigger: 'backfill',
        ...(task.dateAdded ? { occurredRaw: task.dateAdded } : {}),
      };
      items.push({
        contactId: task.contactId,
        sync: async () =>
          (await syncTask(deps, { ...payload, task, lane: 'backfill' }, signal)).kind,
        retry: { name: TASK_SYNC_JOB, payload, coalesceKey: taskSyncSpec(payload).coalesceKey },
      });
    }
    await syncChildren(deps, items, options, progress);
    progress.pages++;
    progress.remainingCalls = page.nextSkip === undefined ? 0 : 1;
    progress.elapsedMs = deps.clock.now() - started;
    if (page.nextSkip !== undefined) await checkpoint.save({ skip: page.nextSkip }, progress);
    options.onProgress?.(snapshot(progress));
  }
  await checkpoint.clear();
  progress.done = true;
  progress.remainingCalls = 0;
  progress.elapsedMs = deps.clock.now() - started;
  return progress;
}
