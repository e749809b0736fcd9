/**
 * The first schema: every table of ARCHITECTURE.md §4. Shipped migrations are never edited; a
 * change is a new numbered file.
 */
import type { CreateTableBuilder, Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/** `bigint` on PostgreSQL (epoch ms outgrow `integer`); SQLite's INTEGER is 64-bit already. */
function time(dialect: Dialect): 'bigint' | 'integer' {
  return dialect === 'postgres' ? 'bigint' : 'integer';
}

/** An auto-numbered primary key named `id`. */
function withId<T extends string>(
  dialect: Dialect,
  table: CreateTableBuilder<T, never>,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export function up(dialect: Dialect) {
  const t = time(dialect);
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema
      .createTable('connections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('auth_kind', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('expires_at', t)
      .addColumn('scopes', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('health', 'text', (c) => c.notNull().defaultTo('ok'))
      .addColumn('health_detail', 'text')
      .addColumn('created_at', t, (c) => c.notNull())
      .addColumn('updated_at', t, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('locks')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('expires_at', t, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('links')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('location_id', 'text', (c) => c.notNull())
      .addColumn('ghl_id', 'text')
      .addColumn('tt_id', 'text')
      .addColumn('parent_id', 'text', (c) => c.references('links.id'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', t, (c) => c.notNull())
      .addColumn('updated_at', t, (c) => c.notNull())
      .addUniqueConstraint('links_ghl_unique', ['kind', 'location_id', 'ghl_id'])
      .addUniqueConstraint('links_tt_unique', ['kind', 'tt_id'])
      .execute();
    await db.schema.createIndex('links_parent').on('links').column('parent_id').execute();

    await db.schema
      .createTable('snapshots')
      .addColumn('link_id', 'text', (c) => c.notNull().references('links.id'))
      .addColumn('side', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('source_updated_at', t)
      .addColumn('synced_at', t, (c) => c.notNull())
      .addPrimaryKeyConstraint('snapshots_pk', ['link_id', 'side'])
      .execute();

    await withId(dialect, db.schema.createTable('versions'))
      .addColumn('link_id', 'text', (c) => c.notNull().references('links.id'))
      .addColumn('side', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('source_event_id', 'text')
      .addColumn('source_ts', t)
      .addColumn('synced_at', t, (c) => c.notNull())
      .addColumn('mapping_version', 'text', (c) => c.notNull())
      .addColumn('before_hash', 'text')
      .addColumn('after_hash', 'text', (c) => c.notNull())
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .execute();
    await db.schema
      .createIndex('versions_link')
      .on('versions')
      .columns(['link_id', 'id'])
      .execute();

    await db.schema
      .createTable('provenance')
      .addColumn('link_id', 'text', (c) => c.notNull().references('links.id'))
      .addColumn('side', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('source_field', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text')
      .addColumn('run_id', 'text')
      .addColumn('value_hash', 'text', (c) => c.notNull())
      .addColumn('written_at', t, (c) => c.notNull())
      .addPrimaryKeyConstraint('provenance_pk', ['link_id', 'side', 'field'])
      .execute();

    await withId(dialect, db.schema.createTable('inbox'))
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('location_id', 'text')
      .addColumn('received_at', t, (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addUniqueConstraint('inbox_event_unique', ['provider', 'event_id'])
      .execute();
    await db.schema.createIndex('inbox_status').on('inbox').columns(['status', 'id']).execute();

    await db.schema
      .createTable('cursors')
      .addColumn('stream', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('tie_break', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('page_token', 'text')
      .addColumn('updated_at', t, (c) => c.notNull())
      .execute();

    await withId(dialect, db.schema.createTable('timeline'))
      .addColumn('link_id', 'text', (c) => c.notNull().references('links.id'))
      .addColumn('occurred_at', t, (c) => c.notNull())
      .addColumn('occurred_raw', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('ref_id', 'text', (c) => c.notNull())
      .addColumn('data', 'text')
      .addColumn('recorded_at', t, (c) => c.notNull())
      .addUniqueConstraint('timeline_entry_unique', ['link_id', 'source', 'kind', 'ref_id'])
      .execute();
    await db.schema
      .createIndex('timeline_person')
      .on('timeline')
      .columns(['link_id', 'occurred_at'])
      .execute();

    await withId(dialect, db.schema.createTable('audit'))
      .addColumn('at', t, (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_side', 'text')
      .addColumn('target_id', 'text')
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addColumn('job_id', 'text')
      .execute();
    await db.schema.createIndex('audit_at').on('audit').column('at').execute();

    await withId(dialect, db.schema.createTable('jobs'))
      .addColumn('queue', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('coalesce_key', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('run_at', t, (c) => c.notNull())
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', t)
      .addColumn('last_error', 'text')
      .addColumn('created_at', t, (c) => c.notNull())
      .addColumn('updated_at', t, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_ready').on('jobs').columns(['state', 'run_at']).execute();
    await db.schema.createIndex('jobs_key').on('jobs').columns(['key', 'id']).execute();
  };
}
