/**
 * `ttsync backfill contacts`: every GHL contact of a location through the contact sync, streamed
 * from GHL search at 500 a page (`searchAfter` past 10,000), checkpointed after each page's
 * writes, resumable after a crash. Only one page is in memory at a time. A contact that fails
 * is handed to the job queue (retries, then the dead-letter list) instead of stopping the run.
 */
import type { GhlSearchContact } from '../ghl/types.ts';
import type { JobQueue } from '../queue/index.ts';
import { deleteCursor, getCursor, putCursor } from '../store/cursors.ts';
import { ensurePendingLinks, findLinksByGhlIds } from '../store/links.ts';
import { applyPlan, commitEffects, pendingLinksOf, planContact } from './contact-sync.ts';
import type {
  ContactPlan,
  ContactSyncDeps,
  ContactSyncJob,
  ContactSyncOutcome,
} from './contact-sync.ts';
import { CONTACT_SYNC_JOB, personKey } from './jobs.ts';
import type { ContactSyncPayload } from './jobs.ts';

/** Counts so far. */
export interface BackfillProgress {
  locationId: string;
  pages: number;
  contacts: number;
  /** Contacts GHL reports for the location (from the first page). */
  total: number | undefined;
  outcomes: Record<ContactSyncOutcome['kind'] | 'failed', number>;
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
  restart?: boolean;
  /** Failed contacts go here as jobs; without a queue a failure stops the backfill. */
  queue?: JobQueue | undefined;
  onProgress?: (progress: BackfillProgress) => void;
  signal?: AbortSignal;
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
    outcomes: checkpoint?.outcomes ?? {
      created: 0,
      linked_existing: 0,
      updated: 0,
      not_applied: 0,
      unchanged: 0,
      unlinked: 0,
      skipped: 0,
      failed: 0,
    },
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
    const jobs: ContactSyncJob[] = page.contacts.map((contact) => ({
      locationId,
      contactId: contact.id,
      trigger: 'backfill',
      contact,
      lane: 'backfill',
    }));
    const failed: Failure[] = [];
    // Phase 1: plan every contact (reads only; the page's links in one query).
    const ids = jobs.map((job) => job.contactId);
    const known = await findLinksByGhlIds(deps.db, 'person', locationId, ids);
    const planned = await settleEach(jobs, options, failed, (job) =>
      planContact(deps, job, options.signal, known.get(job.contactId) ?? null),
    );
    // Phase 2: every pending link of the page in one commit, before any lead is written.
    await deps.db
      .transaction()
      .execute((trx) =>
        ensurePendingLinks(trx, 'person', pendingLinksOf(planned), deps.clock.now()),
      );
    const pending = await findLinksByGhlIds(deps.db, 'person', locationId, ids);
    const plans = planned.map((plan): ContactPlan => {
      const link = pending.get(plan.job.contactId);
      return plan.kind === 'create' && link ? { ...plan, link } : plan;
    });
    // Phase 3: the Tenant Turner writes, concurrently.
    const effects = await settleEach(plans, options, failed, (plan: ContactPlan) =>
      applyPlan(deps, plan, options.signal).then((effect) => ({ ...effect, job: plan.job })),
    );
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
    await handOver(deps, options, failed);
    progress.elapsedMs = deps.clock.now() - started;
    deps.logger.debug({ page: progress.pages, contacts: final.length }, 'backfill page done');
    options.onProgress?.({ ...progress, outcomes: { ...progress.outcomes } });
  }
  await deleteCursor(deps.db, stream);
  progress.elapsedMs = deps.clock.now() - started;
  return progress;
}

/** A contact the backfill could not sync, and why. */
interface Failure {
  job: ContactSyncJob;
  error: unknown;
}

/**
 * Runs `fn` over `items` at the backfill's concurrency; an item that throws is set aside in
 * `failed` (for the job queue) unless there is no queue, in which case the backfill stops.
 */
async function settleEach<T extends { job: ContactSyncJob } | ContactSyncJob, R>(
  items: readonly T[],
  options: BackfillOptions,
  failed: Failure[],
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  await mapConcurrent(items, options.concurrency ?? 8, async (item) => {
    try {
      results.push(await fn(item));
    } catch (error) {
      if (!options.queue) throw error;
      failed.push({ job: 'job' in item ? item.job : item, error });
    }
  });
  return results;
}

/** Contacts that failed go to the job queue: retries, then the dead-letter list. */
async function handOver(
  deps: ContactSyncDeps,
  options: BackfillOptions,
  failed: readonly Failure[],
): Promise<void> {
  for (const { job, error } of failed) {
    deps.logger.warn(
      { contactId: job.contactId, err: error },
      'backfill could not sync a contact; handed to the job queue',
    );
    const payload: ContactSyncPayload = {
      locationId: job.locationId,
      contactId: job.contactId,
      trigger: 'backfill',
    };
    await options.queue?.enqueue(CONTACT_SYNC_JOB, payload, {
      key: personKey(job.locationId, job.contactId),
      coalesceKey: 'contact',
    });
  }
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function mapConcurrent<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
