/**
 * The inbox's writer thread (`InboxWriter` on a SQLite file): its own connection to the file,
 * on which each batch of new webhooks is inserted (`insertNew`, as on the main thread) and
 * committed, fsync included, while the event loop of the main thread goes on reading and
 * verifying the next requests. Messages, handled one at a time in order:
 * `{ id, events }` → `{ id, stored }` (the provider/event-id keys it inserted) or `{ id, error }`;
 * `{ close: true }` closes the connection after the batches before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Kysely, SqliteDialect } from 'kysely';
import { insertNew } from './inbox.ts';
import type { InboundEvent } from './inbox.ts';
import type { Database } from './schema.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
import type { SqliteOpenOptions } from './sqlite-database.ts';

export type InboxThreadRequest = { id: number; events: InboundEvent[] } | { close: true };
export type InboxThreadReply = { id: number; stored: string[] } | { id: number; error: string };

const port = parentPort;
if (port) {
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: openSqliteDatabase(workerData as SqliteOpenOptions) }),
  });
  let turn: Promise<void> = Promise.resolve();
  port.on('message', (message: InboxThreadRequest) => {
    turn = turn.then(async () => {
      if ('close' in message) {
        await db.destroy();
        port.close();
        return;
      }
      try {
        const stored = await db.transaction().execute((trx) => insertNew(trx, message.events));
        port.postMessage({ id: message.id, stored: [...stored] } satisfies InboxThreadReply);
      } catch (error) {
        port.postMessage({
          id: message.id,
          error: (error as Error).message,
        } satisfies InboxThreadReply);
      }
    });
  });
}
