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
import type { GhlNote } from '../ghl/types.ts';
import { getCursor, putCursor } from '../store/cursors.ts';
import { findLinkByGhlId } from '../store/links.ts';
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
  /** Notes read ahead while the contacts phase ran. */
  prefetch?: NotePrefetch | undefined;
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
  const readSince = await lastPassStart(deps, locationId, options.restart);
  const passStartedAt = position?.passStartedAt ?? started;
  const ghl = deps.ghl.location(locationId, 'backfill');
  // From here the phase reads for itself; a contact still queued for read-ahead would be read twice.
  options.prefetch?.stop();
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
      const notes =
        (await options.prefetch?.take(contactId)) ??
        (await contactNotes(ghl, contactId, { lane: 'backfill', signal }));
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

/** When the last finished notes pass started, unless `restart` (then every contact is read). */
async function lastPassStart(
  deps: ContactSyncDeps,
  locationId: string,
  restart: boolean | undefined,
): Promise<number | undefined> {
  const mark = restart ? undefined : await getCursor(deps.db, markStream(locationId));
  return mark ? Number(mark.value) : undefined;
}

/**
 * Notes read ahead during the contacts phase, whose GHL budget is otherwise idle (one search
 * call per 500 contacts): each committed contacts page is offered, and the notes of those of
 * its contacts the notes phase will need are read, at most `limit` contacts ahead. The notes
 * phase takes them instead of reading; nothing is written from here.
 */
export class NotePrefetch {
  readonly #deps: ContactSyncDeps;
  readonly #locationId: string;
  readonly #signal: AbortSignal | undefined;
  readonly #limit: number;
  readonly #width: number;
  readonly #readSince: Promise<number | undefined>;
  readonly #reads = new Map<string, Promise<GhlNote[] | undefined>>();
  readonly #queue: string[] = [];
  #running = 0;
  #stopped = false;

  constructor(
    deps: ContactSyncDeps,
    options: Pick<ChildPhaseOptions, 'locationId' | 'restart' | 'signal'> & {
      limit?: number;
      concurrency?: number;
    },
  ) {
    this.#deps = deps;
    this.#locationId = options.locationId;
    this.#signal = options.signal;
    this.#limit = options.limit ?? 2_000;
    this.#width = options.concurrency ?? 4;
    this.#readSince = lastPassStart(deps, options.locationId, options.restart);
  }

  /** Contacts whose page has committed: read their notes if there is room. */
  offer(contactIds: readonly string[]): void {
    for (const id of contactIds) {
      if (this.#stopped || this.#queue.length + this.#reads.size >= this.#limit) break;
      this.#queue.push(id);
    }
    this.#pump();
  }

  /** The notes read ahead for `contactId` (undefined: not read ahead, or the read failed). */
  take(contactId: string): Promise<GhlNote[] | undefined> | undefined {
    const read = this.#reads.get(contactId);
    this.#reads.delete(contactId);
    return read;
  }

  /** Starts no more reads (those under way can still be taken). */
  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
  }

  #pump(): void {
    while (!this.#stopped && this.#running < this.#width && this.#queue.length > 0) {
      const contactId = this.#queue.shift() as string;
      this.#running++;
      const read = this.#read(contactId).finally(() => {
        this.#running--;
        this.#pump();
      });
      this.#reads.set(contactId, read);
      // A contact whose notes are not needed leaves no entry behind.
      void read.then((notes) => {
        if (notes === undefined && this.#reads.get(contactId) === read) {
          this.#reads.delete(contactId);
        }
      });
    }
  }

  async #read(contactId: string): Promise<GhlNote[] | undefined> {
    try {
      const link = await findLinkByGhlId(this.#deps.db, 'person', this.#locationId, contactId);
      if (link?.state !== 'active' || link.ttId === undefined) return undefined;
      const person = { id: link.id, contactId, createdAt: link.createdAt };
      if (!(await needsNotes(this.#deps, person, await this.#readSince))) return undefined;
      const ghl = this.#deps.ghl.location(this.#locationId, 'backfill');
      return await contactNotes(ghl, contactId, { lane: 'backfill', signal: this.#signal });
    } catch (error) {
      this.#deps.logger.debug({ contactId, err: error }, 'notes read-ahead failed; read later');
      return undefined;
    }
  }
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
