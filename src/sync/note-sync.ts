/**
 * GHL note → Tenant Turner note, and always → the person's timeline (issue 5):
 * - the person comes first: a note whose contact is not linked yet syncs the contact inline
 *   (the same ordering key, so no other job of this person runs meanwhile);
 * - change detection by content hash (GHL notes have no `dateUpdated`);
 * - link before write: a `pending` child link (kind `note`, parent the person link) is committed
 *   before the Tenant Turner note is created, and the create carries the GHL note id as
 *   `ExternalId`, so a retry finds the note the first attempt made;
 * - on the real surface (no notes) the note is kept on ttsync's side: versions and timeline say
 *   "not applied: Tenant Turner has no notes", and the job succeeds;
 * - every outcome records version, snapshots, timeline (source `ghl`) and audit in one
 *   transaction; a repeat finds the hash unchanged (or the link unlinked) and writes nothing.
 */
import type { Transaction } from 'kysely';
import type { GhlNote } from '../ghl/types.ts';
import { HttpError } from '../shared/errors.ts';
import { restoredTimeline, TT_RESTORE_TRIGGER } from './tt-restore.ts';
import { ensurePendingLinks, findLinkByGhlId, getLink, updateLink } from '../store/links.ts';
import type { Link } from '../store/links.ts';
import { getSnapshot, recordChanges } from '../store/records.ts';
import type { ChangeRecord } from '../store/records.ts';
import type { Database } from '../store/schema.ts';
import { MAX_NOTE_LENGTH } from '../tenant-turner/inputs.ts';
import { contentHash } from './contact-mapping.ts';
import { syncContact } from './contact-sync.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

/** One GHL note to bring across. */
export interface NoteSyncJob {
  locationId: string;
  contactId: string;
  noteId: string;
  /** `NoteCreate`, `NoteUpdate`, `NoteDelete`, or `backfill`, `poll`, `reconcile`. */
  trigger: string;
  eventId?: string | undefined;
  /** The webhook's `timestamp` as GHL wrote it: the time of an edit or a delete. */
  occurredRaw?: string | undefined;
  /** The note as the contact's list just returned it (a backfill); read from GHL when absent. */
  note?: GhlNote | undefined;
  jobId?: string | undefined;
  /** Called inside the transaction that records the outcome (the queue completing the job). */
  inTransaction?: ((trx: Transaction<Database>) => Promise<void>) | undefined;
}

/** What happened to the note. */
export type NoteSyncOutcome =
  | { kind: 'created' | 'updated'; noteId: number }
  | { kind: 'deleted'; noteId: number | undefined }
  | { kind: 'not_applied'; change: NoteChangeKind; reason: string }
  | { kind: 'unchanged' }
  | { kind: 'skipped'; reason: string };

/** The timeline kinds a note writes. */
export type NoteChangeKind = 'note_created' | 'note_updated' | 'note_deleted';

/** Why nothing reached Tenant Turner on its real surface. */
export const NO_NOTES = 'not applied: Tenant Turner has no notes';

/** The note as ttsync keeps it (the GHL snapshot). */
interface NoteState {
  body: string;
  dateAdded: string | undefined;
}

/** What the Tenant Turner side did, for the records. */
interface Written {
  applied: boolean;
  ttId: string | undefined;
  detail?: string | undefined;
  /** A new Tenant Turner note for a linked one (the old one was deleted there). */
  recreated?: boolean;
}

/** Brings one GHL note to Tenant Turner and the timeline; see the module comment. */
export async function syncNote(
  deps: ContactSyncDeps,
  job: NoteSyncJob,
  signal?: AbortSignal,
): Promise<NoteSyncOutcome> {
  const link = await findLinkByGhlId(deps.db, 'note', job.locationId, job.noteId);
  // A delete needs no person: the note's own link says what to remove.
  if (job.trigger === 'NoteDelete') return deleted(deps, job, link, signal);
  const person = await ensurePerson(deps, job);
  if (!person) {
    return { kind: 'skipped', reason: `contact ${job.contactId} is not linked to a lead` };
  }
  const note = job.note ?? (await readNote(deps, job, signal));
  if (!note) return deleted(deps, job, link, signal);
  const state: NoteState = { body: note.body ?? '', dateAdded: note.dateAdded };
  const hash = contentHash(state);
  if (link?.state === 'active') {
    const seen = await getSnapshot(deps.db, link.id, 'ghl');
    if (seen?.hash === hash) return { kind: 'unchanged' };
  }
  const now = deps.clock.now();
  if (!link || link.state !== 'active') {
    await ensurePendingLinks(
      deps.db,
      'note',
      [{ locationId: job.locationId, ghlId: job.noteId, parentId: person.id }],
      now,
    );
  }
  const pending = link ?? (await findLinkByGhlId(deps.db, 'note', job.locationId, job.noteId));
  if (!pending) throw new Error(`no pending link for note ${job.noteId}`);
  const written = await writeNote(deps, person, pending, state, signal);
  // Made again in Tenant Turner (deleted there) is recorded as the create it is; its timeline
  // entry is the note's first one, so nothing new appears there for an unchanged GHL note.
  const kind: NoteChangeKind =
    pending.state === 'active' && !written.recreated ? 'note_updated' : 'note_created';
  const change = noteChange(deps, job, pending, kind, state, hash, written);
  await commit(deps, job, pending.id, { state: 'active', ttId: written.ttId }, change);
  if (!written.applied) return { kind: 'not_applied', change: kind, reason: NO_NOTES };
  const noteId = Number(written.ttId);
  return kind === 'note_created' ? { kind: 'created', noteId } : { kind: 'updated', noteId };
}

/** The active person link, syncing the contact inline when it is not linked yet. */
async function ensurePerson(deps: ContactSyncDeps, job: NoteSyncJob): Promise<Link | undefined> {
  const linked = await findLinkByGhlId(deps.db, 'person', job.locationId, job.contactId);
  if (linked?.state === 'active' && linked.ttId !== undefined) return linked;
  await syncContact(deps, {
    locationId: job.locationId,
    contactId: job.contactId,
    trigger: 'parent',
  });
  const after = await findLinkByGhlId(deps.db, 'person', job.locationId, job.contactId);
  return after?.state === 'active' && after.ttId !== undefined ? after : undefined;
}

/** The note from GHL; undefined when it is gone (404). */
async function readNote(
  deps: ContactSyncDeps,
  job: NoteSyncJob,
  signal?: AbortSignal,
): Promise<GhlNote | undefined> {
  try {
    return await deps.ghl
      .location(job.locationId, 'webhook')
      .getNote(job.contactId, job.noteId, signal ? { signal } : {});
  } catch (error) {
    if (error instanceof HttpError && error.code === 'not_found') return undefined;
    throw error;
  }
}

/**
 * Creates or updates the Tenant Turner note where the surface has notes; a note deleted on
 * Tenant Turner's side (404) is made again.
 */
async function writeNote(
  deps: ContactSyncDeps,
  person: Link,
  link: Link,
  state: NoteState,
  signal?: AbortSignal,
): Promise<Written> {
  if (!(await deps.tt.supports('notes', signal))) {
    return { applied: false, ttId: undefined };
  }
  const call = signal ? { signal } : {};
  const truncated = state.body.length > MAX_NOTE_LENGTH;
  const text = truncated ? state.body.slice(0, MAX_NOTE_LENGTH) : state.body;
  const detail = truncated
    ? `note cut to Tenant Turner's ${MAX_NOTE_LENGTH} characters`
    : undefined;
  const linked = link.state === 'active' && link.ttId !== undefined;
  if (linked) {
    try {
      await deps.tt.notes.update(Number(link.ttId), { note: text }, call);
      return { applied: true, ttId: link.ttId, detail };
    } catch (error) {
      // Deleted on Tenant Turner's side: made again below, as a task is.
      if (!(error instanceof HttpError && error.code === 'not_found')) throw error;
    }
  }
  const { record, alreadyExisted } = await deps.tt.notes.create(
    Number(person.ttId),
    { note: text, author: 'GHL', externalId: link.ghlId ?? '' },
    call,
  );
  // A retry after a lost response finds the first note: bring its text up to date.
  if (alreadyExisted && record.note !== text) {
    await deps.tt.notes.update(record.noteId, { note: text }, call);
  }
  return { applied: true, ttId: String(record.noteId), detail, recreated: linked };
}

/** Deletes the Tenant Turner note (where it exists) and unlinks the note; once. */
async function deleted(
  deps: ContactSyncDeps,
  job: NoteSyncJob,
  link: Link | undefined,
  signal?: AbortSignal,
): Promise<NoteSyncOutcome> {
  if (!link || link.state === 'unlinked') return { kind: 'unchanged' };
  const seen = await getSnapshot(deps.db, link.id, 'ghl');
  const state = (seen?.data ?? { body: '', dateAdded: undefined }) as NoteState;
  let written: Written = { applied: false, ttId: link.ttId };
  if (await deps.tt.supports('notes', signal)) {
    // A pending link (a crash after the create, before its commit) has no TT id: look it up.
    const ttId = link.ttId ?? (await findTtNote(deps, link, signal));
    if (ttId !== undefined) {
      try {
        await deps.tt.notes.delete(Number(ttId), signal ? { signal } : {});
      } catch (error) {
        // Already gone (a retry after the delete went through).
        if (!(error instanceof HttpError && error.code === 'not_found')) throw error;
      }
    }
    written = { applied: true, ttId };
  }
  const change = noteChange(deps, job, link, 'note_deleted', state, 'deleted', written);
  change.snapshots = [];
  await commit(deps, job, link.id, { state: 'unlinked' }, change);
  if (!written.applied) return { kind: 'not_applied', change: 'note_deleted', reason: NO_NOTES };
  return { kind: 'deleted', noteId: written.ttId === undefined ? undefined : Number(written.ttId) };
}

/** The id of the Tenant Turner note carrying this link's GHL id as `ExternalId`, if any. */
async function findTtNote(
  deps: ContactSyncDeps,
  link: Link,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const person = link.parentId !== undefined ? await getLink(deps.db, link.parentId) : undefined;
  if (person?.ttId === undefined) return undefined;
  for await (const note of deps.tt.notes.list(Number(person.ttId), signal ? { signal } : {})) {
    if (note.externalId === link.ghlId) return String(note.noteId);
  }
  return undefined;
}

/** Activates or unlinks the note link and records the change, with the job's completion. */
async function commit(
  deps: ContactSyncDeps,
  job: NoteSyncJob,
  linkId: string,
  patch: { state: 'active' | 'unlinked'; ttId?: string | undefined },
  change: ChangeRecord,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await updateLink(
      trx,
      linkId,
      { state: patch.state, ...(patch.ttId !== undefined ? { ttId: patch.ttId } : {}) },
      now,
    );
    await recordChanges(trx, [change], now);
    await job.inTransaction?.(trx);
  });
}

const SUMMARY: Record<NoteChangeKind, string> = {
  note_created: 'Note added in GHL',
  note_updated: 'Note edited in GHL',
  note_deleted: 'Note deleted in GHL',
};

/** The records of one note change. */
function noteChange(
  deps: ContactSyncDeps,
  job: NoteSyncJob,
  link: Link,
  kind: NoteChangeKind,
  state: NoteState,
  hash: string,
  written: Written,
): ChangeRecord {
  const added = state.dateAdded !== undefined ? Date.parse(state.dateAdded) : Number.NaN;
  const sourceTs = Number.isNaN(added) ? undefined : added;
  // A creation is at the note's `dateAdded`; an edit or a delete at the webhook's timestamp
  // (a poll or a backfill has none: then when ttsync learned of it). Both as GHL wrote them.
  const raw = kind === 'note_created' ? state.dateAdded : job.occurredRaw;
  const parsed = raw === undefined ? Number.NaN : Date.parse(raw);
  const occurredAt = Number.isNaN(parsed) ? deps.clock.now() : parsed;
  const excerpt = state.body.length > 80 ? `${state.body.slice(0, 77)}...` : state.body;
  const note = written.applied ? written.detail : NO_NOTES;
  const record: ChangeRecord = {
    linkId: link.id,
    side: 'tt',
    source: `ghl:${job.trigger}`,
    sourceEventId: job.eventId,
    sourceTs,
    mappingVersion: deps.mapping.version,
    beforeHash: undefined,
    afterHash: hash,
    change: kind === 'note_deleted' ? {} : { note: state.body },
    outcome: written.applied ? 'applied' : 'not_applied',
    note,
    snapshots: [
      { side: 'ghl', data: state, hash, sourceUpdatedAt: sourceTs },
      ...(written.applied ? [{ side: 'tt' as const, data: state, hash }] : []),
    ],
    provenance: [{ field: 'note', sourceField: 'body', valueHash: hash }],
    timeline: {
      occurredAt,
      occurredRaw: Number.isNaN(parsed) ? undefined : raw,
      source: 'ghl',
      kind,
      summary: `${SUMMARY[kind]}${kind === 'note_deleted' ? '' : `: ${excerpt}`}${written.applied ? '' : ` (${NO_NOTES})`}`,
      // An edit back to an earlier text is a new entry: the hash alone would repeat.
      refId: kind === 'note_updated' ? `${hash}@${occurredAt}` : job.noteId,
      data: { ghlNoteId: job.noteId, ttNoteId: written.ttId, dateAdded: state.dateAdded },
    },
    audit: {
      actor: 'sync',
      action: `tt.${kind.replace('_', '.')}`,
      targetId: written.ttId,
      after: kind === 'note_deleted' ? undefined : { note: state.body },
      result: written.applied ? 'ok' : 'not_applied',
      detail: note,
      jobId: job.jobId,
    },
  };
  if (job.trigger === TT_RESTORE_TRIGGER) {
    const what = `"${excerpt}"`;
    record.timeline = restoredTimeline('note', what, written.ttId, hash, deps.clock.now());
  }
  return record;
}
