/**
 * Incremental poll of Tenant Turner leads and showings (issue 5): Tenant Turner publishes no
 * webhook retry contract, so ttsync also lists what changed since the stream's cursor
 * (`SinceDateUpdated`, day-granular and inclusive: rows before the cursor are dropped here) and
 * records each change of a linked person on the timeline (`tt-timeline.ts`, the same entries as
 * the webhook). One stream per list (`poll:tt:leads`, `poll:tt:showings`), each with a cursor:
 * the largest `DateUpdated` seen and the rows seen at exactly that instant (the tie-break set, by
 * entry id: the row's id and the hash of its followed state, since `DateUpdated` has whole
 * seconds and a row can change twice in one second).
 * After each page, the page's entries and the moved cursor commit in one transaction, so a crash
 * replays at most a page (whose entries then already exist). A poll that finds nothing new
 * writes nothing. The first poll of a stream reaches back as far as Tenant Turner allows (two
 * years), so every linked lead and showing starts with its current state.
 */
import { getCursor, putCursor } from '../store/cursors.ts';
import type { Cursor } from '../store/cursors.ts';
import { MAX_PAGE_SIZE } from '../tenant-turner/pagination.ts';
import type { TtPage } from '../tenant-turner/pagination.ts';
import type { ChangeListOptions } from '../tenant-turner/ops/change-list.ts';
import type { Lead, Showing } from '../tenant-turner/resources.ts';
import type { ContactSyncDeps } from './contact-types.ts';
import { leadObservation, showingObservation } from './tt-observation.ts';
import type { TtObservation } from './tt-observation.ts';
import { recordTtObservations, ttRefId } from './tt-timeline.ts';

/** The cursor streams of the Tenant Turner poll. */
export const TT_POLL_STREAMS = { leads: 'poll:tt:leads', showings: 'poll:tt:showings' } as const;

/** What the poll needs: the store, the Tenant Turner client, a clock and a logger. */
export type TtPollDeps = Pick<ContactSyncDeps, 'db' | 'tt' | 'clock' | 'logger'>;

/** Options of one poll. */
export interface TtPollOptions {
  /** Rows per page on the first request of a list, 1..100 (default 100; the real service may page by 10). */
  pageSize?: number;
  /** How far behind the cursor to look again (default 0: Tenant Turner lists are consistent). */
  lookbackMs?: number;
  signal?: AbortSignal | undefined;
}

/** What one stream's poll did. */
export interface TtStreamResult {
  /** The lower bound kept (epoch ms); undefined on a stream's first poll (as far back as allowed). */
  since: number | undefined;
  pages: number;
  /** Rows the list returned at or after `since`. */
  seen: number;
  /** Rows skipped because the cursor's tie-break set had them. */
  alreadySeen: number;
  recorded: number;
  unchanged: number;
  unlinked: number;
  /** The cursor after the poll (epoch ms), undefined while the stream has seen nothing. */
  cursor: number | undefined;
}

/** What one poll did, per stream. */
export interface TtPollResult {
  leads: TtStreamResult;
  showings: TtStreamResult;
}

interface StreamSpec<T> {
  stream: string;
  pages: (options: ChangeListOptions) => AsyncGenerator<TtPage<T>, void, undefined>;
  observe: (row: T) => TtObservation;
}

/** Polls both lists once, leads first; resolves with what each did. */
export async function pollTenantTurner(
  deps: TtPollDeps,
  options: TtPollOptions = {},
): Promise<TtPollResult> {
  const leads = await pollStream<Lead>(deps, options, {
    stream: TT_POLL_STREAMS.leads,
    pages: (list) => deps.tt.leads.pages(list),
    observe: (lead) => leadObservation(lead, 'poll'),
  });
  const showings = await pollStream<Showing>(deps, options, {
    stream: TT_POLL_STREAMS.showings,
    pages: (list) => deps.tt.showings.pages(list),
    observe: (showing) => showingObservation(showing, 'poll'),
  });
  return { leads, showings };
}

async function pollStream<T>(
  deps: TtPollDeps,
  options: TtPollOptions,
  spec: StreamSpec<T>,
): Promise<TtStreamResult> {
  let cursor = await getCursor(deps.db, spec.stream);
  const since = cursor ? Number(cursor.value) - (options.lookbackMs ?? 0) : undefined;
  const result: TtStreamResult = {
    since,
    pages: 0,
    seen: 0,
    alreadySeen: 0,
    recorded: 0,
    unchanged: 0,
    unlinked: 0,
    cursor: cursor ? Number(cursor.value) : undefined,
  };
  const list: ChangeListOptions = {
    pageSize: options.pageSize ?? MAX_PAGE_SIZE,
    ...(since !== undefined ? { since: new Date(since) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  for await (const page of spec.pages(list)) {
    result.pages++;
    const rows = page.items
      .map(spec.observe)
      .filter((o) => since === undefined || o.updatedMs >= since);
    result.seen += rows.length;
    const fresh = rows.filter((o) => !inTieBreak(cursor, o));
    result.alreadySeen += rows.length - fresh.length;
    const next = advance(cursor, rows);
    if (fresh.length === 0 && !next) continue;
    const counts = await deps.db.transaction().execute(async (trx) => {
      const recorded = await recordTtObservations(trx, fresh, deps.clock.now());
      if (next) await putCursor(trx, spec.stream, next, deps.clock.now());
      return recorded;
    });
    result.recorded += counts.recorded;
    result.unchanged += counts.unchanged;
    result.unlinked += counts.unlinked;
    if (next) {
      cursor = next;
      result.cursor = Number(next.value);
    }
  }
  return result;
}

/** True when `row` is at the cursor's instant, in the same state as when it was seen there. */
function inTieBreak(cursor: Cursor | undefined, row: TtObservation): boolean {
  return (
    cursor !== undefined &&
    row.updatedMs === Number(cursor.value) &&
    cursor.tieBreak.includes(ttRefId(row))
  );
}

/**
 * The cursor after `rows`: the latest `DateUpdated` and the entry id of every row stamped with it
 * (those of the old cursor too, when the instant is the same); undefined when nothing moved.
 */
function advance(cursor: Cursor | undefined, rows: readonly TtObservation[]): Cursor | undefined {
  const latest = Math.max(
    cursor ? Number(cursor.value) : -Infinity,
    ...rows.map((r) => r.updatedMs),
  );
  if (!Number.isFinite(latest)) return undefined;
  const ids = new Set(
    cursor && Number(cursor.value) === latest ? cursor.tieBreak : ([] as string[]),
  );
  const before = ids.size;
  for (const row of rows) if (row.updatedMs === latest) ids.add(ttRefId(row));
  const moved = !cursor || Number(cursor.value) !== latest || ids.size !== before;
  if (!moved) return undefined;
  return { value: String(latest), tieBreak: [...ids].sort(), pageToken: undefined, updatedAt: 0 };
}
