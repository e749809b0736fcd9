/**
 * On the extended surface, where Tenant Turner has tasks and notes, reconciliation also compares
 * each linked task and note with the Tenant Turner record ttsync wrote: one list call per linked
 * person and kind (Tenant Turner lists a lead's tasks and notes, nothing wider). A record someone
 * changed in Tenant Turner is `different`, field by field (Tenant Turner → what ttsync would
 * write); the heal writes ttsync's version back through the same sync as the webhooks. A record
 * the list does not return and a `GET` answers 404 for was deleted in Tenant Turner: `different`
 * too, and the heal makes it again (the sync's update meets the 404 and creates). On the real
 * surface nothing is read: drift is judged against ttsync's records alone (reconcile-children.ts).
 */
import type { Link } from '../store/links.ts';
import { MAX_NOTE_LENGTH } from '../tenant-turner/inputs.ts';
import type { Note, Task } from '../tenant-turner/resources.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import type { FieldDrift } from './reconcile.ts';
import { stillThere } from './reconcile-sources.ts';
import type { SeenSnapshot } from './reconcile-sources.ts';
import type { TaskState } from './task-mapping.ts';

/** A linked child whose Tenant Turner record differs from what ttsync last wrote. */
export interface TtDrift {
  child: 'task' | 'note';
  link: Link;
  person: Link;
  fields: FieldDrift[];
  /** The Tenant Turner record as a GHL-side snapshot, which makes the sync write its version. */
  asSnapshot: unknown;
  /** Not there any more (a `GET` answered 404). */
  deleted?: boolean | undefined;
}

/** The `actual` of a record deleted in Tenant Turner. */
export const DELETED_IN_TT = 'deleted in Tenant Turner';

const TASK_FIELDS = ['title', 'description', 'taskStatus', 'dueDate', 'assignedToUserEmail'];

/** The task as Tenant Turner holds it, in the task sync's shape. */
function taskStateOf(task: Task, externalId: string): TaskState {
  return {
    title: task.title,
    ...(task.description ? { description: task.description } : {}),
    taskStatus: task.taskStatus === 'Completed' ? 'Completed' : 'New',
    ...(task.dueDate ? { dueDate: task.dueDate } : {}),
    ...(task.assignedToUserEmail ? { assignedToUserEmail: task.assignedToUserEmail } : {}),
    externalId,
  };
}

/**
 * Compares the Tenant Turner tasks and notes of `people` with the snapshots of their links;
 * resolves with the drift and the Tenant Turner calls made. Writes nothing.
 */
export async function scanTtChildren(
  deps: ContactSyncDeps,
  links: { task: Iterable<Link>; note: Iterable<Link> },
  people: ReadonlyMap<string, Link>,
  snapshots: ReadonlyMap<string, SeenSnapshot>,
  signal?: AbortSignal,
): Promise<{ drift: TtDrift[]; calls: number }> {
  const drift: TtDrift[] = [];
  let calls = 0;
  const call = signal ? { signal } : {};
  for (const child of ['task', 'note'] as const) {
    if (!(await deps.tt.supports(child === 'task' ? 'tasks' : 'notes', signal))) continue;
    const byPerson = new Map<string, Link[]>();
    for (const link of links[child]) {
      if (link.state !== 'active' || link.ttId === undefined || link.parentId === undefined) {
        continue;
      }
      const list = byPerson.get(link.parentId) ?? [];
      list.push(link);
      byPerson.set(link.parentId, list);
    }
    for (const [personId, children] of byPerson) {
      const person = people.get(personId);
      if (person?.ttId === undefined) continue;
      const records = new Map<string, Task | Note>();
      calls++;
      const listed =
        child === 'task'
          ? deps.tt.tasks.list(Number(person.ttId), call)
          : deps.tt.notes.list(Number(person.ttId), call);
      for await (const record of listed) {
        records.set(String('taskId' in record ? record.taskId : record.noteId), record);
      }
      for (const link of children) {
        const record = records.get(link.ttId ?? '');
        const seen = snapshots.get(link.id)?.data as Record<string, unknown> | undefined;
        if (!seen) continue;
        if (!record) {
          // Not listed: deleted there only if a GET says so (never from absence alone).
          calls++;
          const id = Number(link.ttId);
          const read = (): Promise<unknown> =>
            child === 'task' ? deps.tt.tasks.get(id, call) : deps.tt.notes.get(id, call);
          if (!(await stillThere(read))) {
            drift.push({
              child,
              link,
              person,
              fields: [{ field: child, expected: 'present', actual: DELETED_IN_TT }],
              // An empty last-synced snapshot: every field differs, and the sync's update meets
              // the 404 and creates the record again.
              asSnapshot: {},
              deleted: true,
            });
          }
          continue;
        }
        const found =
          child === 'task'
            ? compareTask(record as Task, seen, link)
            : compareNote(record as Note, seen);
        if (found) drift.push({ child, link, person, ...found });
      }
    }
  }
  return { drift, calls };
}

function compareTask(
  task: Task,
  seen: Record<string, unknown>,
  link: Link,
): Pick<TtDrift, 'fields' | 'asSnapshot'> | undefined {
  const actual = taskStateOf(task, link.ghlId ?? '') as unknown as Record<string, unknown>;
  const fields = TASK_FIELDS.filter((f) => (actual[f] ?? '') !== (seen[f] ?? '')).map((field) => ({
    field,
    expected: seen[field],
    actual: actual[field],
  }));
  return fields.length > 0 ? { fields, asSnapshot: actual } : undefined;
}

function compareNote(
  note: Note,
  seen: Record<string, unknown>,
): Pick<TtDrift, 'fields' | 'asSnapshot'> | undefined {
  const body = typeof seen['body'] === 'string' ? seen['body'] : '';
  const expected = body.slice(0, MAX_NOTE_LENGTH);
  if (note.note === expected) return undefined;
  return {
    fields: [{ field: 'note', expected, actual: note.note }],
    asSnapshot: { body: note.note, dateAdded: seen['dateAdded'] },
  };
}
