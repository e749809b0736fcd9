/**
 * Connections: one row per GHL location (or agency) and per Tenant Turner account, holding its
 * credentials sealed with the secret box. Secrets leave this module only decrypted for the
 * client that needs them, never in listings.
 */
import type { Kysely } from 'kysely';
import type { SecretBox } from '../shared/secret-box.ts';
import type { Database, Side } from './schema.ts';

/** A connection as the rest of ttsync sees it, without its secret. */
export interface ConnectionInfo {
  id: string;
  provider: Side;
  authKind: string;
  expiresAt: number | undefined;
  scopes: string[];
  health: string;
  healthDetail: string | undefined;
  updatedAt: number;
}

/** What `saveConnection` writes. */
export interface ConnectionInput {
  id: string;
  provider: Side;
  authKind: string;
  /** Any JSON value: sealed as a whole, bound to `id`. */
  secret: unknown;
  expiresAt?: number | undefined;
  scopes?: string[] | undefined;
}

/** Inserts or replaces a connection's credentials; health goes back to ok. */
export async function saveConnection(
  db: Kysely<Database>,
  box: SecretBox,
  input: ConnectionInput,
  now: number,
): Promise<void> {
  const sealed = box.seal(JSON.stringify(input.secret), input.id);
  const values = {
    provider: input.provider,
    auth_kind: input.authKind,
    secret: sealed,
    expires_at: input.expiresAt ?? null,
    scopes: (input.scopes ?? []).join(' '),
    health: 'ok',
    health_detail: null,
    updated_at: now,
  };
  await db
    .insertInto('connections')
    .values({ id: input.id, created_at: now, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/** The decrypted secret of connection `id`, or undefined when there is none. */
export async function loadConnectionSecret(
  db: Kysely<Database>,
  box: SecretBox,
  id: string,
): Promise<unknown> {
  const row = await db
    .selectFrom('connections')
    .select('secret')
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(box.open(row.secret, id)) as unknown);
}

/** Every connection, without secrets. */
export async function listConnections(db: Kysely<Database>): Promise<ConnectionInfo[]> {
  const rows = await db.selectFrom('connections').selectAll().orderBy('id').execute();
  return rows.map((row) => ({
    id: row.id,
    provider: row.provider,
    authKind: row.auth_kind,
    expiresAt: row.expires_at ?? undefined,
    scopes: row.scopes === '' ? [] : row.scopes.split(' '),
    health: row.health,
    healthDetail: row.health_detail ?? undefined,
    updatedAt: row.updated_at,
  }));
}

/** Records whether a connection works (e.g. `needs_reauth` with the provider's message). */
export async function setConnectionHealth(
  db: Kysely<Database>,
  id: string,
  health: string,
  detail: string | undefined,
  now: number,
): Promise<void> {
  await db
    .updateTable('connections')
    .set({ health, health_detail: detail ?? null, updated_at: now })
    .where('id', '=', id)
    .execute();
}
