/**
 * The cursor of a time-ordered poll (contacts by `dateUpdated`, calendar events by
 * `dateUpdated`): the largest change time seen (epoch ms) and the ids seen at exactly that
 * time (the tie-break set). A poll reads from the cursor minus a lookback (GHL may show a change
 * a little late), skips a record at the cursor's time whose id is in the set, and commits the
 * advanced cursor after the writes it covers. See docs/sync.md, "Polls".
 */
import { getCursor } from '../store/cursors.ts';
import type { Cursor } from '../store/cursors.ts';
import type { ContactSyncDeps } from './contact-types.ts';

/** Default lookback behind the cursor: GHL may show an update a few seconds late. */
export const DEFAULT_POLL_LOOKBACK_MS = 60_000;

/** A record as the cursor sees it: its id and its change time (epoch ms), if readable. */
export interface Stamped {
  id: string;
  ms: number | undefined;
}

/** Epoch ms of a GHL timestamp (ISO, with or without offset), or undefined. */
export function stampOf(raw: string | undefined): number | undefined {
  const ms = raw ? Date.parse(raw) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Where a poll starts reading: the cursor (or `now` for the first poll) minus the lookback. */
export function pollSince(cursor: Cursor | undefined, now: number, lookbackMs: number): number {
  return (cursor ? Number(cursor.value) : now) - lookbackMs;
}

/**
 * A poll's start: `stream`'s saved cursor, the time the poll starts (read after the cursor), and
 * where it reads from (`pollSince`, `lookbackMs` behind; default one minute).
 */
export async function pollStart(
  deps: Pick<ContactSyncDeps, 'db' | 'clock'>,
  stream: string,
  lookbackMs = DEFAULT_POLL_LOOKBACK_MS,
): Promise<{ cursor: Cursor | undefined; startedAt: number; since: number }> {
  const cursor = await getCursor(deps.db, stream);
  const startedAt = deps.clock.now();
  return { cursor, startedAt, since: pollSince(cursor, startedAt, lookbackMs) };
}

/**
 * The cursor a first poll saves when it finds nothing: its starting time with an empty set, so
 * the next poll reads from there (minus the lookback) rather than from its own `now`, which
 * would skip whatever changed in between.
 */
export function startingCursor(now: number): Cursor {
  return { value: String(now), tieBreak: [], pageToken: undefined, updatedAt: 0 };
}

/** True when `record` is at the cursor's time and among the ids already seen there. */
export function seenAt(cursor: Cursor | undefined, record: Stamped): boolean {
  if (!cursor || record.ms === undefined) return false;
  return record.ms === Number(cursor.value) && cursor.tieBreak.includes(record.id);
}

/**
 * The cursor after `records`: the largest change time seen and the ids at that time, or
 * undefined when it would not change (so a poll that finds nothing new writes nothing).
 */
export function advanceCursor(
  cursor: Cursor | undefined,
  records: readonly Stamped[],
): Cursor | undefined {
  let value = cursor ? Number(cursor.value) : Number.NEGATIVE_INFINITY;
  let ids = new Set(cursor?.tieBreak ?? []);
  for (const { id, ms } of records) {
    if (ms === undefined || ms < value) continue;
    if (ms > value) {
      value = ms;
      ids = new Set();
    }
    ids.add(id);
  }
  if (!Number.isFinite(value)) return undefined;
  const tieBreak = [...ids].sort();
  if (
    cursor &&
    Number(cursor.value) === value &&
    JSON.stringify(cursor.tieBreak) === JSON.stringify(tieBreak)
  ) {
    return undefined;
  }
  return { value: String(value), tieBreak, pageToken: undefined, updatedAt: 0 };
}
