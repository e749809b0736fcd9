/**
 * GHL task → Tenant Turner task, effectively once, following its person:
 * - the person is linked first (inline `syncContact` when not; the job has the person's key);
 * - the task is read from GHL (the event may be stale; a 404 means deleted), mapped, and its
 *   hash compared with the last one synced: the same hash writes nothing;
 * - a `pending` task link (parent: the person link) is committed before the create, and the
 *   create carries the GHL task id as `ExternalId`, so a retried create returns the first task;
 * - on the real surface (no tasks) the change is kept on ttsync's side: versions and the
 *   timeline say "not applied: Tenant Turner has no tasks", and the job succeeds;
 * - every outcome records link, snapshots, version, timeline (source `ghl`, the GHL time) and
 *   audit in one transaction, with the job's completion.
 */
import type { Transaction } from 'kysely';
import type { GhlTask } from '../ghl/types.ts';
import type { Lane } from '../ghl/rate-limiter.ts';
import { HttpError } from '../shared/errors.ts';
import { ensurePendingLinks, findLinkByGhlId, updateLink } from '../store/links.ts';
import type { Link } from '../store/links.ts';
import { getSnapshot, insertAudit, recordChanges } from '../store/records.ts';
import type { Database } from '../store/schema.ts';
import { syncContact } from './contact-sync.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { assigneeDirectory } from './task-assignees.ts';
import { changedTaskFields, mapTask, taskChangeKind, taskInput } from './task-mapping.ts';
import { NO_TASKS } from './task-mapping.ts';
import type { TaskState } from './task-mapping.ts';
import { changeRecord, skipAudit } from './task-records.ts';

/** The task sync needs what the contact sync needs (it may link the person inline). */
export type TaskSyncDeps = ContactSyncDeps;

/** One GHL task to bring across. */
export interface TaskSyncJob {
  locationId: string;
  contactId: string;
  taskId: string;
  /** A webhook event type (`TaskCreate`, `TaskComplete`, `TaskDelete`), or `poll`, `reconcile`. */
  trigger: string;
  eventId?: string | undefined;
  /** GHL's time of the change as GHL wrote it (event `dateAdded` or `timestamp`). */
  occurredRaw?: string | undefined;
  lane?: Lane | undefined;
  /** The task as the location search just returned it (a backfill); read from GHL when absent. */
  task?: GhlTask | undefined;
  jobId?: string | undefined;
  /** Called inside the transaction that records the outcome (the queue completing the job). */
  inTransaction?: ((trx: Transaction<Database>) => Promise<void>) | undefined;
}

/** What happened to the task. */
export type TaskSyncOutcome =
  | { kind: 'created'; ttTaskId: number }
  | { kind: 'updated'; ttTaskId: number; fields: string[] }
  | { kind: 'deleted'; ttTaskId: number | undefined }
  | { kind: 'not_applied'; change: string; reason: string }
  | { kind: 'unchanged' }
  | { kind: 'skipped'; reason: string };

/** Brings one GHL task to Tenant Turner; see the module comment for the guarantees. */
export async function syncTask(
  deps: TaskSyncDeps,
  job: TaskSyncJob,
  signal?: AbortSignal,
): Promise<TaskSyncOutcome> {
  const person = await ensurePerson(deps, job, signal);
  if (!person) {
    const reason = `contact ${job.contactId} cannot be linked to a lead (see its audit row); task ${job.taskId} not synced until the contact is fixed and the task changes or is polled`;
    await commit(deps, job, async (trx) => {
      await insertAudit(trx, [skipAudit(job, reason)], deps.clock.now());
    });
    return { kind: 'skipped', reason };
  }
  const existing = await findLinkByGhlId(deps.db, 'task', job.locationId, job.taskId);
  const task =
    job.trigger === 'TaskDelete' ? undefined : (job.task ?? (await readTask(deps, job, signal)));
  const supported = await deps.tt.supports('tasks', signal);
  if (!task) return removeTask(deps, job, existing, supported, signal);
  if (existing?.state === 'unlinked') return { kind: 'unchanged' };
  const email = task.assignedTo
    ? await assigneeDirectory(deps.ghl, deps.clock).email(job.locationId, task.assignedTo, {
        lane: job.lane,
        logger: deps.logger,
        signal,
      })
    : undefined;
  const mapped = mapTask(task, email);
  const seen =
    existing?.state === 'active' ? await getSnapshot(deps.db, existing.id, 'ghl') : undefined;
  if (seen?.hash === mapped.hash) return { kind: 'unchanged' };
  const before = seen?.data as TaskState | undefined;
  const kind = taskChangeKind(before, mapped.state);
  const fields = changedTaskFields(before, mapped.state);
  const link = existing ?? (await pendingLink(deps, job, person));
  const { outcome, ttId } = supported
    ? await writeTask(deps, { link, person, state: mapped.state, fields }, signal)
    : {
        outcome: { kind: 'not_applied', change: kind, reason: NO_TASKS } as const,
        ttId: link.ttId,
      };
  const record = changeRecord(deps, job, link, {
    kind,
    fields,
    mapped,
    beforeHash: seen?.hash,
    ttId,
    applied: supported,
  });
  await commit(deps, job, async (trx, now) => {
    await updateLink(trx, link.id, { state: 'active', ...(ttId ? { ttId } : {}) }, now);
    await recordChanges(trx, [record], now);
  });
  return outcome;
}

/**
 * The Tenant Turner write: a create when the task has no TT id yet (idempotent by
 * `ExternalId`), else an update of the changed fields; a TT task deleted on Tenant Turner's side
 * (404) is made again.
 */
async function writeTask(
  deps: TaskSyncDeps,
  target: { link: Link; person: Link; state: TaskState; fields: (keyof TaskState)[] },
  signal?: AbortSignal,
): Promise<{ outcome: TaskSyncOutcome; ttId: string }> {
  const { link, person, state, fields } = target;
  const call = signal ? { signal } : {};
  if (link.ttId !== undefined && link.state === 'active') {
    const patch: Record<string, string> = {};
    for (const field of fields) {
      const value = state[field];
      if (field !== 'externalId' && (value !== undefined || field === 'description')) {
        patch[field] = value ?? '';
      }
    }
    try {
      await deps.tt.tasks.update(Number(link.ttId), patch, call);
      return {
        outcome: { kind: 'updated', ttTaskId: Number(link.ttId), fields },
        ttId: link.ttId,
      };
    } catch (error) {
      if (!(error instanceof HttpError && error.code === 'not_found')) throw error;
    }
  }
  const created = await deps.tt.tasks.create(Number(person.ttId), taskInput(state), call);
  const ttTaskId = created.record.taskId;
  return { outcome: { kind: 'created', ttTaskId }, ttId: String(ttTaskId) };
}

/** The person link, active; links it inline when it is not. Undefined when it cannot be. */
async function ensurePerson(
  deps: TaskSyncDeps,
  job: TaskSyncJob,
  signal?: AbortSignal,
): Promise<Link | undefined> {
  const found = await findLinkByGhlId(deps.db, 'person', job.locationId, job.contactId);
  if (found?.state === 'active' && found.ttId !== undefined) return found;
  await syncContact(
    deps,
    { locationId: job.locationId, contactId: job.contactId, trigger: 'parent', lane: job.lane },
    signal,
  );
  const linked = await findLinkByGhlId(deps.db, 'person', job.locationId, job.contactId);
  return linked?.state === 'active' && linked.ttId !== undefined ? linked : undefined;
}

/** The task as GHL has it now; undefined when GHL answers 404 (deleted). */
async function readTask(
  deps: TaskSyncDeps,
  job: TaskSyncJob,
  signal?: AbortSignal,
): Promise<GhlTask | undefined> {
  try {
    return await deps.ghl
      .location(job.locationId, job.lane ?? 'webhook')
      .getTask(job.contactId, job.taskId, signal ? { signal } : {});
  } catch (error) {
    if (error instanceof HttpError && error.code === 'not_found') return undefined;
    throw error;
  }
}

/** Commits the `pending` task link before any write, and reads it back. */
async function pendingLink(deps: TaskSyncDeps, job: TaskSyncJob, person: Link): Promise<Link> {
  const record = { locationId: job.locationId, ghlId: job.taskId, parentId: person.id };
  await ensurePendingLinks(deps.db, 'task', [record], deps.clock.now());
  const link = await findLinkByGhlId(deps.db, 'task', job.locationId, job.taskId);
  if (!link) throw new Error(`task ${job.taskId}: the pending link was not stored`);
  return link;
}

/** A task GHL deleted: deleted in Tenant Turner where it can be, recorded, unlinked. */
async function removeTask(
  deps: TaskSyncDeps,
  job: TaskSyncJob,
  link: Link | undefined,
  supported: boolean,
  signal?: AbortSignal,
): Promise<TaskSyncOutcome> {
  if (!link || link.state === 'unlinked') return { kind: 'unchanged' };
  const ttTaskId = link.ttId === undefined ? undefined : Number(link.ttId);
  if (supported && ttTaskId !== undefined) {
    try {
      await deps.tt.tasks.delete(ttTaskId, signal ? { signal } : {});
    } catch (error) {
      if (!(error instanceof HttpError && error.code === 'not_found')) throw error;
    }
  }
  const seen = await getSnapshot(deps.db, link.id, 'ghl');
  const record = changeRecord(deps, job, link, {
    kind: 'task_deleted',
    fields: [],
    mapped: undefined,
    beforeHash: seen?.hash,
    ttId: link.ttId,
    applied: supported,
    lastTitle: (seen?.data as Partial<TaskState> | undefined)?.title,
  });
  await commit(deps, job, async (trx, now) => {
    await updateLink(trx, link.id, { state: 'unlinked' }, now);
    await recordChanges(trx, [record], now);
  });
  return supported
    ? { kind: 'deleted', ttTaskId }
    : { kind: 'not_applied', change: 'task_deleted', reason: NO_TASKS };
}

async function commit(
  deps: TaskSyncDeps,
  job: TaskSyncJob,
  write: (trx: Transaction<Database>, now: number) => Promise<void>,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await write(trx, deps.clock.now());
    await job.inTransaction?.(trx);
  });
}
