/**
 * The inbox's writer thread (`InboxWriter` on a SQLite file): its own connection to the file,
 * on which each batch of new webhooks is inserted and committed, fsync included, while the
 * event loop of the main thread goes on reading and verifying the next requests. Messages:
 * `{ id, rows }` → `{ id, stored }` (the provider/event-id keys it inserted) or `{ id, error }`;
 * `{ close: true }` closes the connection after the batches before it.
 */
import type { StatementSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteConnection } from './sqlite-database.ts';
import type { InboxTable } from './schema.ts';
import type { SqliteOpenOptions } from './sqlite-database.ts';

/** A new inbox row, as `inboxRow` builds it. */
export type InboxThreadRow = Omit<InboxTable, 'id'>;

export type InboxThreadRequest = { id: number; rows: InboxThreadRow[] } | { close: true };
export type InboxThreadReply = { id: number; stored: string[] } | { id: number; error: string };

const INSERT = `insert into inbox
  (provider, event_id, event_type, location_id, received_at, payload, status, error)
  values (:provider, :event_id, :event_type, :location_id, :received_at, :payload, :status, :error)
  on conflict (provider, event_id) do nothing`;

const port = parentPort;
if (port) {
  const db = openSqliteConnection(workerData as SqliteOpenOptions);
  let insert: StatementSync | undefined;
  port.on('message', (message: InboxThreadRequest) => {
    if ('close' in message) {
      db.close();
      port.close();
      return;
    }
    try {
      insert ??= db.prepare(INSERT);
      const stored: string[] = [];
      db.exec('begin immediate');
      try {
        for (const row of message.rows) {
          const { changes } = insert.run({ ...row });
          if (Number(changes) > 0) stored.push(`${row.provider}\u0000${row.event_id}`);
        }
        db.exec('commit');
      } catch (error) {
        if (db.isTransaction) db.exec('rollback');
        throw error;
      }
      port.postMessage({ id: message.id, stored } satisfies InboxThreadReply);
    } catch (error) {
      // Prepared again next time: the table may have been changed under the statement.
      insert = undefined;
      port.postMessage({
        id: message.id,
        error: (error as Error).message,
      } satisfies InboxThreadReply);
    }
  });
}
