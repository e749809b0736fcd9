/**
 * The records a task outcome leaves (versions, snapshots, provenance, a timeline entry with
 * source `ghl` at GHL's time, and audit), for `task-sync.ts` to commit in one transaction.
 */
import type { AuditEntry, ChangeRecord } from '../store/records.ts';
import type { Link } from '../store/links.ts';
import { NO_TASKS } from './task-mapping.ts';
import { restoredTimeline, TT_RESTORE_TRIGGER } from './tt-restore.ts';
import type { MappedTask, TaskState } from './task-mapping.ts';
import type { TaskSyncDeps, TaskSyncJob } from './task-sync.ts';

/** What one task outcome was. */
export interface TaskFacts {
  kind: string;
  fields: (keyof TaskState)[];
  mapped: MappedTask | undefined;
  beforeHash: string | undefined;
  ttId: string | undefined;
  applied: boolean;
  /** The title last synced, for the words of a deletion (which has no mapped task). */
  lastTitle?: string | undefined;
}

const SOURCE_FIELDS: Record<keyof TaskState, string> = {
  title: 'title',
  description: 'body',
  taskStatus: 'completed',
  dueDate: 'dueDate',
  assignedToUserEmail: 'assignedTo',
  externalId: 'id',
};

/** The records of one task outcome: version, snapshots, provenance, timeline and audit. */
export function changeRecord(
  deps: TaskSyncDeps,
  job: TaskSyncJob,
  link: Link,
  facts: TaskFacts,
): ChangeRecord {
  const parsed = job.occurredRaw ? Date.parse(job.occurredRaw) : Number.NaN;
  const occurredAt = Number.isNaN(parsed) ? deps.clock.now() : parsed;
  const state = facts.mapped?.state;
  const afterHash = facts.mapped?.hash ?? 'deleted';
  const verb = facts.kind.replace('task_', '');
  const title = state?.title ?? facts.lastTitle;
  const what = title !== undefined ? `"${title}"` : job.taskId;
  const summary = facts.applied
    ? `Task ${what} ${verb} in GHL; Tenant Turner task ${facts.ttId ?? '(none)'} ${verb === 'created' || verb === 'deleted' ? verb : 'updated'}`
    : `Task ${what} ${verb} in GHL; ${NO_TASKS}`;
  const action =
    facts.kind === 'task_created'
      ? 'tt.task.create'
      : facts.kind === 'task_deleted'
        ? 'tt.task.delete'
        : 'tt.task.update';
  const record: ChangeRecord = {
    linkId: link.id,
    side: 'tt',
    source: `ghl:${job.trigger}`,
    sourceEventId: job.eventId,
    sourceTs: Number.isNaN(parsed) ? undefined : parsed,
    mappingVersion: deps.mapping.version,
    beforeHash: facts.beforeHash,
    afterHash,
    change: state ? Object.fromEntries(facts.fields.map((k) => [k, state[k]])) : { deleted: true },
    outcome: facts.applied ? 'applied' : 'not_applied',
    note: facts.applied ? undefined : NO_TASKS,
    snapshots:
      state && facts.mapped
        ? [
            { side: 'ghl', data: state, hash: facts.mapped.hash, sourceUpdatedAt: occurredAt },
            ...(facts.applied
              ? [{ side: 'tt' as const, data: state, hash: facts.mapped.hash }]
              : []),
          ]
        : [],
    provenance: state
      ? facts.fields.map((field) => ({
          field,
          sourceField: SOURCE_FIELDS[field],
          valueHash: afterHash,
        }))
      : [],
    timeline: {
      occurredAt,
      occurredRaw: job.occurredRaw,
      source: 'ghl',
      kind: facts.kind,
      summary,
      // A task may come back to an earlier state (completed, reopened, completed): each change
      // gets its own entry. A job records at most one change, with its completion.
      refId:
        facts.kind === 'task_deleted'
          ? `deleted:${job.taskId}`
          : `${afterHash}:${job.eventId ?? String(deps.clock.now())}`,
      data: {
        ghlTaskId: job.taskId,
        contactId: job.contactId,
        ttTaskId: facts.ttId,
        fields: facts.fields,
        outcome: facts.applied ? 'applied' : 'not_applied',
      },
    },
    audit: {
      actor: 'sync',
      action,
      targetId: facts.ttId,
      after: state ?? { ghlTaskId: job.taskId, deleted: true },
      result: facts.applied ? 'ok' : 'not_applied',
      detail: facts.applied ? undefined : NO_TASKS,
      jobId: job.jobId,
    },
  };
  if (job.trigger === TT_RESTORE_TRIGGER) {
    record.timeline = restoredTimeline('task', what, facts.ttId, afterHash, deps.clock.now());
  }
  return record;
}

/** The audit row of a task that waits for its person. */
export function skipAudit(job: TaskSyncJob, reason: string): AuditEntry {
  return {
    actor: 'sync',
    action: 'tt.task.skip',
    targetSide: 'tt',
    targetId: undefined,
    after: { ghlTaskId: job.taskId, contactId: job.contactId },
    result: 'skipped',
    detail: reason,
    jobId: job.jobId,
  };
}
