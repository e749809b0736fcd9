/**
 * Incremental poll of GHL contacts (issue 5): GHL drops a webhook that is not answered in time,
 * so ttsync also asks GHL search for the contacts whose `dateUpdated` is at or after the
 * stream's cursor minus a lookback (search is eventually consistent), oldest change first, and
 * syncs them through the backfill's phases. After each page, the page's records and the new
 * cursor (the largest `dateUpdated` seen, with the ids seen at exactly that value) commit in one
 * transaction; a contact at the cursor value whose id is in the tie-break set is skipped, so two
 * contacts sharing a `dateUpdated` across a page boundary are each synced once. An empty or
 * short page never deletes or unlinks anything, and a poll that finds nothing new writes nothing
 * (except the very first, which saves its starting time so that the next one reads from there).
 * Cursor helpers: poll-cursor.ts.
 */
import type { GhlLocationClient } from '../ghl/client.ts';
import type { ContactSearchPage, SearchContactsOptions } from '../ghl/ops/contact-lists.ts';
import type { GhlSearchContact } from '../ghl/types.ts';
import type { JobQueue } from '../queue/index.ts';
import { putCursor } from '../store/cursors.ts';
import type { Cursor } from '../store/cursors.ts';
import { handOverFailures, noContactOutcomes, planAndApplyPage } from './contact-page.ts';
import type { ContactOutcomeCounts } from './contact-page.ts';
import { commitEffects, needsCommit } from './contact-sync.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { advanceCursor, pollStart, seenAt, stampOf, startingCursor } from './poll-cursor.ts';
import type { Stamped } from './poll-cursor.ts';

/** Options of one poll. */
export interface PollOptions {
  locationId: string;
  /** How far behind the cursor to search again; default one minute. */
  lookbackMs?: number;
  /** Records per search page, 1..500; default 500. */
  pageLimit?: number;
  /**
   * A contact that fails goes here as a job (retries, then the dead-letter list) and the poll
   * moves on; without a queue a failure stops the poll, and the next one starts again from the
   * last committed cursor.
   */
  queue?: JobQueue | undefined;
  signal?: AbortSignal;
}

/** What one poll did. */
export interface PollResult {
  locationId: string;
  /** The lower bound searched (epoch ms). */
  since: number;
  pages: number;
  /** GHL requests made (search pages, including the short or empty one that ends the search). */
  calls: number;
  /** Contacts the search returned. */
  seen: number;
  /** Contacts skipped because the cursor's tie-break set already had them. */
  alreadySeen: number;
  /** Per outcome; `failed` counts contacts handed to the job queue. */
  outcomes: ContactOutcomeCounts;
  /** The cursor after the poll (epoch ms): the latest `dateUpdated` synced, or the first poll's start. */
  cursor: number | undefined;
}

/** The cursor stream of a location's contact poll. */
export function pollStream(locationId: string): string {
  return `poll:contacts:${locationId}`;
}

/** Runs one poll of `locationId`'s changed contacts; resolves with what it did. */
export async function pollContacts(
  deps: ContactSyncDeps,
  options: PollOptions,
): Promise<PollResult> {
  const { locationId, signal } = options;
  const stream = pollStream(locationId);
  const start = await pollStart(deps, stream, options.lookbackMs);
  const { startedAt, since } = start;
  let cursor = start.cursor;
  const result: PollResult = {
    locationId,
    since,
    pages: 0,
    calls: 0,
    seen: 0,
    alreadySeen: 0,
    outcomes: noContactOutcomes(),
    cursor: cursor ? Number(cursor.value) : undefined,
  };
  const pageLimit = options.pageLimit ?? 500;
  const search: SearchContactsOptions = {
    pageLimit,
    filters: [
      { field: 'dateUpdated', operator: 'range', value: { gte: new Date(since).toISOString() } },
    ],
    // GHL breaks ties by id (the second element of `searchAfter`); `id` itself is not sortable.
    sort: [{ field: 'dateUpdated', direction: 'asc' }],
    ...(signal ? { signal } : {}),
  };
  let lastPage = 0;
  for await (const page of keysetPages(deps.ghl.location(locationId, 'reconcile'), search)) {
    result.pages++;
    lastPage = page.contacts.length;
    result.seen += page.contacts.length;
    const fresh = page.contacts.filter((contact) => !seenAt(cursor, stamped(contact)));
    result.alreadySeen += page.contacts.length - fresh.length;
    const next = advanceCursor(cursor, page.contacts.map(stamped));
    const kinds = await syncPage(deps, options, fresh, next);
    for (const kind of kinds) result.outcomes[kind]++;
    if (next) {
      cursor = next;
      result.cursor = Number(next.value);
    }
  }
  // Every full page is followed by one more search call (the one that comes back short or empty).
  result.calls = result.pages === 0 ? 1 : result.pages + (lastPage < pageLimit ? 0 : 1);
  if (!cursor) {
    // Nothing found: start the next poll from here, not from its own `now`.
    const first = startingCursor(startedAt);
    await putCursor(deps.db, stream, first, deps.clock.now());
    result.cursor = startedAt;
  }
  return result;
}

function stamped(contact: GhlSearchContact): Stamped {
  return { id: contact.id, ms: stampOf(contact.dateUpdated) };
}

/**
 * The search's pages, every one after the first fetched by `searchAfter` (the previous page's
 * last `[dateUpdated, id]`) rather than by page number: a contact updated during the poll moves
 * to the end of the order, which would shift a numbered page and skip a contact.
 */
async function* keysetPages(
  ghl: Pick<GhlLocationClient, 'searchContactPages'>,
  search: SearchContactsOptions,
): AsyncGenerator<ContactSearchPage, void, undefined> {
  let after: ContactSearchPage['cursor'];
  for await (const page of ghl.searchContactPages(search)) {
    yield page;
    if (page.contacts.length < (search.pageLimit ?? 500)) return;
    after = page.cursor;
    break;
  }
  if (after) yield* ghl.searchContactPages({ ...search, searchAfter: after });
}

/**
 * The backfill's phases for one page: plan (reads only), the pending links in one commit, the
 * Tenant Turner writes, then the records and the cursor (`next`, when it moved) in one commit.
 * A contact that fails stops the poll; the next poll starts again from the last committed cursor.
 */
async function syncPage(
  deps: ContactSyncDeps,
  options: PollOptions,
  contacts: readonly GhlSearchContact[],
  next: Cursor | undefined,
): Promise<(keyof PollResult['outcomes'])[]> {
  const { locationId } = options;
  // One at a time: poll pages are small, and a poll shares the budget with webhooks.
  const { effects, failed } = await planAndApplyPage(deps, contacts, {
    locationId,
    trigger: 'poll',
    lane: 'reconcile',
    concurrency: 1,
    queue: options.queue,
    signal: options.signal,
  });
  const toCommit = effects.filter(needsCommit);
  const failures = failed.map(() => 'failed' as const);
  // Before the commit moves the cursor past them: a crash in between replays the page, no loss.
  await handOverFailures(deps, options.queue, failed, 'poll');
  if (toCommit.length === 0 && !next) return [...effects.map((e) => e.outcome.kind), ...failures];
  const done = await deps.db.transaction().execute(async (trx) => {
    const final = toCommit.length > 0 ? await commitEffects(trx, deps, toCommit) : [];
    if (next) await putCursor(trx, pollStream(locationId), next, deps.clock.now());
    return final;
  });
  const committed = new Set(toCommit);
  const kinds = [...done, ...effects.filter((e) => !committed.has(e))].map((e) => e.outcome.kind);
  return [...kinds, ...failures];
}
