/**
 * Links: a person (GHL contact ↔ TT lead) and its children, the map that makes every write
 * idempotent. A link is created `pending` before the first write to the other side, so a crash
 * between that write and the commit leaves a trace to resolve, never an unknown record.
 */
import type { Kysely, Transaction } from 'kysely';
import { OrderedUuids } from '../queue/ordered-uuid.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Link ids are time-ordered, so a page of new links, and the snapshot, version, provenance and
 * timeline rows keyed by them, land at the end of their indexes instead of on a random page of
 * each: a backfill page's commit then writes a few index pages, not hundreds.
 */
const linkIds = new OrderedUuids();

export type LinkKind = 'person' | 'task' | 'note' | 'appointment';
export type LinkState = 'pending' | 'active' | 'unlinked';

/** A link as the sync sees it. */
export interface Link {
  id: string;
  kind: LinkKind;
  locationId: string;
  ghlId: string | undefined;
  ttId: string | undefined;
  parentId: string | undefined;
  state: LinkState;
  createdAt: number;
  updatedAt: number;
}

function toLink(row: Database['links']): Link {
  return {
    id: row.id,
    kind: row.kind as LinkKind,
    locationId: row.location_id,
    ghlId: row.ghl_id ?? undefined,
    ttId: row.tt_id ?? undefined,
    parentId: row.parent_id ?? undefined,
    state: row.state as LinkState,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The link of a GHL record, if any. */
export async function findLinkByGhlId(
  db: Db,
  kind: LinkKind,
  locationId: string,
  ghlId: string,
): Promise<Link | undefined> {
  const row = await db
    .selectFrom('links')
    .selectAll()
    .where('kind', '=', kind)
    .where('location_id', '=', locationId)
    .where('ghl_id', '=', ghlId)
    .executeTakeFirst();
  return row && toLink(row);
}

/** The links of several GHL records of one location (one query per 500), by GHL id. */
export function findLinksByGhlIds(
  db: Db,
  kind: LinkKind,
  locationId: string,
  ghlIds: readonly string[],
): Promise<Map<string, Link>> {
  return findLinksBy(db, kind, 'ghl_id', ghlIds, locationId);
}

/** The links holding any of these Tenant Turner ids (one query per 500), by TT id. */
export function findLinksByTtIds(
  db: Db,
  kind: LinkKind,
  ttIds: readonly string[],
): Promise<Map<string, Link>> {
  return findLinksBy(db, kind, 'tt_id', ttIds);
}

async function findLinksBy(
  db: Db,
  kind: LinkKind,
  column: 'ghl_id' | 'tt_id',
  ids: readonly string[],
  locationId?: string,
): Promise<Map<string, Link>> {
  const found = new Map<string, Link>();
  for (let i = 0; i < ids.length; i += 500) {
    let query = db
      .selectFrom('links')
      .selectAll()
      .where('kind', '=', kind)
      .where(column, 'in', ids.slice(i, i + 500));
    if (locationId !== undefined) query = query.where('location_id', '=', locationId);
    for (const row of await query.execute()) found.set(row[column] ?? '', toLink(row));
  }
  return found;
}

/** A link by id. */
export async function getLink(db: Db, id: string): Promise<Link | undefined> {
  const row = await db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toLink(row);
}

/**
 * The `pending` links of several GHL records at once, for those that have none (one statement,
 * one commit for a backfill page). Existing links are left as they are.
 */
export async function ensurePendingLinks(
  db: Db,
  kind: LinkKind,
  records: readonly { locationId: string; ghlId: string; parentId?: string | undefined }[],
  now: number,
): Promise<void> {
  for (let i = 0; i < records.length; i += 200) {
    const part = records.slice(i, i + 200);
    await db
      .insertInto('links')
      .values(
        part.map((r) => ({
          id: linkIds.next(),
          kind,
          location_id: r.locationId,
          ghl_id: r.ghlId,
          tt_id: null,
          parent_id: r.parentId ?? null,
          state: 'pending',
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['kind', 'location_id', 'ghl_id']).doNothing())
      .execute();
  }
}

/** Sets a link's TT id and state. */
export async function updateLink(
  db: Db,
  id: string,
  patch: { ttId?: string | null; state?: LinkState },
  now: number,
): Promise<void> {
  await db
    .updateTable('links')
    .set({
      ...(patch.ttId !== undefined ? { tt_id: patch.ttId } : {}),
      ...(patch.state !== undefined ? { state: patch.state } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/** The child links (tasks, notes, appointments) of a person link. */
export async function listChildLinks(db: Db, parentId: string, kind?: LinkKind): Promise<Link[]> {
  let query = db.selectFrom('links').selectAll().where('parent_id', '=', parentId);
  if (kind) query = query.where('kind', '=', kind);
  return (await query.orderBy('created_at').execute()).map(toLink);
}

/** Links of `kind` in `state` (all states when omitted), oldest first, a page at a time. */
export async function listLinks(
  db: Db,
  kind: LinkKind,
  options: { state?: LinkState; afterId?: string; limit?: number } = {},
): Promise<Link[]> {
  let query = db.selectFrom('links').selectAll().where('kind', '=', kind);
  if (options.state) query = query.where('state', '=', options.state);
  if (options.afterId) query = query.where('id', '>', options.afterId);
  const rows = await query
    .orderBy('id')
    .limit(options.limit ?? 1000)
    .execute();
  return rows.map(toLink);
}
