/**
 * The embedded-mode queue (ARCHITECTURE.md §2): ttsync's own `jobs` table in the SQLite store,
 * for one process (a second process on the same file is safe, just not faster). Rows are
 * `queued` (never started), `active` (locked by a worker until `locked_until`), `retry` (failed
 * or released, waiting for `run_at`, at the head of its key), or `dead`; a completed job is
 * deleted. Order per key is enforced by the claim query itself: see `claim` and `docs/queue.md`.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { AppError } from '../shared/errors.ts';
import type { Database } from '../store/schema.ts';
import { JobRunner } from './job-runner.ts';
import type { ClaimedJob, QueueBackend } from './job-runner.ts';
import type {
  DeadJob,
  EnqueueOptions,
  EnqueueResult,
  JobCounts,
  JobHandler,
  JobQueue,
  JobQueueOptions,
  JobToEnqueue,
  StopOptions,
  StoreTransaction,
} from './job-queue.ts';
import { batchResults, checkBatch, coalesceIdentity, planBatch } from './enqueue-batch.ts';
import type { CheckedJob } from './enqueue-batch.ts';
import { queueSettings, stoppedError } from './queue-settings.ts';
import type { QueueSettings } from './queue-settings.ts';

/** Rows per multi-row statement (14 values each, far below SQLite's bound-variable limit). */
const CHUNK = 200;

const LOCK_EXPIRED =
  'The worker running this job stopped heartbeating (it crashed or hung) and its lock expired; the job was released.';

/** The SQLite adapter of `JobQueue`. */
export class SqliteJobQueue implements JobQueue {
  readonly #db: Kysely<Database>;
  readonly #s: QueueSettings;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #runner: JobRunner;
  #started = false;
  #stopped = false;

  constructor(options: JobQueueOptions) {
    if (options.store.dialect !== 'sqlite') {
      throw new AppError(
        'config_invalid',
        'SqliteJobQueue needs a SQLite store; use createJobQueue, which picks pg-boss on PostgreSQL.',
      );
    }
    this.#db = options.store.db;
    this.#s = queueSettings(options);
    const backend: QueueBackend = {
      reap: () => this.#reap(),
      claim: (limit) => this.#claim(limit),
      heartbeat: (jobs) => this.#heartbeat(jobs),
      complete: (job, transaction) => this.#complete(job, transaction),
      retry: (job, delayMs, lastError) => this.#release(job, 'retry', lastError, delayMs),
      kill: (job, lastError) => this.#release(job, 'dead', lastError, 0),
    };
    this.#runner = new JobRunner({
      ...this.#s,
      backend,
      handlers: this.#handlers,
      ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
    });
  }

  register<P = unknown>(name: string, handler: JobHandler<P>): void {
    this.#handlers.set(name, handler as JobHandler);
  }

  async enqueue(name: string, payload: unknown, options: EnqueueOptions): Promise<EnqueueResult> {
    const { transaction, ...rest } = options;
    const [result] = await this.enqueueMany([{ name, payload, options: rest }], { transaction });
    return result as EnqueueResult;
  }

  async enqueueMany(
    jobs: readonly JobToEnqueue[],
    options: { transaction?: StoreTransaction | undefined } = {},
  ): Promise<EnqueueResult[]> {
    this.#assertOpen();
    const now = this.#s.clock.now();
    const checked = checkBatch(jobs, this.#s.maxAttempts, now);
    if (checked.length === 0) return [];
    // Looking up and merging in one transaction: two batches cannot both insert one coalescing job.
    const write = async (trx: Kysely<Database>): Promise<EnqueueResult[]> => {
      const plan = planBatch(checked, await this.#waitingToCoalesce(trx, checked));
      for (const merge of plan.merges) {
        await sql`
          update jobs set payload = ${merge.payload}, run_at = min(run_at, ${now + merge.delayMs}),
            updated_at = ${now}
          where id = ${Number(merge.id)}`.execute(trx);
      }
      const ids: string[] = [];
      for (let i = 0; i < plan.inserts.length; i += CHUNK) {
        const rows = await trx
          .insertInto('jobs')
          .values(
            plan.inserts.slice(i, i + CHUNK).map(({ job }) => ({
              queue: job.name,
              key: job.key,
              coalesce_key: job.coalesceKey ?? null,
              payload: job.payload,
              state: 'queued',
              priority: 0,
              attempts: 0,
              max_attempts: job.maxAttempts,
              run_at: now + job.delayMs,
              locked_by: null,
              locked_until: null,
              last_error: null,
              created_at: now,
              updated_at: now,
            })),
          )
          .returning('id')
          .execute();
        // Row ids grow in the order of the values (AUTOINCREMENT), whatever order RETURNING has.
        ids.push(
          ...rows
            .map((row) => row.id)
            .sort((a, b) => a - b)
            .map(String),
        );
      }
      return batchResults(plan, ids, checked.length);
    };
    // Jobs that coalesce with nothing and fit one statement need no transaction of their own
    // (a statement is atomic); holding one across awaits would block a second connection.
    const oneStatement =
      checked.length <= CHUNK && checked.every((job) => job.coalesceKey === undefined);
    const results = options.transaction
      ? await write(options.transaction)
      : oneStatement
        ? await write(this.#db)
        : await this.#db.transaction().execute(write);
    this.#runner.wake();
    return results;
  }

  /** The oldest never-started job of each coalescing identity in `jobs`, by identity. */
  async #waitingToCoalesce(
    trx: Kysely<Database>,
    jobs: readonly CheckedJob[],
  ): Promise<Map<string, string>> {
    const waiting = new Map<string, string>();
    const keys = [
      ...new Set(jobs.flatMap((job) => (job.coalesceKey === undefined ? [] : [job.key]))),
    ];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await trx
        .selectFrom('jobs')
        .select((eb) => [eb.fn.min('id').as('id'), 'queue', 'key', 'coalesce_key'])
        .where('key', 'in', keys.slice(i, i + CHUNK))
        .where('state', '=', 'queued')
        .where('coalesce_key', 'is not', null)
        .groupBy(['queue', 'key', 'coalesce_key'])
        .execute();
      for (const row of rows) {
        const identity = coalesceIdentity(row.queue, row.key, row.coalesce_key ?? '');
        waiting.set(identity, String(row.id));
      }
    }
    return waiting;
  }

  async start(): Promise<void> {
    this.#assertOpen();
    this.#started = true;
    this.#runner.start();
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#started) await this.#runner.stop(options.timeoutMs ?? 10_000);
  }

  async counts(): Promise<JobCounts> {
    this.#assertOpen();
    const now = this.#s.clock.now();
    const { rows } = await sql<{ state: string; later: number; n: number }>`
      select state, run_at > ${now} as later, count(*) as n from jobs group by 1, 2`.execute(
      this.#db,
    );
    const counts: JobCounts = { waiting: 0, delayed: 0, retrying: 0, active: 0, dead: 0 };
    for (const { state, later, n } of rows) {
      if (state === 'queued') counts[later ? 'delayed' : 'waiting'] += Number(n);
      else if (state === 'retry') counts.retrying += Number(n);
      else if (state === 'active') counts.active += Number(n);
      else if (state === 'dead') counts.dead += Number(n);
    }
    return counts;
  }

  async listDead(options: { limit?: number } = {}): Promise<DeadJob[]> {
    this.#assertOpen();
    const rows = await this.#db
      .selectFrom('jobs as j')
      .selectAll('j')
      .select((eb) =>
        eb
          .selectFrom('jobs as w')
          .whereRef('w.key', '=', 'j.key')
          .where('w.state', 'in', ['queued', 'retry'])
          .select((c) => c.fn.countAll<number>().as('n'))
          .as('held'),
      )
      .where('j.state', '=', 'dead')
      .orderBy('j.updated_at', 'desc')
      .orderBy('j.id', 'desc')
      .limit(options.limit ?? 100)
      .execute();
    return rows.map((row) => ({
      id: String(row.id),
      name: row.queue,
      key: row.key,
      payload: JSON.parse(row.payload) as unknown,
      attempts: row.attempts,
      lastError: row.last_error ?? '',
      createdAt: row.created_at,
      diedAt: row.updated_at,
      heldBack: Number(row.held ?? 0),
    }));
  }

  async retryDead(id: string): Promise<boolean> {
    this.#assertOpen();
    if (!/^\d+$/.test(id)) return false;
    const now = this.#s.clock.now();
    const result = await this.#db
      .updateTable('jobs')
      .set({ state: 'retry', attempts: 0, run_at: now, updated_at: now })
      .where('id', '=', Number(id))
      .where('state', '=', 'dead')
      .executeTakeFirst();
    this.#runner.wake();
    return Number(result.numUpdatedRows) > 0;
  }

  async discardDead(id: string): Promise<boolean> {
    this.#assertOpen();
    if (!/^\d+$/.test(id)) return false;
    const result = await this.#db
      .deleteFrom('jobs')
      .where('id', '=', Number(id))
      .where('state', '=', 'dead')
      .executeTakeFirst();
    this.#runner.wake();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Claims up to `limit` jobs in one statement. A job is claimable when it is due and is its
   * key's head: no other job of the key is active, retrying or dead, and (unless it is itself
   * the key's retrying job) no older queued job of the key is due. So one key never has two
   * jobs running, and a dead job holds its key until it is retried or discarded.
   *
   * The unary `+` keeps SQLite off the (state, run_at) index: walking the table in id order
   * stops at `limit` claimable jobs instead of testing every waiting job and sorting them. The
   * per-key tests are index probes on (key, state) (migration 0002).
   */
  async #claim(limit: number): Promise<ClaimedJob[]> {
    const now = this.#s.clock.now();
    const { rows } = await sql<{
      id: number;
      queue: string;
      key: string;
      payload: string;
      attempts: number;
      max_attempts: number;
    }>`
      update jobs
      set state = 'active', attempts = attempts + 1, locked_by = ${this.#s.workerId},
        locked_until = ${now + this.#s.lockTimeoutMs}, updated_at = ${now}
      where id in (
        select j.id from jobs j
        where +j.state in ('queued', 'retry') and +j.run_at <= ${now}
          and not exists (
            select 1 from jobs b
            where b.key = j.key and b.id <> j.id and b.state in ('active', 'retry', 'dead'))
          and (j.state = 'retry' or not exists (
            select 1 from jobs e
            where e.key = j.key and e.state = 'queued' and e.run_at <= ${now} and e.id < j.id))
        order by j.id
        limit ${limit})
      returning id, queue, key, payload, attempts, max_attempts`.execute(this.#db);
    return rows
      .sort((a, b) => a.id - b.id)
      .map((row) => ({
        id: String(row.id),
        name: row.queue,
        key: row.key,
        payload: JSON.parse(row.payload) as unknown,
        attempt: row.attempts,
        maxAttempts: row.max_attempts,
        fence: row.attempts,
      }));
  }

  async #heartbeat(jobs: ClaimedJob[]): Promise<void> {
    const until = this.#s.clock.now() + this.#s.lockTimeoutMs;
    for (const job of jobs) {
      await this.#fenced(this.#db.updateTable('jobs').set({ locked_until: until }), job).execute();
    }
  }

  async #complete(job: ClaimedJob, transaction?: StoreTransaction): Promise<boolean> {
    const db = transaction ?? this.#db;
    const result = await this.#fenced(db.deleteFrom('jobs'), job).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async #release(
    job: ClaimedJob,
    state: 'retry' | 'dead',
    lastError: string,
    delayMs: number,
  ): Promise<boolean> {
    const now = this.#s.clock.now();
    const update = this.#db.updateTable('jobs').set({
      state,
      ...(state === 'retry' ? { run_at: now + delayMs } : {}),
      locked_by: null,
      locked_until: null,
      last_error: lastError,
      updated_at: now,
    });
    const result = await this.#fenced(update, job).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Releases jobs whose worker stopped heartbeating: back to retry, or dead if out of attempts. */
  async #reap(): Promise<void> {
    const now = this.#s.clock.now();
    const { rows } = await sql<{ id: number; state: string }>`
      update jobs
      set state = case when attempts >= max_attempts then 'dead' else 'retry' end,
        run_at = ${now}, locked_by = null, locked_until = null,
        last_error = ${LOCK_EXPIRED}, updated_at = ${now}
      where state = 'active' and locked_until < ${now}
      returning id, state`.execute(this.#db);
    for (const row of rows) {
      this.#s.logger.warn({ jobId: String(row.id), state: row.state }, 'released a stale job lock');
    }
  }

  #assertOpen(): void {
    if (this.#stopped) throw stoppedError();
  }

  /** Limits a statement to this worker's current claim on `job`. */
  #fenced<Q extends FenceableQuery<Q>>(query: Q, job: ClaimedJob): Q {
    return query
      .where('id', '=', Number(job.id))
      .where('state', '=', 'active')
      .where('locked_by', '=', this.#s.workerId)
      .where('attempts', '=', job.fence);
  }
}

/** The part of Kysely's update/delete builders `#fenced` uses. */
interface FenceableQuery<Q> {
  where(column: 'id' | 'attempts', op: '=', value: number): Q;
  where(column: 'state' | 'locked_by', op: '=', value: string): Q;
}
