/**
 * Incremental poll of a location's GHL tasks (issue 5): GHL sends no TaskUpdate event, so an edit
 * (title, body, due date, assignee; a reopen) is only seen by reading the task. The location
 * task search (`POST /locations/{id}/tasks/search`) is the one listing of every task, but it has
 * no `dateUpdated` (tasks carry no change time at all) and sorts by `dateAdded`, newest first;
 * so no time cursor can say what changed. Instead each cycle scans every task and compares it,
 * mapped exactly as the sync maps it, with the hash of the GHL snapshot ttsync last synced:
 * - same hash, or a task whose link was unlinked (deleted): nothing to do;
 * - a new task or a different hash: the `task-sync` job the webhooks produce (same key and
 *   coalesce key, so per-person order and coalescing hold), trigger `poll`.
 *
 * The cursor (stream `poll:tasks:<locationId>`) is the tie-break set: `taskId:hash` of every task
 * handed to the queue whose change is not yet seen synced. A task in the set at the same hash is
 * not handed over again (a task the sync skips, such as one whose contact cannot be linked,
 * would otherwise be queued on every cycle); it leaves the set once its snapshot matches, or when
 * a whole scan no longer finds it. The jobs of a page and the cursor commit in one transaction,
 * after the page is read: a crash before the commit repeats the page's hand-over, which the
 * queue coalesces. The cursor's value is the start of the scan that last changed the set.
 *
 * Cost per cycle: one search call per `pageSize` tasks plus the short (or empty) page that ends
 * the search, and at most one `GET /users/` an hour for assignee emails (task-assignees.ts).
 * A task missing from a page, an empty page or a short page never deletes or unlinks anything:
 * deletion comes from TaskDelete and reconciliation.
 */
import type { GhlTask } from '../ghl/types.ts';
import type { JobQueue } from '../queue/index.ts';
import { getCursor, putCursor } from '../store/cursors.ts';
import { TASK_PAGE_SIZE, locationTaskPages } from './child-streams.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { alreadySynced, knownHashes } from './poll-known.ts';
import { assigneeDirectory } from './task-assignees.ts';
import { mapTask } from './task-mapping.ts';
import { TASK_SYNC_JOB, taskSyncSpec } from './task-route.ts';
import type { TaskSyncPayload } from './task-route.ts';

/** Options of one task poll. */
export interface TaskPollOptions {
  locationId: string;
  /** Where the `task-sync` jobs go. */
  queue: JobQueue;
  /** Tasks per search page; default 100. */
  pageSize?: number;
  signal?: AbortSignal | undefined;
}

/** What one task poll did. */
export interface TaskPollResult {
  locationId: string;
  pages: number;
  /** GHL search calls made (the users read for assignees is not counted). */
  calls: number;
  /** Tasks the search returned. */
  seen: number;
  /** Tasks whose content is what ttsync last synced (or that were deleted). */
  unchanged: number;
  /** Tasks already handed to the queue at this content, not handed over again. */
  alreadyQueued: number;
  /** `task-sync` jobs enqueued: tasks ttsync never synced, and tasks whose content changed. */
  enqueued: { new: number; changed: number };
  /** Tasks the search returned without a `contactId` (nothing to key a job by). */
  noContact: number;
  /** Entries in the tie-break set after the poll. */
  pending: number;
}

/** The cursor stream of a location's task poll. */
export function taskPollStream(locationId: string): string {
  return `poll:tasks:${locationId}`;
}

/** Runs one scan of `locationId`'s tasks; resolves with what it handed over. */
export async function pollTasks(
  deps: ContactSyncDeps,
  options: TaskPollOptions,
): Promise<TaskPollResult> {
  const { locationId, signal } = options;
  const pageSize = options.pageSize ?? TASK_PAGE_SIZE;
  const stream = taskPollStream(locationId);
  const startedAt = deps.clock.now();
  const cursor = await getCursor(deps.db, stream);
  const queued = new Map(cursor?.tieBreak.map(splitEntry) ?? []);
  const scanned = new Set<string>();
  const result: TaskPollResult = {
    locationId,
    pages: 0,
    calls: 0,
    seen: 0,
    unchanged: 0,
    alreadyQueued: 0,
    enqueued: { new: 0, changed: 0 },
    noContact: 0,
    pending: queued.size,
  };
  let written = cursor?.tieBreak.join('\n');
  const commit = async (jobs: TaskSyncPayload[]): Promise<void> => {
    const tieBreak = [...queued].map(([id, hash]) => `${id}:${hash}`).sort();
    if (jobs.length === 0 && tieBreak.join('\n') === (written ?? '')) return;
    // Stopped (serve closing, Ctrl-C): the page is handed over again by the next poll.
    signal?.throwIfAborted();
    await deps.db.transaction().execute(async (trx) => {
      const batch = jobs.map((job) => ({
        name: TASK_SYNC_JOB,
        payload: job,
        options: taskSyncSpec(job),
      }));
      await options.queue.enqueueMany(batch, { transaction: trx });
      const next = { value: String(startedAt), tieBreak, pageToken: undefined };
      await putCursor(trx, stream, next, deps.clock.now());
    });
    written = tieBreak.join('\n');
  };
  const ghl = deps.ghl.location(locationId, 'reconcile');
  for await (const page of locationTaskPages(ghl, { pageSize, lane: 'reconcile', signal })) {
    // One call per page: the full ones and the short (or empty) one that ends the search.
    result.pages++;
    result.calls++;
    result.seen += page.tasks.length;
    await commit(await handOver(deps, options, page.tasks, queued, result));
    for (const task of page.tasks) scanned.add(task.id);
  }
  // A complete scan: entries of tasks it no longer found (deleted, or moved) are dropped.
  for (const id of [...queued.keys()]) if (!scanned.has(id)) queued.delete(id);
  await commit([]);
  result.pending = queued.size;
  return result;
}

/** Compares one page with what ttsync synced; updates `queued`; returns the jobs to enqueue. */
async function handOver(
  deps: ContactSyncDeps,
  options: TaskPollOptions,
  tasks: readonly GhlTask[],
  queued: Map<string, string>,
  result: TaskPollResult,
): Promise<TaskSyncPayload[]> {
  const { locationId, signal } = options;
  const known = await knownHashes(
    deps.db,
    'task',
    locationId,
    tasks.map((task) => task.id),
  );
  const assignees = assigneeDirectory(deps.ghl, deps.clock);
  const jobs: TaskSyncPayload[] = [];
  for (const task of tasks) {
    if (!task.contactId) {
      result.noContact++;
      continue;
    }
    const email = task.assignedTo
      ? await assignees.email(locationId, task.assignedTo, {
          lane: 'reconcile',
          logger: deps.logger,
          signal,
        })
      : undefined;
    const { hash } = mapTask(task, email);
    const seen = known.get(task.id);
    if (alreadySynced(seen, hash)) {
      result.unchanged++;
      queued.delete(task.id);
      continue;
    }
    const short = hash.slice(0, 16);
    if (queued.get(task.id) === short) {
      result.alreadyQueued++;
      continue;
    }
    queued.set(task.id, short);
    if (seen?.hash === undefined) result.enqueued.new++;
    else result.enqueued.changed++;
    jobs.push({ locationId, contactId: task.contactId, taskId: task.id, trigger: 'poll' });
  }
  return jobs;
}

function splitEntry(entry: string): [string, string] {
  const at = entry.lastIndexOf(':');
  return [entry.slice(0, at), entry.slice(at + 1)];
}
