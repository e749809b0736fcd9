/**
 * What an applied change leaves behind (ARCHITECTURE.md §1.3): the new snapshot, a version row,
 * field provenance, a timeline entry and an audit row, written together in the caller's
 * transaction. Re-recording the same change (a retried job) adds no second timeline entry.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, Side } from './schema.ts';
import { insertTimelineRows, timelineRow } from './timeline-entries.ts';
import type { TimelineEntry, TimelineEntryWrite } from './timeline-entries.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A snapshot of one side of a link: the state ttsync last synced, and its hash. */
export interface Snapshot {
  hash: string;
  data: unknown;
  sourceUpdatedAt: number | undefined;
  syncedAt: number;
}

/** A snapshot to store with a change. */
export interface SnapshotWrite {
  side: Side;
  data: unknown;
  hash: string;
  sourceUpdatedAt?: number | undefined;
}

/** One change to record. */
export interface ChangeRecord {
  linkId: string;
  /** The side that was written (or would have been, for `not_applied`). */
  side: Side;
  /** What caused it: `ghl:webhook`, `ghl:backfill`, `ghl:poll`, `reconcile`, … */
  source: string;
  sourceEventId?: string | undefined;
  /** When the source says the change happened (epoch ms). */
  sourceTs?: number | undefined;
  mappingVersion: string;
  beforeHash: string | undefined;
  afterHash: string;
  /** The fields written, with their new values. */
  change: Record<string, unknown>;
  outcome: 'applied' | 'not_applied';
  /** Why, for `not_applied` (shown to the user). */
  note?: string | undefined;
  /** New snapshots: of the side written (when applied) and of the source as last seen. */
  snapshots: SnapshotWrite[];
  provenance: { field: string; sourceField: string; valueHash: string }[];
  timeline: Omit<TimelineEntryWrite, 'linkId'>;
  audit: {
    actor: string;
    action: string;
    targetId: string | undefined;
    before?: unknown;
    after?: unknown;
    result: string;
    detail?: string | undefined;
    jobId?: string | undefined;
  };
}

const json = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);

/** The snapshot of one side of a link, if any. */
export async function getSnapshot(
  db: Db,
  linkId: string,
  side: Side,
): Promise<Snapshot | undefined> {
  const row = await db
    .selectFrom('snapshots')
    .selectAll()
    .where('link_id', '=', linkId)
    .where('side', '=', side)
    .executeTakeFirst();
  return (
    row && {
      hash: row.hash,
      data: JSON.parse(row.data) as unknown,
      sourceUpdatedAt: row.source_updated_at ?? undefined,
      syncedAt: row.synced_at,
    }
  );
}

/** Rows per multi-row statement: far below SQLite's 32,766 bound variables. */
const CHUNK = 200;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/** Stores snapshots, several links at once (one row per link and side). */
export async function putSnapshots(
  db: Db,
  snapshots: readonly (SnapshotWrite & { linkId: string })[],
  now: number,
): Promise<void> {
  // One row per (link, side): the last write wins, as it would in sequence.
  const latest = new Map(snapshots.map((s) => [`${s.linkId}\u0000${s.side}`, s]));
  for (const part of chunks([...latest.values()])) {
    await db
      .insertInto('snapshots')
      .values(
        part.map((s) => ({
          link_id: s.linkId,
          side: s.side,
          hash: s.hash,
          data: JSON.stringify(s.data),
          source_updated_at: s.sourceUpdatedAt ?? null,
          synced_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['link_id', 'side']).doUpdateSet((eb) => ({
          hash: eb.ref('excluded.hash'),
          data: eb.ref('excluded.data'),
          source_updated_at: eb.ref('excluded.source_updated_at'),
          synced_at: eb.ref('excluded.synced_at'),
        })),
      )
      .execute();
  }
}

/**
 * Writes the records of several changes with one statement per table (a backfill page); call
 * inside the transaction that completes the work.
 */
export async function recordChanges(
  db: Db,
  changes: readonly ChangeRecord[],
  now: number,
): Promise<void> {
  if (changes.length === 0) return;
  await putSnapshots(
    db,
    changes.flatMap((c) => c.snapshots.map((s) => ({ linkId: c.linkId, ...s }))),
    now,
  );
  for (const part of chunks(changes)) {
    await db
      .insertInto('versions')
      .values(
        part.map((change) => ({
          link_id: change.linkId,
          side: change.side,
          source: change.source,
          source_event_id: change.sourceEventId ?? null,
          source_ts: change.sourceTs ?? null,
          synced_at: now,
          mapping_version: change.mappingVersion,
          before_hash: change.beforeHash ?? null,
          after_hash: change.afterHash,
          change: JSON.stringify(change.change),
          outcome: change.outcome,
          note: change.note ?? null,
        })),
      )
      .execute();
  }
  const provenance = new Map<string, Database['provenance']>();
  for (const change of changes) {
    if (change.outcome !== 'applied') continue;
    for (const p of change.provenance) {
      provenance.set(`${change.linkId}\u0000${change.side}\u0000${p.field}`, {
        link_id: change.linkId,
        side: change.side,
        field: p.field,
        source_field: p.sourceField,
        event_id: change.sourceEventId ?? null,
        run_id: change.audit.jobId ?? null,
        value_hash: p.valueHash,
        written_at: now,
      });
    }
  }
  for (const part of chunks([...provenance.values()])) {
    await db
      .insertInto('provenance')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['link_id', 'side', 'field']).doUpdateSet((eb) => ({
          source_field: eb.ref('excluded.source_field'),
          event_id: eb.ref('excluded.event_id'),
          run_id: eb.ref('excluded.run_id'),
          value_hash: eb.ref('excluded.value_hash'),
          written_at: eb.ref('excluded.written_at'),
        })),
      )
      .execute();
  }
  await insertTimelineRows(
    db,
    changes.map(({ linkId, timeline }) => timelineRow(linkId, timeline, now)),
  );
  await insertAudit(
    db,
    changes.map((change) => ({ ...change.audit, targetSide: change.side })),
    now,
  );
}

/** An audit row: who did what to which record, and how it ended. */
export interface AuditEntry {
  actor: string;
  action: string;
  targetSide: string | undefined;
  targetId: string | undefined;
  before?: unknown;
  after?: unknown;
  result: string;
  detail?: string | undefined;
  jobId?: string | undefined;
}

/** Appends audit rows. */
export async function insertAudit(
  db: Db,
  entries: readonly AuditEntry[],
  now: number,
): Promise<void> {
  for (const part of chunks(entries)) {
    await db
      .insertInto('audit')
      .values(
        part.map((a) => ({
          at: now,
          actor: a.actor,
          action: a.action,
          target_side: a.targetSide ?? null,
          target_id: a.targetId ?? null,
          before: json(a.before),
          after: json(a.after),
          result: a.result,
          detail: a.detail ?? null,
          job_id: a.jobId ?? null,
        })),
      )
      .execute();
  }
}

/** A person's versions, newest first. */
export async function listVersions(
  db: Db,
  linkId: string,
): Promise<
  {
    id: number;
    side: Side;
    source: string;
    outcome: string;
    afterHash: string;
    note: string | undefined;
    syncedAt: number;
    change: unknown;
  }[]
> {
  const rows = await db
    .selectFrom('versions')
    .selectAll()
    .where('link_id', '=', linkId)
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    side: r.side,
    source: r.source,
    outcome: r.outcome,
    afterHash: r.after_hash,
    note: r.note ?? undefined,
    syncedAt: r.synced_at,
    change: JSON.parse(r.change) as unknown,
  }));
}

/** A person's timeline, oldest first. */
export async function listTimeline(
  db: Db,
  linkId: string,
): Promise<Omit<TimelineEntry, 'id' | 'linkId' | 'data'>[]> {
  const rows = await db
    .selectFrom('timeline')
    .selectAll()
    .where('link_id', '=', linkId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    occurredAt: r.occurred_at,
    occurredRaw: r.occurred_raw ?? undefined,
    source: r.source,
    kind: r.kind,
    summary: r.summary,
    refId: r.ref_id,
  }));
}
