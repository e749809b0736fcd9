/**
 * The outbox of Tenant Turner's activity timeline. Each GHL-side timeline entry gets a
 * `timeline_outbox` row in the transaction that writes it (`insertTimelineRows`); once what
 * became of it is known (posted with its activity id, not applied on an account without
 * activities, or failed for good) a `timeline_posts` row says so and the outbox row goes. The
 * poster therefore reads only the entries still to post, however long the timeline grows.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { POSTED_SOURCE } from './timeline-entries.ts';
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
 * Up to `limit` outbox entries with id above `afterId` whose person (the entry's link, or its
 * parent) is linked to a lead, in id order. Entries of a person without a lead stay in the
 * outbox until the person has one.
 */
export async function unpostedEntries(
  db: Db,
  afterId: number,
  limit: number,
): Promise<UnpostedEntry[]> {
  const rows = await db
    .selectFrom('timeline_outbox')
    .innerJoin('timeline', 'timeline.id', 'timeline_outbox.timeline_id')
    .innerJoin('links as own', 'own.id', 'timeline.link_id')
    .leftJoin('links as parent', 'parent.id', 'own.parent_id')
    .select([
      'timeline.id as id',
      'timeline.kind as kind',
      'timeline.summary as summary',
      'timeline.occurred_at as occurredAt',
      'own.kind as ownKind',
      'own.tt_id as ownTtId',
      'parent.tt_id as parentTtId',
    ])
    .where('timeline_outbox.timeline_id', '>', afterId)
    .where((eb) =>
      eb.or([
        eb.and([eb('own.kind', '=', 'person'), eb('own.tt_id', 'is not', null)]),
        eb.and([eb('parent.kind', '=', 'person'), eb('parent.tt_id', 'is not', null)]),
      ]),
    )
    .orderBy('timeline_outbox.timeline_id')
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

/**
 * Records what became of an entry and takes it out of the outbox; a second record for the same
 * entry keeps the first. (The record comes first: a crash between the two leaves the entry in the
 * outbox, and the next round's post is answered with the same activity.)
 */
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
  await db.deleteFrom('timeline_outbox').where('timeline_id', '=', timelineId).execute();
}

/**
 * Puts in the outbox every GHL-side entry that has neither a post row nor an outbox row, and
 * resolves with how many. Such entries are written only by a ttsync older than the outbox
 * (migration 0004) still running beside a newer one, as in a rolling upgrade on PostgreSQL;
 * `ttsync migrate` runs this, so running it once after the last old process has stopped leaves
 * nothing behind. A scan of the whole timeline: not for every poll.
 */
export async function repairActivityOutbox(db: Db): Promise<number> {
  const rows = await db
    .insertInto('timeline_outbox')
    .columns(['timeline_id'])
    .expression(
      db
        .selectFrom('timeline')
        .leftJoin('timeline_posts', 'timeline_posts.timeline_id', 'timeline.id')
        .leftJoin('timeline_outbox', 'timeline_outbox.timeline_id', 'timeline.id')
        .select('timeline.id')
        .where('timeline.source', '=', POSTED_SOURCE)
        .where('timeline_posts.timeline_id', 'is', null)
        .where('timeline_outbox.timeline_id', 'is', null),
    )
    .returning('timeline_id')
    .execute();
  return rows.length;
}
