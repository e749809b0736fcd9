/**
 * Helpers for the queue contract suite: queues with test-sized timings for either dialect, an
 * outcome log to wait on (events, never sleeps), and cleanup that stops every queue a test
 * opened before the store harness drops its database.
 */
import type { Store } from '../../src/store/database.ts';
import { createJobQueue } from '../../src/queue/index.ts';
import type { CreateJobQueueOptions, JobOutcome, JobQueue } from '../../src/queue/index.ts';
import { TEST_PG_URL } from './stores.ts';

/** A promise with its resolve and reject in hand. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Waiter {
  test: (outcome: JobOutcome) => boolean;
  count: number;
  done: Deferred<JobOutcome[]>;
}

/** Every outcome the queues of one test reported, in order, with waits on them. */
export class OutcomeLog {
  readonly all: JobOutcome[] = [];
  #waiters: Waiter[] = [];

  readonly record = (outcome: JobOutcome): void => {
    this.all.push(outcome);
    for (const waiter of [...this.#waiters]) this.#check(waiter);
  };

  /** Resolves once `count` outcomes (already seen or future) match `test`. */
  async wait(
    test: (outcome: JobOutcome) => boolean,
    what: string,
    count = 1,
    ms = 15_000,
  ): Promise<JobOutcome[]> {
    const waiter: Waiter = { test, count, done: deferred<JobOutcome[]>() };
    this.#waiters.push(waiter);
    this.#check(waiter);
    try {
      return await within(waiter.done.promise, ms, what);
    } finally {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
    }
  }

  #check(waiter: Waiter): void {
    const matched = this.all.filter(waiter.test);
    if (matched.length >= waiter.count) waiter.done.resolve(matched);
  }
}

/** Opens queues for one test and stops them all afterwards. */
export class QueueHarness {
  readonly outcomes = new OutcomeLog();
  #queues: JobQueue[] = [];

  /** A queue on `store` with short, dialect-appropriate timings; `options` override them. */
  open(store: Store, options: Partial<CreateJobQueueOptions> = {}): JobQueue {
    const sqlite = store.dialect === 'sqlite';
    const queue = createJobQueue({
      store,
      databaseUrl: TEST_PG_URL,
      concurrency: 4,
      pollIntervalMs: sqlite ? 20 : 50,
      // pg-boss's heartbeat is 10 s at least; SQLite's lock can be as short as a test likes.
      lockTimeoutMs: sqlite ? 400 : 10_000,
      maxAttempts: 5,
      backoff: { baseMs: 10, maxMs: 40 },
      superviseIntervalSeconds: 1,
      onOutcome: this.outcomes.record,
      ...options,
    });
    this.#queues.push(queue);
    return queue;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#queues.splice(0).map((q) => q.stop({ timeoutMs: 200 })));
  }
}
