/**
 * Stream cursors (backfills and polls): a value, the ids already seen at that value (the
 * tie-break set), and an opaque page token; committed after the writes they cover.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Where a stream stands. */
export interface Cursor {
  value: string;
  tieBreak: string[];
  pageToken: string | undefined;
  updatedAt: number;
}

/** The cursor of `stream`, if it has one. */
export async function getCursor(db: Db, stream: string): Promise<Cursor | undefined> {
  const row = await db
    .selectFrom('cursors')
    .selectAll()
    .where('stream', '=', stream)
    .executeTakeFirst();
  return (
    row && {
      value: row.value,
      tieBreak: JSON.parse(row.tie_break) as string[],
      pageToken: row.page_token ?? undefined,
      updatedAt: row.updated_at,
    }
  );
}

/** Saves the cursor of `stream`. */
export async function putCursor(
  db: Db,
  stream: string,
  cursor: Omit<Cursor, 'updatedAt'>,
  now: number,
): Promise<void> {
  const values = {
    value: cursor.value,
    tie_break: JSON.stringify(cursor.tieBreak),
    page_token: cursor.pageToken ?? null,
    updated_at: now,
  };
  await db
    .insertInto('cursors')
    .values({ stream, ...values })
    .onConflict((oc) => oc.column('stream').doUpdateSet(values))
    .execute();
}

/** Forgets the cursor of `stream` (a finished or restarted backfill). */
export async function deleteCursor(db: Db, stream: string): Promise<void> {
  await db.deleteFrom('cursors').where('stream', '=', stream).execute();
}
