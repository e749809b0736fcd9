/**
 * What ttsync last synced of a batch of GHL children (tasks, appointments): each one's link state
 * and the hash of its GHL snapshot, read with one query per 500 ids. A poll compares these with
 * what GHL shows now and hands over only the records that changed or are new.
 */
import type { Kysely, Transaction } from 'kysely';
import type { LinkKind, LinkState } from '../store/links.ts';
import type { Database } from '../store/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A GHL record as ttsync last synced it. */
export interface Known {
  state: LinkState;
  /** The hash of the GHL snapshot, when the record was ever synced. */
  hash: string | undefined;
}

/** The known records among `ghlIds` of `kind` in `locationId`, by GHL id. */
export async function knownHashes(
  db: Db,
  kind: LinkKind,
  locationId: string,
  ghlIds: readonly string[],
): Promise<Map<string, Known>> {
  const found = new Map<string, Known>();
  for (let i = 0; i < ghlIds.length; i += 500) {
    const rows = await db
      .selectFrom('links')
      .leftJoin('snapshots', (join) =>
        join.onRef('snapshots.link_id', '=', 'links.id').on('snapshots.side', '=', 'ghl'),
      )
      .select(['links.ghl_id', 'links.state', 'snapshots.hash'])
      .where('links.kind', '=', kind)
      .where('links.location_id', '=', locationId)
      .where('links.ghl_id', 'in', ghlIds.slice(i, i + 500))
      .execute();
    for (const row of rows) {
      if (row.ghl_id === null) continue;
      found.set(row.ghl_id, { state: row.state as LinkState, hash: row.hash ?? undefined });
    }
  }
  return found;
}

/** True when `known` says the record was synced with exactly `hash` (or was deleted). */
export function alreadySynced(known: Known | undefined, hash: string): boolean {
  if (!known) return false;
  return known.state === 'unlinked' || (known.state === 'active' && known.hash === hash);
}
