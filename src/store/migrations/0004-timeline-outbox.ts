/**
 * The outbox of Tenant Turner's activity timeline: one row per GHL-side timeline entry not yet
 * posted, written in the same transaction as the entry and deleted once its `timeline_posts`
 * row says what became of it. The poster used to find its work by walking every GHL-side entry
 * for one without a post row, a scan that grew with the whole timeline (140 ms at 500,000
 * entries on SQLite, on the event loop, every minute); it now reads the outbox, which holds only
 * the entries still to post. Filled here with the entries that have no post row yet.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export function up(dialect: Dialect) {
  const id = dialect === 'postgres' ? 'bigint' : 'integer';
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema
      .createTable('timeline_outbox')
      .addColumn('timeline_id', id, (c) => c.primaryKey().references('timeline.id'))
      .execute();
    await sql`
      insert into timeline_outbox (timeline_id)
      select timeline.id from timeline
      left join timeline_posts on timeline_posts.timeline_id = timeline.id
      where timeline.source = 'ghl' and timeline_posts.timeline_id is null
    `.execute(db);
  };
}
