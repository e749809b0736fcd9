/**
 * Timeline rows on their own, without the version, snapshot and audit rows of `records.ts`: the
 * entries ttsync observes rather than writes (Tenant Turner lead and showing changes), the lookup
 * of an entity's previous entry, and a person's whole timeline with what happened to each entry
 * on Tenant Turner's activity timeline. Inserting an entry twice (same link, source, kind and
 * `ref_id`) keeps the first.
 */
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** One timeline entry to store. */
export interface TimelineEntryWrite {
  linkId: string;
  occurredAt: number;
  /** The timestamp as the source wrote it, time zone included. */
  occurredRaw?: string | undefined;
  source: string;
  kind: string;
  summary: string;
  /** Stable id of what the entry is about: the same event always gives the same `refId`. */
  refId: string;
  data?: unknown;
}

/** An entry as read back. */
export interface TimelineEntry {
  id: number;
  linkId: string;
  occurredAt: number;
  occurredRaw: string | undefined;
  source: string;
  kind: string;
  summary: string;
  refId: string;
  data: unknown;
}

/** What became of an entry on Tenant Turner's activity timeline. */
export interface TimelinePost {
  state: 'posted' | 'not_applied' | 'failed';
  activityId: string | undefined;
  detail: string | undefined;
}

/** An entry with its post, if any (a person's timeline). */
export interface PostedTimelineEntry extends TimelineEntry {
  post: TimelinePost | undefined;
}

function toEntry(row: Selectable<Database['timeline']>): TimelineEntry {
  return {
    id: row.id,
    linkId: row.link_id,
    occurredAt: row.occurred_at,
    occurredRaw: row.occurred_raw ?? undefined,
    source: row.source,
    kind: row.kind,
    summary: row.summary,
    refId: row.ref_id,
    data: row.data === null ? undefined : (JSON.parse(row.data) as unknown),
  };
}

/** The `timeline` row of `entry` on link `linkId`, recorded at `now`. */
export function timelineRow(
  linkId: string,
  entry: Omit<TimelineEntryWrite, 'linkId'>,
  now: number,
): Insertable<Database['timeline']> {
  return {
    link_id: linkId,
    occurred_at: entry.occurredAt,
    occurred_raw: entry.occurredRaw ?? null,
    source: entry.source,
    kind: entry.kind,
    summary: entry.summary,
    ref_id: entry.refId,
    data: entry.data === undefined ? null : JSON.stringify(entry.data),
    recorded_at: now,
  };
}

/** Stores entries not stored yet; resolves with the ref ids of those it inserted. */
export async function insertTimelineEntries(
  db: Db,
  entries: readonly TimelineEntryWrite[],
  now: number,
): Promise<string[]> {
  const rows = entries.map((e) => timelineRow(e.linkId, e, now));
  return (await insertTimelineRows(db, rows)).map((row) => row.ref_id);
}

/** The source whose entries go on to Tenant Turner's activity timeline (`tt-activities.ts`). */
export const POSTED_SOURCE = 'ghl';

/**
 * Inserts the rows not stored yet (an entry is unique on link, source, kind and ref id), and puts
 * the GHL-side ones among them in the outbox of Tenant Turner's activities (`timeline-posts.ts`)
 * in the same transaction as the caller's; resolves with the rows it inserted.
 */
export async function insertTimelineRows(
  db: Db,
  rows: readonly Insertable<Database['timeline']>[],
): Promise<{ id: number; ref_id: string }[]> {
  const inserted: { id: number; ref_id: string }[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const stored = await db
      .insertInto('timeline')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['link_id', 'source', 'kind', 'ref_id']).doNothing())
      .returning(['id', 'source', 'ref_id'])
      .execute();
    const toPost = stored.filter((row) => row.source === POSTED_SOURCE);
    if (toPost.length > 0) {
      await db
        .insertInto('timeline_outbox')
        .values(toPost.map((row) => ({ timeline_id: row.id })))
        .execute();
    }
    inserted.push(...stored);
  }
  return inserted;
}

/**
 * The latest entry of one link, source and kind whose `ref_id` starts with `refPrefix` and that
 * occurred at or before `atOrBefore`, other than `exceptRefId`: the state an entity was last seen
 * in before the change at hand.
 */
export async function previousTimelineEntry(
  db: Db,
  where: {
    linkId: string;
    source: string;
    kind: string;
    refPrefix: string;
    atOrBefore: number;
    exceptRefId: string;
  },
): Promise<TimelineEntry | undefined> {
  const row = await db
    .selectFrom('timeline')
    .selectAll()
    .where('link_id', '=', where.linkId)
    .where('source', '=', where.source)
    .where('kind', '=', where.kind)
    .where('ref_id', 'like', `${where.refPrefix}%`)
    .where('ref_id', '!=', where.exceptRefId)
    .where('occurred_at', '<=', where.atOrBefore)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toEntry(row);
}

/**
 * Whether a person link for GHL contact `ghlContactId` is still `pending` (its lead is being
 * created, and the link gets the lead's id when that commits), in any location.
 */
export async function personLinkPending(db: Db, ghlContactId: string): Promise<boolean> {
  const row = await db
    .selectFrom('links')
    .select('id')
    .where('kind', '=', 'person')
    .where('ghl_id', '=', ghlContactId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return row !== undefined;
}

/** The entries of `linkIds` (a person and their child links) with their posts, oldest first. */
export async function listEntriesWithPosts(
  db: Db,
  linkIds: readonly string[],
): Promise<PostedTimelineEntry[]> {
  if (linkIds.length === 0) return [];
  const rows = await db
    .selectFrom('timeline')
    .leftJoin('timeline_posts', 'timeline_posts.timeline_id', 'timeline.id')
    .selectAll('timeline')
    .select([
      'timeline_posts.state as post_state',
      'timeline_posts.activity_id as post_activity_id',
      'timeline_posts.detail as post_detail',
    ])
    .where('timeline.link_id', 'in', linkIds)
    .orderBy('timeline.occurred_at')
    .orderBy('timeline.id')
    .execute();
  return rows.map((row) => ({
    ...toEntry(row),
    post:
      row.post_state === null
        ? undefined
        : {
            state: row.post_state as TimelinePost['state'],
            activityId: row.post_activity_id ?? undefined,
            detail: row.post_detail ?? undefined,
          },
  }));
}
