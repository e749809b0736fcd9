/**
 * The outbox of Tenant Turner's activity timeline: GHL-side timeline entries of persons with a
 * lead that have no post row yet, and the rows that say what became of each (posted with its
 * activity id, not applied on an account without activities, or failed for good).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { TimelinePost } from './timeline-entries.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A GHL-side entry still to post, with the lead it belongs to. */
export interface UnpostedEntry {
  id: number;
  kind: string;
  summary: string;
  occurredAt: number;
  /** The person's Tenant Turner lead (`ApplicationId`). */
  applicationId: number;
}

/**
 * Up to `limit` entries of `source` with id above `afterId` and no post row, whose person (the
 * entry's link, or its parent) is linked to a lead; in id order.
 */
export async function unpostedEntries(
  db: Db,
  source: string,
  afterId: number,
  limit: number,
): Promise<UnpostedEntry[]> {
  const rows = await db
    .selectFrom('timeline')
    .innerJoin('links as own', 'own.id', 'timeline.link_id')
    .leftJoin('links as parent', 'parent.id', 'own.parent_id')
    .leftJoin('timeline_posts', 'timeline_posts.timeline_id', 'timeline.id')
    .select([
      'timeline.id as id',
      'timeline.kind as kind',
      'timeline.summary as summary',
      'timeline.occurred_at as occurredAt',
      'own.kind as ownKind',
      'own.tt_id as ownTtId',
      'parent.tt_id as parentTtId',
    ])
    .where('timeline.source', '=', source)
    .where('timeline.id', '>', afterId)
    .where('timeline_posts.timeline_id', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('own.kind', '=', 'person'), eb('own.tt_id', 'is not', null)]),
        eb.and([eb('parent.kind', '=', 'person'), eb('parent.tt_id', 'is not', null)]),
      ]),
    )
    .orderBy('timeline.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    summary: row.summary,
    occurredAt: row.occurredAt,
    applicationId: Number(row.ownKind === 'person' ? row.ownTtId : row.parentTtId),
  }));
}

/** Records what became of an entry; a second record for the same entry keeps the first. */
export async function recordTimelinePost(
  db: Db,
  timelineId: number,
  post: TimelinePost,
  now: number,
): Promise<void> {
  await db
    .insertInto('timeline_posts')
    .values({
      timeline_id: timelineId,
      state: post.state,
      activity_id: post.activityId ?? null,
      detail: post.detail ?? null,
      at: now,
    })
    .onConflict((oc) => oc.column('timeline_id').doNothing())
    .execute();
}
