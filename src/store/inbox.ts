/**
 * The inbox: every verified webhook, raw, unique on the provider's event id, written before the
 * provider gets its 200 (ARCHITECTURE.md §1.1). A dispatcher turns received rows into jobs.
 */
import { Worker } from 'node:worker_threads';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { AppError } from '../shared/errors.ts';
import type { InboxThreadReply, InboxThreadRequest } from './inbox-thread.ts';
import type { Database, Side } from './schema.ts';
import type { SqliteOpenOptions } from './sqlite-database.ts';

/** One verified delivery. */
export interface InboundEvent {
  provider: Side;
  /** GHL `webhookId`, TT `EventId`. */
  eventId: string;
  eventType: string;
  locationId: string | undefined;
  /** The body exactly as received. */
  payload: string;
  receivedAt: number;
}

/** A stored event, as the dispatcher reads it. */
export interface InboxEntry extends InboundEvent {
  id: number;
  status: InboxStatus;
}

/** `deferred`: kept for a handler a later version adds (nothing is dropped). */
export type InboxStatus = 'received' | 'enqueued' | 'deferred' | 'done' | 'failed';

/** The row of a newly received event. */
function inboxRow(event: InboundEvent): Insertable<Database['inbox']> {
  return {
    provider: event.provider,
    event_id: event.eventId,
    event_type: event.eventType,
    location_id: event.locationId ?? null,
    received_at: event.receivedAt,
    payload: event.payload,
    status: 'received',
    error: null,
  };
}

/**
 * Stores `event` unless an event with the same provider and id is already there; resolves once
 * the row is committed (durable under the store's sync setting).
 */
export async function recordInboundEvent(
  db: Kysely<Database> | Transaction<Database>,
  event: InboundEvent,
): Promise<'stored' | 'duplicate'> {
  return (await insertNew(db, [event])).size > 0 ? 'stored' : 'duplicate';
}

/** The oldest events in `status`, in arrival order. */
export async function inboxEntries(
  db: Kysely<Database>,
  status: InboxStatus,
  limit: number,
): Promise<InboxEntry[]> {
  const rows = await db
    .selectFrom('inbox')
    .selectAll()
    .where('status', '=', status)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(entryOf);
}

function entryOf(row: Selectable<Database['inbox']>): InboxEntry {
  return {
    id: row.id,
    provider: row.provider,
    eventId: row.event_id,
    eventType: row.event_type,
    locationId: row.location_id ?? undefined,
    payload: row.payload,
    receivedAt: row.received_at,
    status: row.status as InboxStatus,
  };
}

/** How many events the inbox holds in each status. */
export async function inboxCounts(
  db: Kysely<Database> | Transaction<Database>,
): Promise<Record<InboxStatus, number>> {
  const rows = await db
    .selectFrom('inbox')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
    .groupBy('status')
    .execute();
  const counts: Record<InboxStatus, number> = {
    received: 0,
    enqueued: 0,
    deferred: 0,
    done: 0,
    failed: 0,
  };
  for (const row of rows) counts[row.status as InboxStatus] = Number(row.n);
  return counts;
}

/** The events that could not become jobs, most recent first, with their error. */
export async function failedInboxEvents(
  db: Kysely<Database> | Transaction<Database>,
  limit: number,
): Promise<(InboxEntry & { error: string })[]> {
  const rows = await db
    .selectFrom('inbox')
    .selectAll()
    .where('status', '=', 'failed')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...entryOf(row), error: row.error ?? '' }));
}

/** Moves events to `status` (with the error that caused `failed`). */
export async function setInboxStatus(
  db: Kysely<Database> | Transaction<Database>,
  ids: readonly number[],
  status: InboxStatus,
  error?: string,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('inbox')
    .set({ status, error: error ?? null })
    .where('id', 'in', ids)
    .execute();
}

/**
 * Deletes up to `limit` dispatched events (`enqueued`: their jobs carry all they need, and the
 * versions, timeline and audit keep the history) received before `cutoff`, oldest first;
 * resolves with how many. Events that `failed` or were `deferred` stay for a person or a later
 * version to act on. Forgetting an old event's id does not let GHL's copies of it in again
 * (deliveries older than the allowed skew, 5 minutes by default and always less than the
 * retention, are refused as stale), nor Tenant Turner's retries (the last comes 405 minutes after
 * the first delivery, within the shortest retention, a day). A copy sent by hand later is stored
 * again, and its job finds nothing changed or re-records an observation already on the timeline.
 */
export async function pruneInbox(
  db: Kysely<Database>,
  cutoff: number,
  limit: number,
): Promise<number> {
  // Oldest dispatched first, by the (status, id) index; ids follow arrival.
  const rows = await db
    .selectFrom('inbox')
    .select(['id', 'received_at'])
    .where('status', '=', 'enqueued')
    .orderBy('id')
    .limit(limit)
    .execute();
  const ids = rows.filter((row) => row.received_at < cutoff).map((row) => row.id);
  if (ids.length === 0) return 0;
  await db.deleteFrom('inbox').where('id', 'in', ids).execute();
  return ids.length;
}

/**
 * Inserts the events not stored yet in one statement; resolves with the provider/event-id keys
 * of those it inserted. (Also run by the writer thread, `inbox-thread.ts`.)
 */
export async function insertNew(
  db: Kysely<Database> | Transaction<Database>,
  events: readonly InboundEvent[],
): Promise<Set<string>> {
  const stored = new Set<string>();
  for (let i = 0; i < events.length; i += 200) {
    const rows = await db
      .insertInto('inbox')
      .values(events.slice(i, i + 200).map(inboxRow))
      .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
      .returning(['provider', 'event_id'])
      .execute();
    for (const row of rows) stored.add(`${row.provider}\u0000${row.event_id}`);
  }
  return stored;
}

/** Options of `InboxWriter`. */
export interface InboxWriterOptions {
  /** Events per transaction at most; default 500. */
  maxBatch?: number;
  /**
   * The SQLite file behind `db` (`Store.sqliteFile`): commit there from a thread of its own
   * (`inbox-thread.ts`), so the commit and its fsync do not hold up the event loop. Without it
   * (PostgreSQL, whose commits do not block; `:memory:`) commits go through `db`.
   */
  sqliteFile?: SqliteOpenOptions | undefined;
}

/**
 * Group commit for the inbox: the events recorded in one turn of the event loop, and those
 * recorded while a write is in flight, are written together in one transaction, so concurrent
 * webhooks share one commit (and one fsync) instead of paying one each. Each caller still
 * learns whether its own event was stored or a duplicate, and only after the transaction
 * holding it has committed.
 */
export class InboxWriter {
  readonly #db: Kysely<Database>;
  readonly #maxBatch: number;
  readonly #thread: InboxThread | undefined;
  #waiting: {
    event: InboundEvent;
    resolve: (outcome: 'stored' | 'duplicate') => void;
    reject: (error: unknown) => void;
  }[] = [];
  #writing = false;
  /** Settles when the writes started so far are done. */
  #idle: Promise<void> = Promise.resolve();

  constructor(db: Kysely<Database>, options: InboxWriterOptions = {}) {
    this.#db = db;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#thread = options.sqliteFile ? new InboxThread(options.sqliteFile) : undefined;
  }

  /** Stores `event` (see `recordInboundEvent`); resolves once its transaction has committed. */
  record(event: InboundEvent): Promise<'stored' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ event, resolve, reject });
      if (this.#writing) return;
      this.#writing = true;
      // Not now but after this turn of the event loop has read every request that is ready:
      // starting right away would commit each webhook on its own.
      this.#idle = new Promise((done) => setImmediate(() => void this.#drain().then(done)));
    });
  }

  /** Waits for the events recorded so far to be written, then stops the writer thread. */
  async close(): Promise<void> {
    await this.#idle;
    await this.#thread?.close();
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      const events = batch.map((entry) => entry.event);
      try {
        const stored = this.#thread
          ? await this.#thread.insert(events)
          : await this.#db.transaction().execute((trx) => insertNew(trx, events));
        for (const entry of batch) {
          const key = `${entry.event.provider}\u0000${entry.event.eventId}`;
          // The first of a batch's copies of one event is the stored one; the rest are duplicates.
          entry.resolve(stored.delete(key) ? 'stored' : 'duplicate');
        }
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.#writing = false;
  }
}

/** The main thread's side of `inbox-thread.ts`, started at the first write. */
class InboxThread {
  readonly #file: SqliteOpenOptions;
  #current: RunningThread | undefined;
  #nextId = 0;

  constructor(file: SqliteOpenOptions) {
    this.#file = file;
  }

  /** Inserts and commits `events`; resolves with the keys it inserted (not already there). */
  insert(events: InboundEvent[]): Promise<Set<string>> {
    const thread = (this.#current ??= this.#start());
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, events } satisfies InboxThreadRequest);
    });
  }

  /** Lets the batches already sent commit, then closes the thread's connection. */
  async close(): Promise<void> {
    const thread = this.#current;
    this.#current = undefined;
    if (!thread) return;
    thread.worker.postMessage({ close: true } satisfies InboxThreadRequest);
    await thread.exited;
  }

  #start(): RunningThread {
    const worker = new Worker(new URL('./inbox-thread.ts', import.meta.url), {
      workerData: this.#file,
    });
    // The server's own handles keep the process alive; this thread alone must not.
    worker.unref();
    const pending: RunningThread['pending'] = new Map();
    let failure: Error | undefined;
    worker.on('message', (reply: InboxThreadReply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply) {
        waiter?.reject(
          new AppError('store_unavailable', `The inbox could not be written: ${reply.error}`),
        );
      } else {
        waiter?.resolve(new Set(reply.stored));
      }
    });
    const thread: RunningThread = {
      worker,
      pending,
      exited: new Promise((resolve) => {
        worker.on('exit', (code) => {
          // A thread that ended or failed is replaced at the next write.
          if (this.#current === thread) this.#current = undefined;
          const error = new AppError(
            'store_unavailable',
            `The inbox writer thread ended (exit ${code}${failure ? `: ${failure.message}` : ''}) before answering.`,
          );
          for (const waiter of pending.values()) waiter.reject(error);
          pending.clear();
          resolve();
        });
      }),
    };
    // An uncaught error in the thread ends it; 'exit' then fails what it had not answered.
    worker.on('error', (error: Error) => {
      failure = error;
    });
    return thread;
  }
}

interface RunningThread {
  worker: Worker;
  pending: Map<
    number,
    { resolve: (stored: Set<string>) => void; reject: (error: unknown) => void }
  >;
  exited: Promise<void>;
}
