/**
 * Row types of every table (ARCHITECTURE.md §4), as Kysely sees them. Times are epoch
 * milliseconds (`bigint` on PostgreSQL, read back as numbers), JSON is stored as text, and rows
 * never leave `src/store`: repositories map them to domain objects.
 */
import type { Generated } from 'kysely';

/** Which system a record or write belongs to. */
export type Side = 'ghl' | 'tt';

export interface ConnectionsTable {
  /** `ghl:<locationId>` or `tt:<account>`. */
  id: string;
  provider: Side;
  auth_kind: string;
  /** AES-256-GCM ciphertext of the credentials (see `secret-box.ts`). */
  secret: string;
  expires_at: number | null;
  scopes: string;
  health: string;
  health_detail: string | null;
  created_at: number;
  updated_at: number;
}

export interface LocksTable {
  name: string;
  owner: string;
  expires_at: number;
}

export interface LinksTable {
  id: string;
  /** `person`, `task`, `note` or `appointment`. */
  kind: string;
  location_id: string;
  ghl_id: string | null;
  tt_id: string | null;
  parent_id: string | null;
  /** `pending` (linked before the write), `active`, or `unlinked`. */
  state: string;
  created_at: number;
  updated_at: number;
}

export interface SnapshotsTable {
  link_id: string;
  side: Side;
  hash: string;
  data: string;
  source_updated_at: number | null;
  synced_at: number;
}

export interface VersionsTable {
  id: Generated<number>;
  link_id: string;
  /** The side that was written. */
  side: Side;
  source: string;
  source_event_id: string | null;
  source_ts: number | null;
  synced_at: number;
  mapping_version: string;
  before_hash: string | null;
  after_hash: string;
  change: string;
  /** `applied` or `not_applied`. */
  outcome: string;
  note: string | null;
}

export interface ProvenanceTable {
  link_id: string;
  side: Side;
  field: string;
  source_field: string;
  event_id: string | null;
  run_id: string | null;
  value_hash: string;
  written_at: number;
}

export interface InboxTable {
  id: Generated<number>;
  provider: Side;
  event_id: string;
  event_type: string;
  location_id: string | null;
  received_at: number;
  payload: string;
  /** `received`, `enqueued`, `done` or `failed`. */
  status: string;
  error: string | null;
}

export interface CursorsTable {
  stream: string;
  value: string;
  tie_break: string;
  page_token: string | null;
  updated_at: number;
}

export interface TimelineTable {
  id: Generated<number>;
  link_id: string;
  occurred_at: number;
  /** The timestamp as the source wrote it, time zone included. */
  occurred_raw: string | null;
  source: string;
  kind: string;
  summary: string;
  ref_id: string;
  data: string | null;
  recorded_at: number;
}

/** Where a GHL-side timeline entry went on Tenant Turner's activity timeline. */
export interface TimelinePostsTable {
  timeline_id: number;
  /** `posted`, `not_applied` (no activities on the account) or `failed` (refused for good). */
  state: string;
  activity_id: string | null;
  detail: string | null;
  at: number;
}

/** A GHL-side timeline entry still to post to Tenant Turner's activities (`timeline-posts.ts`). */
export interface TimelineOutboxTable {
  timeline_id: number;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target_side: string | null;
  target_id: string | null;
  before: string | null;
  after: string | null;
  result: string;
  detail: string | null;
  job_id: string | null;
}

/** The SQLite job queue (PostgreSQL uses pg-boss's own schema). */
export interface JobsTable {
  id: Generated<number>;
  queue: string;
  /** Ordering key: jobs with one key run one at a time, in id order. */
  key: string;
  /** Jobs with the same key and coalesce key that are still queued are merged into one. */
  coalesce_key: string | null;
  payload: string;
  /** `queued`, `active`, `retry` or `dead` (completed jobs are deleted). */
  state: string;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** Every table, for `Kysely<Database>`. */
export interface Database {
  connections: ConnectionsTable;
  locks: LocksTable;
  links: LinksTable;
  snapshots: SnapshotsTable;
  versions: VersionsTable;
  provenance: ProvenanceTable;
  inbox: InboxTable;
  cursors: CursorsTable;
  timeline: TimelineTable;
  timeline_posts: TimelinePostsTable;
  timeline_outbox: TimelineOutboxTable;
  audit: AuditTable;
  jobs: JobsTable;
}
