/**
 * The scale-out queue (ARCHITECTURE.md §2): pg-boss in the store's PostgreSQL schema, shared by
 * any number of `ttsync worker` processes. Every ttsync job lives in one pg-boss queue with the
 * `key_strict_fifo` policy and `singletonKey` = the ordering key, so pg-boss itself runs a key's
 * jobs one at a time in order and holds the key while its job is active, retrying or failed
 * (dead). Our job name, payload, coalesce key and attempt budget ride in pg-boss's `data`.
 *
 * Changes go through pg-boss's API; a few of them run together in one store transaction through
 * `fromKysely` (pg-boss's own adapter), such as a failure plus its retry time. `counts` and
 * `listDead` read pg-boss's `job` table directly, read-only (pg-boss 12's schema; its cached
 * counts can be minutes old). See `docs/queue.md` and docs/decisions/0008.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { fromKysely } from 'pg-boss';
import type { Job, JobWithMetadata, PgBoss } from 'pg-boss';
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
import { OrderedUuids } from './ordered-uuid.ts';
import { startPgBoss } from './pg-boss-setup.ts';
import { batchResults, checkBatch, coalesceIdentity, planBatch } from './enqueue-batch.ts';
import type { CheckedJob } from './enqueue-batch.ts';
import { queueSettings, stoppedError } from './queue-settings.ts';
import type { QueueSettings } from './queue-settings.ts';

/** pg-boss-specific options. */
export interface PgBossJobQueueOptions extends JobQueueOptions {
  /** The `DATABASE_URL` the store was opened with; pg-boss keeps its own pool to it. */
  databaseUrl: string;
  /** The pg-boss queue holding every ttsync job; default `ttsync`. */
  queueName?: string | undefined;
  /** pg-boss's pool size; default `concurrency` + 4. */
  poolSize?: number | undefined;
  /** How often pg-boss looks for jobs whose worker stopped heartbeating, in seconds; default 10. */
  superviseIntervalSeconds?: number | undefined;
}

/** What ttsync stores in a pg-boss job's `data`. */
interface Envelope {
  name: string;
  key: string;
  payload: unknown;
  coalesceKey: string | null;
  maxAttempts: number;
  /** pg-boss's `retryCount` at this budget's first run (moves on a retry from the dead list). */
  attemptBase: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The PostgreSQL adapter of `JobQueue`. */
export class PgBossJobQueue implements JobQueue {
  readonly #db: Kysely<Database>;
  readonly #s: QueueSettings;
  readonly #options: PgBossJobQueueOptions;
  readonly #queue: string;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #runner: JobRunner;
  readonly #ids = new OrderedUuids();
  #boss: Promise<{ boss: PgBoss; schema: string }> | undefined;
  #started = false;
  /** Set when stop begins: the public calls refuse from then on. */
  #stopped = false;
  /** Set once running handlers are done or given up: pg-boss is closing, settles fail. */
  #closed = false;

  constructor(options: PgBossJobQueueOptions) {
    if (options.store.dialect !== 'postgres') {
      throw new AppError(
        'config_invalid',
        'PgBossJobQueue needs a PostgreSQL store; use createJobQueue, which picks SQLite otherwise.',
      );
    }
    this.#db = options.store.db;
    this.#options = options;
    this.#queue = options.queueName ?? 'ttsync';
    const base = queueSettings(options);
    // pg-boss counts heartbeats in whole seconds, 10 at least.
    const heartbeatSeconds = Math.max(10, Math.ceil(base.lockTimeoutMs / 1000));
    this.#s = { ...base, lockTimeoutMs: heartbeatSeconds * 1000 };
    const backend: QueueBackend = {
      claim: (limit) => this.#claim(limit),
      heartbeat: (jobs) => this.#heartbeat(jobs),
      complete: (job, transaction) => this.#complete(job, transaction),
      retry: (job, delayMs, lastError) => this.#retry(job, delayMs, lastError),
      kill: (job, lastError) => this.#kill(job, lastError),
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
    const checked = checkBatch(jobs, this.#s.maxAttempts, this.#s.clock.now());
    if (checked.length === 0) return [];
    const opened = await this.#ready();
    const results = options.transaction
      ? await this.#enqueueIn(opened, options.transaction, checked)
      : await this.#db.transaction().execute((trx) => this.#enqueueIn(opened, trx, checked));
    this.#runner.wake();
    return results;
  }

  async #enqueueIn(
    { boss, schema }: { boss: PgBoss; schema: string },
    trx: StoreTransaction,
    checked: readonly CheckedJob[],
  ): Promise<EnqueueResult[]> {
    const db = fromKysely(trx);
    const waiting = await this.#waitingToCoalesce(schema, trx, checked);
    const byId = new Map([...waiting.values()].map((job) => [job.id, job]));
    const ids = new Map([...waiting].map(([identity, job]) => [identity, job.id]));
    // A waiting job another worker starts before the merge is no longer merged into: the plan
    // is made again without it, and its jobs are inserted in their place.
    for (;;) {
      const plan = planBatch(checked, ids);
      const missed: string[] = [];
      for (const merge of plan.merges) {
        const target = byId.get(merge.id);
        if (!target) continue;
        const sooner = target.startAfter.getTime() > this.#s.clock.now() + merge.delayMs;
        const updated = await boss.update(
          this.#queue,
          { ...target.data, payload: JSON.parse(merge.payload) as unknown },
          { id: target.id, ...(sooner ? { startAfter: merge.delayMs / 1000 } : {}), db },
        );
        if (updated.updated !== 1) missed.push(merge.id);
      }
      if (missed.length > 0) {
        for (const [identity, id] of ids) if (missed.includes(id)) ids.delete(identity);
        continue;
      }
      const inserted = plan.inserts.map(({ job }) => ({
        id: this.#ids.next(),
        data: {
          name: job.name,
          key: job.key,
          payload: JSON.parse(job.payload) as unknown,
          coalesceKey: job.coalesceKey ?? null,
          maxAttempts: job.maxAttempts,
          attemptBase: 0,
        } satisfies Envelope,
        singletonKey: job.key,
        retryLimit: job.maxAttempts - 1,
        ...(job.delayMs > 0 ? { startAfter: String(job.delayMs / 1000) } : {}),
      }));
      if (inserted.length > 0) await boss.insert(this.#queue, inserted, { db });
      return batchResults(
        plan,
        inserted.map((job) => job.id),
        checked.length,
      );
    }
  }

  /**
   * The waiting (never started) job each coalescing identity in `jobs` would merge into, by
   * identity, after locking those identities until the transaction ends (serialising enqueues
   * of one coalescing job across processes). Read from pg-boss's job table (see `counts`).
   */
  async #waitingToCoalesce(
    schema: string,
    trx: StoreTransaction,
    jobs: readonly CheckedJob[],
  ): Promise<Map<string, { id: string; data: Envelope; startAfter: Date }>> {
    const identities = new Set<string>();
    for (const job of jobs) {
      if (job.coalesceKey === undefined) continue;
      identities.add(coalesceIdentity(job.name, job.key, job.coalesceKey));
    }
    const waiting = new Map<string, { id: string; data: Envelope; startAfter: Date }>();
    if (identities.size === 0) return waiting;
    const locks = [...identities].map((identity) => `${this.#queue}:${identity}`).sort();
    // In one order everywhere, so two batches locking overlapping identities cannot deadlock.
    await sql`
      select pg_advisory_xact_lock(hashtextextended(k, 0))
      from (select unnest(${locks}::text[]) as k order by 1) as sorted`.execute(trx);
    const keys = [...new Set(jobs.map((job) => job.key))];
    const { rows } = await sql<{ id: string; data: Envelope; start_after: Date }>`
      select id, data, start_after from ${sql.table(`${schema}.job`)}
      where name = ${this.#queue} and state = 'created' and singleton_key = any(${keys}::text[])
        and data->>'coalesceKey' is not null
      order by created_on, id`.execute(trx);
    for (const row of rows) {
      const { name, key, coalesceKey } = row.data;
      const identity = coalesceIdentity(name, key, coalesceKey ?? '');
      if (!identities.has(identity) || waiting.has(identity)) continue;
      waiting.set(identity, { id: row.id, data: row.data, startAfter: row.start_after });
    }
    return waiting;
  }

  async start(): Promise<void> {
    this.#assertOpen();
    await this.#ready();
    this.#started = true;
    this.#runner.start();
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#started) await this.#runner.stop(options.timeoutMs ?? 10_000);
    this.#closed = true;
    const opened = await this.#boss?.catch(() => undefined);
    // A handler still running past the timeout cannot settle now; its lock expires instead.
    await opened?.boss.stop({ graceful: false, close: true });
  }

  async counts(): Promise<JobCounts> {
    this.#assertOpen();
    const { schema } = await this.#ready();
    const { rows } = await sql<{ state: string; later: boolean; n: number }>`
      select state::text as state, start_after > now() as later, count(*)::int as n
      from ${sql.table(`${schema}.job`)} where name = ${this.#queue} group by 1, 2`.execute(
      this.#db,
    );
    const counts: JobCounts = { waiting: 0, delayed: 0, retrying: 0, active: 0, dead: 0 };
    for (const { state, later, n } of rows) {
      if (state === 'created') counts[later ? 'delayed' : 'waiting'] += n;
      else if (state === 'retry') counts.retrying += n;
      else if (state === 'active') counts.active += n;
      else if (state === 'failed') counts.dead += n;
    }
    return counts;
  }

  async listDead(options: { limit?: number } = {}): Promise<DeadJob[]> {
    this.#assertOpen();
    const { schema } = await this.#ready();
    const table = sql.table(`${schema}.job`);
    const { rows } = await sql<{
      id: string;
      data: Envelope;
      output: unknown;
      retry_count: number;
      created_on: Date;
      completed_on: Date | null;
      held: number;
    }>`
      select j.id, j.data, j.output, j.retry_count, j.created_on, j.completed_on,
        (select count(*) from ${table} w where w.name = j.name and w.singleton_key = j.singleton_key
           and w.state in ('created', 'retry'))::int as held
      from ${table} j where j.name = ${this.#queue} and j.state = 'failed'
      order by j.completed_on desc, j.id desc limit ${options.limit ?? 100}`.execute(this.#db);
    return rows.map((row) => ({
      id: row.id,
      name: row.data.name,
      key: row.data.key,
      payload: row.data.payload,
      attempts: row.retry_count - row.data.attemptBase + 1,
      lastError: outputMessage(row.output),
      createdAt: row.created_on.getTime(),
      diedAt: (row.completed_on ?? row.created_on).getTime(),
      heldBack: row.held,
    }));
  }

  async retryDead(id: string): Promise<boolean> {
    this.#assertOpen();
    if (!UUID.test(id)) return false;
    const { boss } = await this.#ready();
    const retried = await this.#db.transaction().execute(async (trx) => {
      const db = fromKysely(trx);
      const job = await this.#deadJob(boss, id, trx);
      if (!job) return false;
      await boss.retry(this.#queue, id, { db });
      // A fresh budget: attempts count from 1 again, up to the job's maxAttempts.
      await boss.update(
        this.#queue,
        { ...job.data, attemptBase: job.retryCount + 1 },
        { id, retryLimit: job.retryCount + job.data.maxAttempts, db },
      );
      return true;
    });
    this.#runner.wake();
    return retried;
  }

  async discardDead(id: string): Promise<boolean> {
    this.#assertOpen();
    if (!UUID.test(id)) return false;
    const { boss } = await this.#ready();
    const discarded = await this.#db.transaction().execute(async (trx) => {
      if (!(await this.#deadJob(boss, id, trx))) return false;
      await boss.deleteJob(this.#queue, id, { db: fromKysely(trx) });
      return true;
    });
    this.#runner.wake();
    return discarded;
  }

  async #deadJob(
    boss: PgBoss,
    id: string,
    trx: StoreTransaction,
  ): Promise<JobWithMetadata<Envelope> | undefined> {
    const [job] = await boss.findJobs<Envelope>(this.#queue, { id, db: fromKysely(trx) });
    return job?.state === 'failed' ? job : undefined;
  }

  async #claim(limit: number): Promise<ClaimedJob[]> {
    const { boss } = await this.#ready();
    const jobs: Job<Envelope>[] = await boss.fetch<Envelope>(this.#queue, { batchSize: limit });
    return jobs.map((job) => ({
      id: job.id,
      name: job.data.name,
      key: job.data.key,
      payload: job.data.payload,
      attempt: job.retryCount - job.data.attemptBase + 1,
      maxAttempts: job.data.maxAttempts,
      fence: job.retryCount,
    }));
  }

  async #heartbeat(jobs: ClaimedJob[]): Promise<void> {
    const { boss } = await this.#ready();
    await boss.touch(this.#queue, jobs.map(attemptOf));
  }

  async #complete(job: ClaimedJob, transaction?: StoreTransaction): Promise<boolean> {
    const { boss } = await this.#ready();
    // A completed job is deleted, so pg-boss's retention never has to tell it from a dead one.
    const db = transaction ? { db: fromKysely(transaction) } : {};
    return affected(await boss.deleteJob(this.#queue, attemptOf(job), db));
  }

  async #retry(job: ClaimedJob, delayMs: number, lastError: string): Promise<boolean> {
    const { boss } = await this.#ready();
    return this.#db.transaction().execute(async (trx) => {
      const db = fromKysely(trx);
      const output = { message: lastError };
      if (!affected(await boss.fail(this.#queue, attemptOf(job), output, { db }))) return false;
      // pg-boss retries after whole seconds; ours are in ms, set in the same transaction.
      await boss.update(this.#queue, undefined, { id: job.id, startAfter: delayMs / 1000, db });
      return true;
    });
  }

  async #kill(job: ClaimedJob, lastError: string): Promise<boolean> {
    const { boss } = await this.#ready();
    return this.#db.transaction().execute(async (trx) => {
      const db = fromKysely(trx);
      const output = { message: lastError };
      if (!affected(await boss.fail(this.#queue, attemptOf(job), output, { db }))) return false;
      // Attempts left put it in `retry`; spend them, then fail it for good (a no-op if already failed).
      await boss.update(this.#queue, undefined, { id: job.id, retryLimit: job.fence, db });
      await boss.fail(this.#queue, job.id, output, { db });
      return true;
    });
  }

  #assertOpen(): void {
    if (this.#stopped) throw stoppedError();
  }

  /** Starts pg-boss in the store's schema (once), creating or updating ttsync's queue. */
  #ready(): Promise<{ boss: PgBoss; schema: string }> {
    if (this.#closed) return Promise.reject(stoppedError());
    this.#boss ??= this.#open().catch((error: unknown) => {
      this.#boss = undefined;
      throw new AppError(
        'store_unavailable',
        `Cannot start the PostgreSQL job queue: ${(error as Error).message}. Check DATABASE_URL and that PostgreSQL is running.`,
        { cause: error },
      );
    });
    return this.#boss;
  }

  async #open(): Promise<{ boss: PgBoss; schema: string }> {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
      this.#db,
    );
    const schema = rows[0]?.schema ?? 'public';
    const boss = await startPgBoss({
      databaseUrl: this.#options.databaseUrl,
      schema,
      queueName: this.#queue,
      poolSize: this.#options.poolSize ?? this.#s.concurrency + 4,
      superviseIntervalSeconds: this.#options.superviseIntervalSeconds ?? 10,
      heartbeatSeconds: this.#s.lockTimeoutMs / 1000,
      maxAttempts: this.#s.maxAttempts,
      logger: this.#s.logger,
    });
    return { boss, schema };
  }
}

function attemptOf(job: ClaimedJob): { id: string; retryCount: number } {
  return { id: job.id, retryCount: job.fence };
}

function affected(response: unknown): boolean {
  return Number((response as { affected?: unknown }).affected ?? 0) > 0;
}

function outputMessage(output: unknown): string {
  if (output && typeof output === 'object') {
    const record = output as { message?: unknown; value?: { message?: unknown } };
    if (typeof record.message === 'string') return record.message;
    if (typeof record.value?.message === 'string') return record.value.message;
  }
  return output === null || output === undefined ? '' : JSON.stringify(output);
}
