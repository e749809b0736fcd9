/**
 * The worker loop both adapters share, so they run, heartbeat, retry and stop jobs the same way;
 * only the storage calls (`QueueBackend`) differ. The loop claims up to `concurrency` jobs,
 * claims again whenever one finishes or `wake()` is called (an enqueue in this process), and
 * otherwise polls every `pollIntervalMs` for jobs other processes enqueued.
 */
import type { Clock } from '../shared/clock.ts';
import { AppError, coerceError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { BackoffOptions } from '../shared/retry.ts';
import { decideFailure, describeError } from './failure-policy.ts';
import type { JobHandler, JobHelpers, JobOutcome, StoreTransaction } from './job-queue.ts';

/** A job this worker holds. `fence` names the claim, so a stale worker cannot settle a newer one. */
export interface ClaimedJob {
  id: string;
  name: string;
  key: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
  fence: number;
}

/** The storage half of a queue. Every settle call is fenced and returns false when the claim was lost. */
export interface QueueBackend {
  /** Releases jobs whose lock expired, where the adapter does that itself. */
  reap?(): Promise<void>;
  claim(limit: number): Promise<ClaimedJob[]>;
  heartbeat(jobs: ClaimedJob[]): Promise<void>;
  complete(job: ClaimedJob, transaction?: StoreTransaction): Promise<boolean>;
  /** Back to waiting, at the head of its key, runnable after `delayMs`. */
  retry(job: ClaimedJob, delayMs: number, lastError: string): Promise<boolean>;
  /** To the dead-letter list, holding its key. */
  kill(job: ClaimedJob, lastError: string): Promise<boolean>;
}

export interface JobRunnerOptions {
  backend: QueueBackend;
  handlers: ReadonlyMap<string, JobHandler>;
  logger: Logger;
  clock: Clock;
  concurrency: number;
  pollIntervalMs: number;
  lockTimeoutMs: number;
  backoff: BackoffOptions;
  random: () => number;
  onOutcome?: ((outcome: JobOutcome) => void) | undefined;
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  done: Promise<void>;
}

/** Runs claimed jobs until stopped; one per queue instance. */
export class JobRunner {
  readonly #o: JobRunnerOptions;
  readonly #running = new Map<string, Running>();
  readonly #halt = new AbortController();
  #wakeUp: (() => void) | undefined;
  #woken = false;
  #loops: Promise<void>[] = [];

  constructor(options: JobRunnerOptions) {
    this.#o = options;
  }

  /** Starts the claim loop and the heartbeat loop. */
  start(): void {
    if (this.#loops.length > 0) return;
    this.#loops = [this.#claimLoop(), this.#heartbeatLoop()];
  }

  /** Makes the claim loop look for jobs now. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Stops claiming; waits `timeoutMs` for running handlers, then aborts them and waits a little more. */
  async stop(timeoutMs: number): Promise<void> {
    this.#halt.abort();
    this.wake();
    await Promise.all(this.#loops);
    const all = Promise.all([...this.#running.values()].map((r) => r.done));
    if (this.#running.size === 0 || (await this.#within(all, timeoutMs))) return;
    const reason = new AppError(
      'queue_stopped',
      'The job queue is stopping: finish or give up quickly; the job will run again.',
    );
    for (const running of this.#running.values()) running.controller.abort(reason);
    if (!(await this.#within(all, Math.min(1_000, timeoutMs)))) {
      this.#o.logger.warn(
        { jobIds: [...this.#running.keys()] },
        'job handlers still running after stop; their locks expire and another worker retries them',
      );
    }
  }

  async #claimLoop(): Promise<void> {
    const { backend, logger, clock, concurrency, pollIntervalMs } = this.#o;
    let lastReap = Number.NEGATIVE_INFINITY;
    while (!this.#halt.signal.aborted) {
      this.#woken = false;
      let full = false;
      try {
        if (backend.reap && clock.now() - lastReap >= pollIntervalMs) {
          lastReap = clock.now();
          await backend.reap();
        }
        const free = concurrency - this.#running.size;
        if (free > 0) {
          const jobs = await backend.claim(free);
          for (const job of jobs) this.#launch(job);
          full = jobs.length === free;
        }
      } catch (error) {
        logger.error({ err: coerceError(error) }, 'job queue poll failed; retrying');
      }
      if (full || this.#woken) continue;
      await this.#idle(pollIntervalMs);
    }
  }

  async #heartbeatLoop(): Promise<void> {
    const every = Math.max(10, Math.floor(this.#o.lockTimeoutMs / 3));
    while (!this.#halt.signal.aborted) {
      await this.#o.clock.sleep(every, this.#halt.signal).catch(() => undefined);
      if (this.#halt.signal.aborted || this.#running.size === 0) continue;
      try {
        await this.#o.backend.heartbeat([...this.#running.values()].map((r) => r.job));
      } catch (error) {
        this.#o.logger.warn({ err: coerceError(error) }, 'job heartbeat failed; retrying');
      }
    }
  }

  /** Waits for the poll interval, a wake-up, or a stop. */
  async #idle(ms: number): Promise<void> {
    const cancel = new AbortController();
    const onHalt = (): void => cancel.abort();
    this.#halt.signal.addEventListener('abort', onHalt, { once: true });
    const woken = new Promise<void>((resolve) => {
      this.#wakeUp = resolve;
    });
    await Promise.race([this.#o.clock.sleep(ms, cancel.signal).catch(() => undefined), woken]);
    this.#wakeUp = undefined;
    cancel.abort();
    this.#halt.signal.removeEventListener('abort', onHalt);
  }

  async #within(promise: Promise<unknown>, ms: number): Promise<boolean> {
    const cancel = new AbortController();
    const finished = await Promise.race([
      promise.then(() => true),
      this.#o.clock.sleep(ms, cancel.signal).then(
        () => false,
        () => false,
      ),
    ]);
    cancel.abort();
    return finished;
  }

  #launch(job: ClaimedJob): void {
    const controller = new AbortController();
    const running: Running = { job, controller, done: Promise.resolve() };
    this.#running.set(job.id, running);
    running.done = this.#execute(job, controller.signal).finally(() => {
      this.#running.delete(job.id);
      this.wake();
    });
  }

  async #execute(job: ClaimedJob, signal: AbortSignal): Promise<void> {
    const { backend, handlers, clock } = this.#o;
    const logger = this.#o.logger.child({ jobId: job.id, job: job.name, key: job.key });
    let settledInTransaction = false;
    const helpers: JobHelpers = {
      jobId: job.id,
      name: job.name,
      key: job.key,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      logger,
      clock,
      signal,
      completeInTransaction: async (transaction) => {
        if (await backend.complete(job, transaction)) settledInTransaction = true;
      },
    };
    const report = (outcome: Omit<JobOutcome, 'jobId' | 'name' | 'key' | 'attempt'>): void => {
      try {
        this.#o.onOutcome?.({
          jobId: job.id,
          name: job.name,
          key: job.key,
          attempt: job.attempt,
          ...outcome,
        });
      } catch (error) {
        logger.error({ err: coerceError(error) }, 'onOutcome threw; fix the listener');
      }
    };
    try {
      try {
        const handler = handlers.get(job.name);
        if (!handler) {
          throw new AppError(
            'job_handler_missing',
            `No handler for job "${job.name}" in this process: register it with queue.register("${job.name}", …) before start, or discard the job from the dead-letter list.`,
          );
        }
        await handler(job.payload, helpers);
      } catch (thrown) {
        const decision = decideFailure(
          thrown,
          job.attempt,
          job.maxAttempts,
          this.#o.backoff,
          this.#o.random,
        );
        const lastError = describeError(decision.error);
        if (decision.kind === 'retry') {
          const applied = await backend.retry(job, decision.delayMs, lastError);
          logger.warn(
            { err: decision.error, attempt: job.attempt, delayMs: decision.delayMs },
            'job failed; will retry',
          );
          report(
            applied
              ? { outcome: 'retry', delayMs: decision.delayMs, error: decision.error }
              : settledInTransaction
                ? { outcome: 'completed' }
                : { outcome: 'lost', error: decision.error },
          );
        } else {
          const applied = await backend.kill(job, lastError);
          logger.error(
            { err: decision.error, attempt: job.attempt, reason: decision.reason },
            'job failed for good; moved to the dead-letter list',
          );
          report(
            applied
              ? { outcome: 'dead', error: decision.error }
              : settledInTransaction
                ? { outcome: 'completed' }
                : { outcome: 'lost', error: decision.error },
          );
        }
        return;
      }
      const applied = await backend.complete(job);
      report({ outcome: applied || settledInTransaction ? 'completed' : 'lost' });
    } catch (error) {
      // The store failed while settling: the lock expires and another run takes the job.
      logger.error({ err: coerceError(error) }, 'could not record the job outcome');
      report({ outcome: 'lost', error: coerceError(error) });
    }
  }
}
