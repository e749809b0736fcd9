/**
 * The job queue's public surface: the `JobQueue` port, its two adapters, and `createJobQueue`,
 * which picks the adapter that fits the store (ARCHITECTURE.md §2).
 */
import { AppError } from '../shared/errors.ts';
import type { JobQueue, JobQueueOptions } from './job-queue.ts';
import { PgBossJobQueue } from './pg-boss-queue.ts';
import { SqliteJobQueue } from './sqlite-queue.ts';

export type {
  DeadJob,
  EnqueueOptions,
  EnqueueResult,
  JobCounts,
  JobHandler,
  JobHelpers,
  JobOutcome,
  JobQueue,
  JobQueueOptions,
  JobToEnqueue,
  StopOptions,
  StoreTransaction,
} from './job-queue.ts';
export { DEFAULT_BACKOFF, decideFailure, describeError } from './failure-policy.ts';
export type { FailureDecision } from './failure-policy.ts';
export { PgBossJobQueue } from './pg-boss-queue.ts';
export type { PgBossJobQueueOptions } from './pg-boss-queue.ts';
export { SqliteJobQueue } from './sqlite-queue.ts';

/** Options for `createJobQueue`: the shared ones, plus what the PostgreSQL adapter needs. */
export interface CreateJobQueueOptions extends JobQueueOptions {
  /** Required on PostgreSQL: the `DATABASE_URL` the store was opened with. */
  databaseUrl?: string | undefined;
  /** PostgreSQL only; see `PgBossJobQueueOptions`. */
  queueName?: string | undefined;
  poolSize?: number | undefined;
  superviseIntervalSeconds?: number | undefined;
}

/**
 * The queue for `store`: ttsync's SQLite job table in embedded mode, pg-boss in the same
 * PostgreSQL schema in scale-out mode (which needs `databaseUrl`, the URL the store was opened
 * with, because pg-boss keeps its own connection pool).
 */
export function createJobQueue(options: CreateJobQueueOptions): JobQueue {
  if (options.store.dialect === 'sqlite') return new SqliteJobQueue(options);
  const { databaseUrl } = options;
  if (!databaseUrl) {
    throw new AppError(
      'config_invalid',
      'The PostgreSQL job queue needs databaseUrl: pass the DATABASE_URL the store was opened with.',
    );
  }
  return new PgBossJobQueue({ ...options, databaseUrl });
}
