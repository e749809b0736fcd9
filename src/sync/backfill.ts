/**
 * `ttsync backfill contacts`: every GHL contact of a location through the contact sync, streamed
 * from GHL search at 500 a page (`searchAfter` past 10,000), checkpointed after each page's
 * writes, resumable after a crash. Only one page is in memory at a time. A contact that fails
 * is handed to the job queue (retries, then the dead-letter list) instead of stopping the run.
 */
import type { GhlSearchContact } from '../ghl/types.ts';
import type { JobQueue } from '../queue/index.ts';
import { deleteCursor, getCursor, putCursor } from '../store/cursors.ts';
import { handOverFailures, noContactOutcomes, planAndApplyPage } from './contact-page.ts';
import type { ContactOutcomeCounts } from './contact-page.ts';
import { commitEffects } from './contact-sync.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

/** Counts so far. */
export interface BackfillProgress {
  locationId: string;
  pages: number;
  contacts: number;
  /** Contacts GHL reports for the location (from the first page). */
  total: number | undefined;
  outcomes: ContactOutcomeCounts;
  /** True when this run continued from a checkpoint. */
  resumed: boolean;
  elapsedMs: number;
}

export interface BackfillOptions {
  locationId: string;
  /** Contacts synced at once within a page; default 8. */
  concurrency?: number;
  /** Records per search page, 1..500; default 500. */
  pageLimit?: number;
  /** Ignore a checkpoint and start from the first contact. */
  restart?: boolean | undefined;
  /** Failed contacts go here as jobs; without a queue a failure stops the backfill. */
  queue?: JobQueue | undefined;
  onProgress?: (progress: BackfillProgress) => void;
  /** Called with the contact ids of each page once its records are committed. */
  onPage?: ((contactIds: string[]) => void) | undefined;
  signal?: AbortSignal | undefined;
}

interface Checkpoint {
  searchAfter: GhlSearchContact['searchAfter'];
  pages: number;
  contacts: number;
  outcomes: BackfillProgress['outcomes'];
}

/** Runs (or resumes) the backfill of one location; resolves with the final counts. */
export async function backfillContacts(
  deps: ContactSyncDeps,
  options: BackfillOptions,
): Promise<BackfillProgress> {
  const { locationId } = options;
  const stream = `backfill:contacts:${locationId}`;
  const started = deps.clock.now();
  if (options.restart) await deleteCursor(deps.db, stream);
  const saved = await getCursor(deps.db, stream);
  const checkpoint = saved?.pageToken ? (JSON.parse(saved.pageToken) as Checkpoint) : undefined;
  const progress: BackfillProgress = {
    locationId,
    pages: checkpoint?.pages ?? 0,
    contacts: checkpoint?.contacts ?? 0,
    total: undefined,
    outcomes: checkpoint?.outcomes ?? noContactOutcomes(),
    resumed: checkpoint !== undefined,
    elapsedMs: 0,
  };
  const pages = deps.ghl.location(locationId, 'backfill').searchContactPages({
    pageLimit: options.pageLimit ?? 500,
    sort: [{ field: 'dateAdded', direction: 'asc' }],
    ...(checkpoint ? { searchAfter: checkpoint.searchAfter } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const page of pages) {
    progress.total ??= page.total;
    const { effects, failed } = await planAndApplyPage(deps, page.contacts, {
      locationId,
      trigger: 'backfill',
      lane: 'backfill',
      concurrency: options.concurrency ?? 8,
      queue: options.queue,
      signal: options.signal,
    });
    progress.pages++;
    progress.contacts += page.contacts.length;
    const next: Checkpoint | undefined =
      page.cursor === undefined
        ? undefined
        : {
            searchAfter: page.cursor,
            pages: progress.pages,
            contacts: progress.contacts,
            outcomes: progress.outcomes,
          };
    // Before the checkpoint moves past them: a crash in between replays the page, no loss.
    await handOverFailures(deps, options.queue, failed, 'backfill');
    // Phase 4: the page's records and its checkpoint in one commit. A crash before it replays
    // the page, which finds its leads already there (linked, not created again).
    const final = await deps.db.transaction().execute(async (trx) => {
      const done = await commitEffects(trx, deps, effects);
      for (const effect of done) progress.outcomes[effect.outcome.kind]++;
      progress.outcomes.failed += failed.length;
      if (next) {
        await putCursor(
          trx,
          stream,
          { value: String(progress.contacts), tieBreak: [], pageToken: JSON.stringify(next) },
          deps.clock.now(),
        );
      }
      return done;
    });
    progress.elapsedMs = deps.clock.now() - started;
    deps.logger.debug({ page: progress.pages, contacts: final.length }, 'backfill page done');
    options.onPage?.(page.contacts.map((contact) => contact.id));
    options.onProgress?.({ ...progress, outcomes: { ...progress.outcomes } });
  }
  await deleteCursor(deps.db, stream);
  progress.elapsedMs = deps.clock.now() - started;
  return progress;
}
