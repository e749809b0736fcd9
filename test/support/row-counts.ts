/** Row counts of store tables: what a run that must change nothing is checked against. */
import type { Store } from '../../src/store/database.ts';

/** The row counts of `tables`, in order: what a cycle that changes nothing leaves as it was. */
export async function rowCounts(
  store: Store,
  tables: readonly ('versions' | 'timeline' | 'links' | 'snapshots' | 'cursors' | 'audit')[],
): Promise<number[]> {
  const out: number[] = [];
  for (const table of tables) {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out.push(Number(row.n));
  }
  return out;
}
