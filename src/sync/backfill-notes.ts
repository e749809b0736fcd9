/**
 * `ttsync backfill notes`: the notes of the location's linked contacts. GHL lists notes only per
 * contact (`GET /contacts/{id}/notes`, one call each), so this is where a backfill's calls go,
 * and it reads a contact's notes only where needed:
 * - only contacts with a lead (an active person link): notes of any other contact could not
 *   reach Tenant Turner, so they are not read at all;
 * - once per contact: after a notes pass has finished, a later backfill reads only contacts
 *   linked since that pass started, or whose GHL `dateUpdated` is later than that; notes that
 *   change afterwards reach ttsync through NoteCreate / NoteUpdate / NoteDelete and
 *   reconciliation. `--restart` reads every linked contact's notes again.
 * Each note is synced by `syncNote` with the note as listed (no second read). Contacts are walked
 * in person-link order, a batch at a time; checkpoint: the last link of the batch done.
 */
import { getCursor, putCursor } from '../store/cursors.ts';
import { getSnapshot } from '../store/records.ts';
import { PhaseCheckpoint, eachAtOnce, handOver, snapshot, syncChild } from './backfill-phase.ts';
import type { ChildFailure, ChildPhaseOptions, ChildPhaseProgress } from './backfill-phase.ts';
import { contactNotes } from './child-streams.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { NOTE_SYNC_JOB } from './note-jobs.ts';
import type { NoteSyncPayload } from './note-jobs.ts';
import { syncNote } from './note-sync.ts';

export interface NoteBackfillOptions extends ChildPhaseOptions {
  /** Contacts per checkpoint; default 200. */
  batchSize?: number | undefined;
}

interface Position {
  /** The last person link done. */
  afterId: string;
  /** When this pass started: the mark a later backfill compares with. */
  passStartedAt: number;
}

/** Stream of the mark: when the last finished notes pass started. */
const markStream = (locationId: string): string => `backfill:notes-read:${locationId}`;

/** Runs (or resumes) the notes phase; resolves with its final counts. */
export async function backfillNotes(
  deps: ContactSyncDeps,
  options: NoteBackfillOptions,
): Promise<ChildPhaseProgress> {
  const { locationId, signal } = options;
  const started = deps.clock.now();
  const checkpoint = new PhaseCheckpoint<Position>(deps, 'notes', locationId);
  const { position, progress } = await checkpoint.start('notes', options);
  const mark = options.restart ? undefined : await getCursor(deps.db, markStream(locationId));
  const readSince = mark ? Number(mark.value) : undefined;
  const passStartedAt = position?.passStartedAt ?? started;
  const ghl = deps.ghl.location(locationId, 'backfill');
  let afterId = position?.afterId;
  for (;;) {
    const batch = await linkedPeople(deps, locationId, afterId, options.batchSize ?? 200);
    if (batch.length === 0) break;
    progress.remainingCalls = await peopleAfter(deps, locationId, afterId);
    const failed: ChildFailure[] = [];
    await eachAtOnce(batch, options, async (person) => {
      const { contactId } = person;
      if (!(await needsNotes(deps, person, readSince))) {
        progress.contactsSkipped++;
        return;
      }
      const notes = await contactNotes(ghl, contactId, { lane: 'backfill', signal });
      progress.calls++;
      progress.contactsRead++;
      progress.records += notes.length;
      for (const note of notes) {
        const payload: NoteSyncPayload = {
          locationId,
          contactId,
          noteId: note.id,
          trigger: 'backfill',
        };
        const item = {
          contactId,
          sync: async () => (await syncNote(deps, { ...payload, note }, signal)).kind,
          retry: { name: NOTE_SYNC_JOB, payload, coalesceKey: `note:${note.id}` },
        };
        await syncChild(item, options, progress, failed);
      }
    });
    await handOver(deps, failed, options, progress);
    afterId = (batch.at(-1) as Person).id;
    progress.pages++;
    progress.elapsedMs = deps.clock.now() - started;
    await checkpoint.save({ afterId, passStartedAt }, progress);
    options.onProgress?.(snapshot(progress));
  }
  await putCursor(
    deps.db,
    markStream(locationId),
    { value: String(passStartedAt), tieBreak: [], pageToken: undefined },
    deps.clock.now(),
  );
  await checkpoint.clear();
  progress.done = true;
  progress.remainingCalls = 0;
  progress.elapsedMs = deps.clock.now() - started;
  return progress;
}

/** A contact with a lead, as the notes phase walks them. */
interface Person {
  id: string;
  contactId: string;
  createdAt: number;
}

/** Whether a contact's notes must be read (see the module comment). */
async function needsNotes(
  deps: ContactSyncDeps,
  person: Person,
  readSince: number | undefined,
): Promise<boolean> {
  if (readSince === undefined || person.createdAt >= readSince) return true;
  const seen = await getSnapshot(deps.db, person.id, 'ghl');
  return (seen?.sourceUpdatedAt ?? Infinity) > readSince;
}

/** Active person links of the location with a lead, after `afterId`, in id order. */
function people(deps: ContactSyncDeps, locationId: string, afterId: string | undefined) {
  let query = deps.db
    .selectFrom('links')
    .where('kind', '=', 'person')
    .where('state', '=', 'active')
    .where('location_id', '=', locationId)
    .where('ghl_id', 'is not', null)
    .where('tt_id', 'is not', null);
  if (afterId !== undefined) query = query.where('id', '>', afterId);
  return query;
}

/** The next `limit` people after `afterId`. */
async function linkedPeople(
  deps: ContactSyncDeps,
  locationId: string,
  afterId: string | undefined,
  limit: number,
): Promise<Person[]> {
  const rows = await people(deps, locationId, afterId)
    .select(['id', 'ghl_id', 'created_at'])
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    contactId: row.ghl_id as string,
    createdAt: Number(row.created_at),
  }));
}

/** How many people come after `afterId`: the most notes calls still to make. */
async function peopleAfter(
  deps: ContactSyncDeps,
  locationId: string,
  afterId: string | undefined,
): Promise<number> {
  const row = await people(deps, locationId, afterId)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
