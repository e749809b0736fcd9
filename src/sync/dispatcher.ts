/**
 * Inbox → queue (ARCHITECTURE.md §1.2): every received webhook becomes a job keyed by the
 * person, so one person's changes run in order, and a burst for one contact coalesces into one
 * job that reads the latest state. The job and the inbox status commit together; a crash in
 * between re-enqueues, which coalesces or finds nothing changed.
 */
import type { Kysely, Transaction } from 'kysely';
import type { JobQueue, JobToEnqueue } from '../queue/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { inboxEntries, pruneInbox, setInboxStatus } from '../store/inbox.ts';
import type { InboxEntry } from '../store/inbox.ts';
import type { Database } from '../store/schema.ts';
import { routeEvent } from './event-routes.ts';

export interface InboxDispatcherOptions {
  db: Kysely<Database>;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  /**
   * Events per round; default 50. A round holds the event loop while it runs, so small rounds
   * keep webhook acks fast while webhooks keep arriving (ingest bench: ack p99 24–26 ms at 50,
   * 28 ms at 200); 50 a round every 20 ms still moves 2,500 events a second, far more than
   * GHL's rate limit lets the workers sync.
   */
  batchSize?: number;
  /** How often to look when not woken; default 1,000 ms. */
  idleMs?: number;
  /** Pause between rounds while there is a backlog; default 20 ms. */
  roundIntervalMs?: number;
  /**
   * How long dispatched events stay in the inbox (`TTSYNC_INBOX_RETENTION_DAYS`); older ones
   * are deleted while the dispatcher is idle, at most once per `pruneEveryMs` (default an hour).
   * Undefined or 0: kept for ever.
   */
  retentionMs?: number | undefined;
  pruneEveryMs?: number | undefined;
}

/** Events deleted per statement when pruning (short statements: SQLite holds the event loop). */
const PRUNE_BATCH = 500;

/** Moves received webhooks into the job queue. */
export class InboxDispatcher {
  readonly #options: InboxDispatcherOptions;
  #stop: AbortController | undefined;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #again = false;
  #lastPrune: number | undefined;

  constructor(options: InboxDispatcherOptions) {
    this.#options = options;
  }

  /** Starts dispatching in the background. */
  start(): void {
    if (this.#running) return;
    this.#stop = new AbortController();
    this.#running = this.#loop(this.#stop.signal);
  }

  /** Called when a webhook was stored: dispatch now rather than at the next tick. */
  wake(): void {
    this.#again = true;
    this.#wake?.();
  }

  /** Stops after the current round. */
  async stop(): Promise<void> {
    this.#stop?.abort();
    this.#wake?.();
    await this.#running;
    this.#running = undefined;
  }

  /**
   * One round: dispatches up to a batch of received events, all in one transaction (one commit
   * for the batch); if that fails, one by one, so a single bad event cannot hold up the rest.
   * Resolves with how many were handled.
   */
  async dispatchOnce(): Promise<number> {
    const { db, logger } = this.#options;
    const entries = await inboxEntries(db, 'received', this.#options.batchSize ?? 50);
    if (entries.length === 0) return 0;
    try {
      await db.transaction().execute((trx) => this.#dispatch(trx, entries));
    } catch (batchError) {
      logger.warn({ err: batchError, events: entries.length }, 'inbox batch failed; one by one');
      for (const entry of entries) {
        try {
          await db.transaction().execute((trx) => this.#dispatch(trx, [entry]));
        } catch (error) {
          logger.error({ err: error, eventId: entry.eventId }, 'inbox event could not be enqueued');
          await setInboxStatus(db, [entry.id], 'failed', (error as Error).message);
        }
      }
    }
    return entries.length;
  }

  async #dispatch(trx: Transaction<Database>, entries: readonly InboxEntry[]): Promise<void> {
    const jobs: JobToEnqueue[] = [];
    const enqueued: number[] = [];
    const deferred: number[] = [];
    for (const entry of entries) {
      const spec = routeEvent(entry);
      if (spec === undefined) {
        deferred.push(entry.id);
      } else if ('invalid' in spec) {
        await setInboxStatus(trx, [entry.id], 'failed', spec.invalid);
      } else {
        jobs.push({
          name: spec.name,
          payload: spec.payload,
          options: { key: spec.key, coalesceKey: spec.coalesceKey },
        });
        enqueued.push(entry.id);
      }
    }
    // The batch's jobs in one write, in arrival order (so each person's stay in order).
    await this.#options.queue.enqueueMany(jobs, { transaction: trx });
    await setInboxStatus(trx, enqueued, 'enqueued');
    await setInboxStatus(trx, deferred, 'deferred');
  }

  /**
   * Deletes the dispatched events older than the retention (see `pruneInbox`), in short
   * statements with a pause between them, stopping early when webhooks arrive; resolves with how
   * many it deleted and whether none is left to delete.
   */
  async prune(signal?: AbortSignal): Promise<{ deleted: number; done: boolean }> {
    const { db, clock, retentionMs } = this.#options;
    if (!retentionMs) return { deleted: 0, done: true };
    const cutoff = clock.now() - retentionMs;
    let deleted = 0;
    for (;;) {
      const batch = await pruneInbox(db, cutoff, PRUNE_BATCH);
      deleted += batch;
      if (batch < PRUNE_BATCH) return { deleted, done: true };
      if (signal?.aborted || this.#again) return { deleted, done: false };
      await clock.sleep(this.#options.roundIntervalMs ?? 20, signal).catch(() => undefined);
      if (signal?.aborted) return { deleted, done: false };
    }
  }

  /** Prunes when the last complete pass is `pruneEveryMs` old; an interrupted one goes on next. */
  async #pruneIfDue(signal: AbortSignal): Promise<void> {
    const { clock, logger, retentionMs = 0 } = this.#options;
    const now = clock.now();
    const every = this.#options.pruneEveryMs ?? 3_600_000;
    if (this.#lastPrune !== undefined && now - this.#lastPrune < every) return;
    try {
      const { deleted, done } = await this.prune(signal);
      if (done) this.#lastPrune = now;
      if (deleted > 0) {
        logger.info(
          { deleted, done, retentionDays: retentionMs / 86_400_000 },
          'dispatched inbox events past their retention deleted',
        );
      }
    } catch (error) {
      this.#lastPrune = now;
      logger.warn({ err: error, retryInMs: every }, 'inbox pruning failed; trying again later');
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    const { clock, logger } = this.#options;
    while (!signal.aborted) {
      this.#again = false;
      let handled = 0;
      try {
        handled = await this.dispatchOnce();
      } catch (error) {
        logger.error({ err: error }, 'inbox dispatch round failed; retrying');
      }
      if (handled > 0) {
        // A backlog is dispatched in paced rounds, so webhooks arriving meanwhile are stored
        // (and answered) between rounds instead of waiting behind the whole backlog.
        await clock.sleep(this.#options.roundIntervalMs ?? 20, signal).catch(() => undefined);
        continue;
      }
      if (this.#again) continue;
      await this.#pruneIfDue(signal);
      if (this.#again) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        clock.sleep(this.#options.idleMs ?? 1_000, signal).then(resolve, resolve);
      });
      this.#wake = undefined;
    }
  }
}
