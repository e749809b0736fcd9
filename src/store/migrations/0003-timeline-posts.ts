/**
 * Where each GHL-side timeline entry went on Tenant Turner's activity timeline (issue 5): one row
 * per entry once it has been posted (`posted`, with the activity id), found impossible on the
 * account (`not_applied`: the real surface has no activities) or refused for good (`failed`). An
 * entry without a row is still to post.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export function up(dialect: Dialect) {
  const id = dialect === 'postgres' ? 'bigint' : 'integer';
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema
      .createTable('timeline_posts')
      .addColumn('timeline_id', id, (c) => c.primaryKey().references('timeline.id'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('activity_id', 'text')
      .addColumn('detail', 'text')
      .addColumn('at', id, (c) => c.notNull())
      .execute();
  };
}
