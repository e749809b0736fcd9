/**
 * The one way a sync function becomes a queue handler: it runs with the job's logger, id,
 * abort signal and transaction hook (so its records commit with the job's completion), and its
 * outcome is logged.
 */
import type { Transaction } from 'kysely';
import type { JobQueue } from '../queue/index.ts';
import type { Database } from '../store/schema.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

/** What a sync function gets from its job besides the payload. */
export interface FromJob {
  jobId: string;
  inTransaction: (trx: Transaction<Database>) => Promise<void>;
}

/** Registers `name` on `queue` to run `sync`; `describe` turns an outcome into log fields. */
export function registerSyncJob<P, O>(
  queue: JobQueue,
  name: string,
  deps: ContactSyncDeps,
  sync: (deps: ContactSyncDeps, job: P & FromJob, signal: AbortSignal) => Promise<O>,
  describe: (payload: P, outcome: O) => Record<string, unknown>,
  message: string,
): void {
  queue.register<P>(name, async (payload, helpers) => {
    const outcome = await sync(
      { ...deps, logger: helpers.logger },
      {
        ...payload,
        jobId: helpers.jobId,
        inTransaction: (trx) => helpers.completeInTransaction(trx),
      },
      helpers.signal,
    );
    helpers.logger.info(describe(payload, outcome), message);
  });
}
