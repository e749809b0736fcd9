/**
 * The `JobQueue` port (ARCHITECTURE.md §1.2, §2): durable jobs, run at least once, one at a time
 * per ordering key in enqueue order, different keys in parallel. Two adapters implement it with
 * the same behaviour, checked by one contract suite: ttsync's own SQLite table
 * (`sqlite-queue.ts`) and pg-boss on PostgreSQL (`pg-boss-queue.ts`). See `docs/queue.md`.
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { BackoffOptions } from '../shared/retry.ts';
import type { Store } from '../store/database.ts';
import type { Database } from '../store/schema.ts';

/** A transaction on the store, for writes that must commit together with a queue operation. */
export type StoreTransaction = Transaction<Database>;

/** How a job is enqueued. */
export interface EnqueueOptions {
  /**
   * Ordering key, normally the person (link). Jobs of one key run one at a time, in enqueue
   * order; jobs of different keys run in parallel.
   */
  key: string;
  /**
   * Merges this job into a job with the same name, key and coalesce key that is still waiting
   * and has never started: that job keeps its id and place, takes this payload, and runs once.
   */
  coalesceKey?: string | undefined;
  /** Run no earlier than this many ms from now. */
  delayMs?: number | undefined;
  /** Run no earlier than this time (epoch ms, by the queue's clock); wins over `delayMs`. */
  runAt?: number | undefined;
  /** Runs before the job goes to the dead-letter list; default the queue's `maxAttempts`. */
  maxAttempts?: number | undefined;
  /** Enqueue as part of this transaction: the job exists only if it commits. */
  transaction?: StoreTransaction | undefined;
}

/** One job of `enqueueMany`: what `enqueue` takes, without a transaction of its own. */
export interface JobToEnqueue {
  name: string;
  payload: unknown;
  options: Omit<EnqueueOptions, 'transaction'>;
}

/** What `enqueue` did. */
export interface EnqueueResult {
  /** The job's id (the existing job's when coalesced). */
  id: string;
  /** True when the payload was merged into a job that was already waiting. */
  coalesced: boolean;
}

/** What a handler gets besides its payload (graphile-worker's `JobHelpers` style). */
export interface JobHelpers {
  jobId: string;
  name: string;
  key: string;
  /** 1 for the first run; counts again from 1 after a retry from the dead-letter list. */
  attempt: number;
  maxAttempts: number;
  /** Carries `jobId`, `job` and `key`. */
  logger: Logger;
  clock: Clock;
  /** Aborted when the queue stops and the handler has not finished in time. */
  signal: AbortSignal;
  /**
   * Completes the job inside `transaction`, so the handler's writes and the completion commit
   * together (ARCHITECTURE.md §1.3). If the transaction rolls back, the job completes normally
   * when the handler returns, or retries if it throws.
   */
  completeInTransaction(transaction: StoreTransaction): Promise<void>;
}

/** Runs one job. Throw to fail it: see `docs/queue.md` for what is retried. */
export type JobHandler<P = unknown> = (payload: P, helpers: JobHelpers) => Promise<void>;

/** A job on the dead-letter list. */
export interface DeadJob {
  id: string;
  name: string;
  key: string;
  payload: unknown;
  /** Runs made before it died. */
  attempts: number;
  /** The last error's message: what went wrong and what to fix. */
  lastError: string;
  /** When it was enqueued (epoch ms). */
  createdAt: number;
  /** When it died (epoch ms). */
  diedAt: number;
  /** Jobs of the same key waiting behind it (a dead job holds its key; see `docs/queue.md`). */
  heldBack: number;
}

/** Jobs per state, for monitoring. Completed jobs are not kept. */
export interface JobCounts {
  /** Ready to run now (some may wait behind their key). */
  waiting: number;
  /** Waiting for a `delayMs`/`runAt` in the future. */
  delayed: number;
  /** Failed and waiting for their next attempt. */
  retrying: number;
  active: number;
  dead: number;
}

/** How a run ended, reported to `onOutcome` after it is recorded. */
export interface JobOutcome {
  jobId: string;
  name: string;
  key: string;
  attempt: number;
  /**
   * `completed`; `retry` (will run again after `delayMs`); `dead` (on the dead-letter list);
   * `lost` (the job was no longer this worker's: its lock expired or a transaction settled it).
   */
  outcome: 'completed' | 'retry' | 'dead' | 'lost';
  delayMs?: number;
  error?: Error;
}

/** Options shared by both adapters. */
export interface JobQueueOptions {
  store: Store;
  logger?: Logger | undefined;
  clock?: Clock | undefined;
  /** Handlers running at once in this process; default 4. */
  concurrency?: number | undefined;
  /** How often an idle worker looks for jobs enqueued by other processes; default 500 ms. */
  pollIntervalMs?: number | undefined;
  /**
   * How long a running job stays locked without a heartbeat before another worker may take it
   * (the worker died). Workers extend it every third of this. Default 30 s; pg-boss needs ≥ 10 s.
   */
  lockTimeoutMs?: number | undefined;
  /** Default runs per job before it goes dead; default 12. */
  maxAttempts?: number | undefined;
  /** Retry delays: capped exponential with full jitter; default 1 s doubling to 10 min. */
  backoff?: BackoffOptions | undefined;
  /** Source of jitter in [0, 1); default `Math.random`. */
  random?: (() => number) | undefined;
  /** Called after each run's outcome is recorded (metrics, tests). Must not throw. */
  onOutcome?: ((outcome: JobOutcome) => void) | undefined;
  /** Names this worker in locks and logs; default host:pid:random. */
  workerId?: string | undefined;
}

/** How `stop` ends running handlers. */
export interface StopOptions {
  /** How long to let running handlers finish before aborting their signal; default 10 s. */
  timeoutMs?: number;
}

/** The queue ttsync's sync engine uses; one instance per process. */
export interface JobQueue {
  /** Sets the handler for jobs named `name` (before or after `start`). */
  register<P = unknown>(name: string, handler: JobHandler<P>): void;
  /** Stores a job durably; `payload` must be JSON-serialisable. */
  enqueue(name: string, payload: unknown, options: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Stores several jobs as one write: the same jobs, coalescing (among themselves too) and
   * results as `enqueue` called for each in turn, but in one transaction, `options.transaction`
   * or its own, so all are stored or none (a bad job refuses the whole batch before anything is
   * written). Resolves with one result per job, in order.
   */
  enqueueMany(
    jobs: readonly JobToEnqueue[],
    options?: { transaction?: StoreTransaction | undefined },
  ): Promise<EnqueueResult[]>;
  /** Starts running jobs; enqueue and the admin calls work without it (e.g. in `ttsync serve`). */
  start(): Promise<void>;
  /**
   * Stops taking jobs, waits up to `timeoutMs` for running handlers, then aborts their signal
   * and returns. A handler still running after that keeps its lock until the lock expires.
   */
  stop(options?: StopOptions): Promise<void>;
  /** Jobs per state. */
  counts(): Promise<JobCounts>;
  /** The dead-letter list, most recent first. */
  listDead(options?: { limit?: number }): Promise<DeadJob[]>;
  /** Puts a dead job back at the head of its key with a fresh set of attempts; false if not dead. */
  retryDead(id: string): Promise<boolean>;
  /** Deletes a dead job, releasing the jobs of its key behind it; false if not dead. */
  discardDead(id: string): Promise<boolean>;
}
