/**
 * What reconciliation reads of a location's children, and what it holds about them: GHL's
 * tasks, notes and appointments (through the child streams), the child links of the location,
 * and the GHL-side snapshots ttsync last synced (one query per 500 links). Also the GHL call
 * counter that lets a reconcile print what it spent.
 */
import type { GhlClient } from '../ghl/client.ts';
import type { GhlHttp } from '../ghl/http.ts';
import { HttpError } from '../shared/errors.ts';
import { listLinks } from '../store/links.ts';
import type { Link, LinkKind } from '../store/links.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

/** The kinds of child ttsync links to a person. */
export type ChildKind = Exclude<LinkKind, 'person'>;

export const CHILD_KINDS: readonly ChildKind[] = ['task', 'note', 'appointment'];

/** The links of `kind` of one location, by GHL id (every state). */
export async function childLinks(
  deps: Pick<ContactSyncDeps, 'db'>,
  kind: ChildKind,
  locationId: string,
): Promise<Map<string, Link>> {
  const found = new Map<string, Link>();
  for (let afterId: string | undefined; ;) {
    const batch = await listLinks(deps.db, kind, {
      limit: 1000,
      ...(afterId !== undefined ? { afterId } : {}),
    });
    for (const link of batch) {
      if (link.locationId === locationId && link.ghlId !== undefined) found.set(link.ghlId, link);
    }
    if (batch.length < 1000) return found;
    afterId = batch.at(-1)?.id;
  }
}

/** A snapshot as reconciliation compares it. */
export interface SeenSnapshot {
  hash: string;
  data: unknown;
}

/** The GHL-side snapshots of `linkIds`, by link id (one query per 500). */
export async function ghlSnapshots(
  deps: Pick<ContactSyncDeps, 'db'>,
  linkIds: readonly string[],
): Promise<Map<string, SeenSnapshot>> {
  const found = new Map<string, SeenSnapshot>();
  for (let i = 0; i < linkIds.length; i += 500) {
    const rows = await deps.db
      .selectFrom('snapshots')
      .select(['link_id', 'hash', 'data'])
      .where('side', '=', 'ghl')
      .where('link_id', 'in', linkIds.slice(i, i + 500))
      .execute();
    for (const row of rows) {
      found.set(row.link_id, { hash: row.hash, data: JSON.parse(row.data) as unknown });
    }
  }
  return found;
}

/**
 * A view of `ghl` that counts the HTTP requests made through it (a retried request counts
 * once), for the calls a reconcile prints. Everything else is the client itself.
 */
export function countingGhl(ghl: GhlClient): { ghl: GhlClient; calls: () => number } {
  let calls = 0;
  const http = Object.create(ghl.http) as GhlHttp;
  const request: GhlHttp['request'] = (req) => {
    calls++;
    return ghl.http.request(req);
  };
  Object.defineProperty(http, 'request', { value: request });
  const client = Object.create(ghl, { http: { value: http } }) as GhlClient;
  return { ghl: client, calls: () => calls };
}

/**
 * True when `read` finds the record, false on a 404 (the only proof reconciliation takes that a
 * record is gone: never its absence from a listing); other errors throw.
 */
export async function stillThere(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if (error instanceof HttpError && error.code === 'not_found') return false;
    throw error;
  }
}
