/**
 * The JobQueue contract (docs/queue.md), asserted identically on both adapters: ttsync's SQLite
 * job table and pg-boss on PostgreSQL. Every wait is on an event (a handler or an outcome), with
 * a timeout that names what did not happen.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { AppError, HttpError } from '../src/shared/errors.ts';
import type { JobHelpers, StoreTransaction } from '../src/queue/index.ts';
import { deferred, QueueHarness, within } from './support/queue-harness.ts';
import { describeEachDialect } from './support/stores.ts';

interface Step {
  payload: { key: string; seq: number };
  attempt: number;
}

/** Records what handlers saw, per key, and whether a key ever ran twice at once. */
class Recorder {
  readonly byKey = new Map<string, number[]>();
  readonly runs = new Map<string, number>();
  readonly #active = new Set<string>();
  overlapsWithinKey = 0;
  maxParallel = 0;
  total = 0;
  #waiters: { count: number; done: () => void }[] = [];

  async run(step: Step, work: () => Promise<void> = tick): Promise<void> {
    const { key, seq } = step.payload;
    if (this.#active.has(key)) this.overlapsWithinKey += 1;
    this.#active.add(key);
    this.maxParallel = Math.max(this.maxParallel, this.#active.size);
    try {
      await work();
    } finally {
      this.#active.delete(key);
    }
    const seen = this.byKey.get(key) ?? [];
    seen.push(seq);
    this.byKey.set(key, seen);
    const id = `${key}#${seq}`;
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
    this.total += 1;
    for (const waiter of this.#waiters) if (this.total >= waiter.count) waiter.done();
  }

  /** Resolves when `count` runs have finished. */
  reached(count: number, ms: number): Promise<void> {
    const done = deferred();
    if (this.total >= count) done.resolve();
    else this.#waiters.push({ count, done: () => done.resolve() });
    return within(done.promise, ms, `${count} runs (saw ${this.total})`);
  }
}

/** Yields to the event loop a few times, so handlers of different keys overlap. */
async function tick(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

function handlerOf(recorder: Recorder) {
  return (payload: { key: string; seq: number }, helpers: JobHelpers) =>
    recorder.run({ payload, attempt: helpers.attempt });
}

const idle = { waiting: 0, delayed: 0, retrying: 0, active: 0, dead: 0 };

/** A row the test can look for afterwards, written in the caller's transaction. */
async function cursor(transaction: StoreTransaction, stream: string): Promise<void> {
  await transaction
    .insertInto('cursors')
    .values({ stream, value: '1', tie_break: '[]', page_token: null, updated_at: 0 })
    .execute();
}

describeEachDialect('job queue contract', (stores) => {
  let harness = new QueueHarness();
  afterEach(async () => {
    await harness.stopAll();
    harness = new QueueHarness();
  });
  const outcome = (jobId: string, kind: string) => (o: { jobId: string; outcome: string }) =>
    o.jobId === jobId && o.outcome === kind;

  test('runs an enqueued job once, with its payload and helpers', async () => {
    const store = await stores.open('basic');
    const queue = harness.open(store);
    const seen = deferred<{ payload: unknown; helpers: JobHelpers }>();
    queue.register('hello', async (payload, helpers) => seen.resolve({ payload, helpers }));
    const payload = { contactId: 'c1', nested: { list: [1, 'two', null] } };
    const { id, coalesced } = await queue.enqueue('hello', payload, { key: 'person-1' });
    assert.equal(coalesced, false);
    assert.deepEqual(await queue.counts(), { ...idle, waiting: 1 });
    await queue.start();
    const run = await within(seen.promise, 10_000, 'the handler');
    assert.deepEqual(run.payload, payload);
    assert.equal(run.helpers.jobId, id);
    assert.equal(run.helpers.name, 'hello');
    assert.equal(run.helpers.key, 'person-1');
    assert.equal(run.helpers.attempt, 1);
    assert.equal(run.helpers.maxAttempts, 5);
    assert.equal(run.helpers.signal.aborted, false);
    await harness.outcomes.wait(outcome(id, 'completed'), 'completion');
    assert.deepEqual(await queue.counts(), idle);
    assert.equal(harness.outcomes.all.length, 1, 'ran once');
  });

  test('refuses a job without a key, or with a payload that is not JSON', async () => {
    const queue = harness.open(await stores.open('refuse'));
    await assert.rejects(queue.enqueue('x', {}, { key: '' }), { code: 'job_invalid' });
    await assert.rejects(queue.enqueue('x', { n: 1n }, { key: 'k' }), { code: 'job_invalid' });
    await assert.rejects(queue.enqueue('x', {}, { key: 'k', maxAttempts: 0 }), {
      code: 'job_invalid',
    });
    assert.deepEqual(await queue.counts(), idle);
  });

  test('runs each key in enqueue order, one at a time, with different keys in parallel', async () => {
    const store = await stores.open('order', { sqliteSynchronous: 'NORMAL' });
    const queue = harness.open(store, { concurrency: 8 });
    const recorder = new Recorder();
    queue.register('step', handlerOf(recorder));
    const keys = 20;
    const perKey = 25;
    // All 500 in one transaction, interleaved across keys: on PostgreSQL they share created_on,
    // so the order comes from the ids alone.
    await store.db.transaction().execute(async (transaction) => {
      for (let seq = 0; seq < perKey; seq++) {
        for (let k = 0; k < keys; k++) {
          const key = `person-${k}`;
          await queue.enqueue('step', { key, seq }, { key, transaction });
        }
      }
    });
    await queue.start();
    await recorder.reached(keys * perKey, 30_000);
    const inOrder = Array.from({ length: perKey }, (_, i) => i);
    for (let k = 0; k < keys; k++) assert.deepEqual(recorder.byKey.get(`person-${k}`), inOrder);
    assert.equal(recorder.overlapsWithinKey, 0, 'never two jobs of one key at once');
    assert.ok(recorder.maxParallel > 1, `keys ran in parallel (max ${recorder.maxParallel})`);
    assert.ok(
      [...recorder.runs.values()].every((n) => n === 1),
      'each job ran once',
    );
  });

  test('coalesces a burst for a waiting job into one run of the latest payload, in its place', async () => {
    const store = await stores.open('coalesce');
    const queue = harness.open(store);
    const seen: { key: string; v: number }[] = [];
    queue.register('sync', async (payload: { key: string; v: number }) => {
      seen.push(payload);
    });
    const first = await queue.enqueue(
      'sync',
      { key: 'p1', v: 1 },
      { key: 'p1', coalesceKey: 'contact' },
    );
    const task = await queue.enqueue(
      'sync',
      { key: 'p1', v: 9 },
      { key: 'p1', coalesceKey: 'task' },
    );
    const second = await queue.enqueue(
      'sync',
      { key: 'p1', v: 2 },
      { key: 'p1', coalesceKey: 'contact' },
    );
    const third = await queue.enqueue(
      'sync',
      { key: 'p1', v: 3 },
      { key: 'p1', coalesceKey: 'contact' },
    );
    const otherPerson = await queue.enqueue(
      'sync',
      { key: 'p2', v: 7 },
      { key: 'p2', coalesceKey: 'contact' },
    );
    const otherName = await queue.enqueue(
      'other',
      { key: 'p1', v: 8 },
      { key: 'p1', coalesceKey: 'contact' },
    );
    assert.deepEqual(
      [first, task, second, third, otherPerson, otherName].map((r) => r.coalesced),
      [false, false, true, true, false, false],
    );
    assert.equal(second.id, first.id);
    assert.equal(third.id, first.id);
    assert.deepEqual(await queue.counts(), { ...idle, waiting: 4 });
    queue.register('other', async (payload: { key: string; v: number }) => {
      seen.push(payload);
    });
    await queue.start();
    await harness.outcomes.wait((o) => o.outcome === 'completed', 'four runs', 4);
    assert.deepEqual(
      seen.filter((p) => p.key === 'p1').map((p) => p.v),
      [3, 9, 8],
      'the merged job kept its place ahead of the later jobs of its key',
    );
    assert.deepEqual(
      seen.filter((p) => p.key === 'p2').map((p) => p.v),
      [7],
    );
  });

  test('never coalesces into a job that has started', async () => {
    const queue = harness.open(await stores.open('coalesce-started'));
    const started = deferred();
    const gate = deferred();
    const seen: number[] = [];
    queue.register('sync', async (payload: { v: number }) => {
      seen.push(payload.v);
      if (payload.v === 1) {
        started.resolve();
        await gate.promise;
      }
    });
    const first = await queue.enqueue('sync', { v: 1 }, { key: 'p', coalesceKey: 'c' });
    await queue.start();
    await within(started.promise, 10_000, 'the first run');
    const second = await queue.enqueue('sync', { v: 2 }, { key: 'p', coalesceKey: 'c' });
    assert.equal(second.coalesced, false);
    assert.notEqual(second.id, first.id);
    gate.resolve();
    await harness.outcomes.wait(outcome(second.id, 'completed'), 'the second run');
    assert.deepEqual(seen, [1, 2]);
  });

  test('runs a delayed job no earlier than asked, without holding back its key', async () => {
    const queue = harness.open(await stores.open('delay'));
    const ranAt = new Map<string, number>();
    queue.register('d', async (payload: { n: string }) => {
      ranAt.set(payload.n, Date.now());
    });
    const enqueuedAt = Date.now();
    // Delays far above what three enqueues take on a loaded machine, so the counts are stable.
    const late = await queue.enqueue('d', { n: 'late' }, { key: 'k', delayMs: 1_500 });
    const at = await queue.enqueue('d', { n: 'at' }, { key: 'k2', runAt: enqueuedAt + 1_200 });
    const now = await queue.enqueue('d', { n: 'now' }, { key: 'k' });
    assert.deepEqual(await queue.counts(), { ...idle, waiting: 1, delayed: 2 });
    await queue.start();
    await harness.outcomes.wait(outcome(now.id, 'completed'), 'the undelayed job');
    await harness.outcomes.wait(outcome(at.id, 'completed'), 'the runAt job');
    await harness.outcomes.wait(outcome(late.id, 'completed'), 'the delayed job');
    // PostgreSQL compares start times on its own clock: allow it a few ms of skew.
    assert.ok((ranAt.get('late') ?? 0) >= enqueuedAt + 1_500 - 15, 'delayMs respected');
    assert.ok((ranAt.get('at') ?? 0) >= enqueuedAt + 1_200 - 15, 'runAt respected');
    assert.ok((ranAt.get('now') ?? Infinity) < (ranAt.get('late') ?? 0), 'key not held by a delay');
  });

  test('retries a failing job with backoff, honours retryAfterMs, and keeps its key waiting', async () => {
    const queue = harness.open(await stores.open('retry'));
    const attempts: { n: string; attempt: number; at: number }[] = [];
    queue.register('r', async (payload: { n: string }, helpers) => {
      attempts.push({ n: payload.n, attempt: helpers.attempt, at: Date.now() });
      if (payload.n !== 'flaky') return;
      if (helpers.attempt === 1) throw new Error('connection reset');
      if (helpers.attempt === 2) {
        throw new HttpError('rate_limited_burst', 'GHL answered 429', {
          status: 429,
          method: 'GET',
          url: 'https://example.test/contacts/c1',
          retryable: true,
          retryAfterMs: 250,
        });
      }
    });
    const flaky = await queue.enqueue('r', { n: 'flaky' }, { key: 'k' });
    const next = await queue.enqueue('r', { n: 'next' }, { key: 'k' });
    await queue.start();
    await harness.outcomes.wait(outcome(next.id, 'completed'), 'the job behind the flaky one');
    assert.deepEqual(
      attempts.map((a) => `${a.n}#${a.attempt}`),
      ['flaky#1', 'flaky#2', 'flaky#3', 'next#1'],
    );
    const retries = harness.outcomes.all.filter((o) => o.jobId === flaky.id);
    assert.deepEqual(
      retries.map((o) => o.outcome),
      ['retry', 'retry', 'completed'],
    );
    assert.ok((retries[0]?.delayMs ?? -1) >= 0 && (retries[0]?.delayMs ?? 99) <= 10, 'backoff');
    assert.equal(retries[1]?.delayMs, 250, 'the error asked for 250 ms');
    const [, second, third] = attempts;
    assert.ok((third?.at ?? 0) - (second?.at ?? 0) >= 250 - 15, 'waited the asked-for time');
  });

  test('a non-retryable error sends the job to the dead-letter list; its key waits, others run', async () => {
    const queue = harness.open(await stores.open('dead'));
    const ran: string[] = [];
    queue.register('w', async (payload: { n: string }) => {
      ran.push(payload.n);
      if (payload.n === 'poison') {
        throw new HttpError('validation_failed', 'TT refused the phone "+1": fix it in GHL', {
          status: 422,
          method: 'POST',
          url: 'https://example.test/leads',
          retryable: false,
        });
      }
    });
    const poison = await queue.enqueue('w', { n: 'poison' }, { key: 'k1' });
    const behind = await queue.enqueue('w', { n: 'behind' }, { key: 'k1' });
    const other = await queue.enqueue('w', { n: 'other' }, { key: 'k2' });
    await queue.start();
    await harness.outcomes.wait(outcome(poison.id, 'dead'), 'the dead job');
    await harness.outcomes.wait(outcome(other.id, 'completed'), 'the other key');
    // Claims go oldest first, so had `behind` been claimable it would have run before this one.
    const marker = await queue.enqueue('w', { n: 'marker' }, { key: 'k3' });
    await harness.outcomes.wait(outcome(marker.id, 'completed'), 'a later job of another key');
    assert.deepEqual(
      ran.filter((n) => n === 'poison' || n === 'behind'),
      ['poison'],
    );
    const dead = await queue.listDead();
    assert.equal(dead.length, 1);
    assert.deepEqual(
      { ...dead[0], createdAt: 0, diedAt: 0 },
      {
        id: poison.id,
        name: 'w',
        key: 'k1',
        payload: { n: 'poison' },
        attempts: 1,
        lastError: 'validation_failed, HTTP 422: TT refused the phone "+1": fix it in GHL',
        createdAt: 0,
        diedAt: 0,
        heldBack: 1,
      },
    );
    assert.ok((dead[0]?.diedAt ?? 0) >= (dead[0]?.createdAt ?? Infinity));
    assert.deepEqual(await queue.counts(), { ...idle, waiting: 1, dead: 1 });
    assert.equal(await queue.discardDead(behind.id), false, 'only dead jobs are discarded');
    assert.equal(await queue.retryDead(behind.id), false, 'only dead jobs are retried');
    assert.equal(await queue.discardDead(poison.id), true);
    await harness.outcomes.wait(outcome(behind.id, 'completed'), 'the job released by the discard');
    assert.deepEqual(await queue.listDead(), []);
    assert.deepEqual(await queue.counts(), idle);
    assert.equal(await queue.discardDead(poison.id), false, 'already gone');
  });

  test('a job that uses up its attempts goes dead; retried from the list, it runs first for its key', async () => {
    const queue = harness.open(await stores.open('exhaust'));
    let failing = true;
    const ran: string[] = [];
    queue.register('m', async (payload: { n: string }, helpers) => {
      ran.push(`${payload.n}#${helpers.attempt}/${helpers.maxAttempts}`);
      if (failing && payload.n === 'first') throw new Error('TT answered 503');
    });
    const first = await queue.enqueue('m', { n: 'first' }, { key: 'k', maxAttempts: 2 });
    const second = await queue.enqueue('m', { n: 'second' }, { key: 'k' });
    await queue.start();
    await harness.outcomes.wait(outcome(first.id, 'dead'), 'the job to die');
    const [dead] = await queue.listDead();
    assert.equal(dead?.attempts, 2);
    assert.equal(dead?.lastError, 'TT answered 503');
    assert.equal(dead?.heldBack, 1);
    failing = false;
    assert.equal(await queue.retryDead(first.id), true);
    await harness.outcomes.wait(outcome(second.id, 'completed'), 'the job behind it');
    assert.deepEqual(ran, ['first#1/2', 'first#2/2', 'first#1/2', 'second#1/5']);
    assert.deepEqual(await queue.counts(), idle);
  });

  test('a job whose worker stopped heartbeating is taken over by another process', async () => {
    const store = await stores.open('stale');
    const crashed = harness.open(store);
    const hung = deferred();
    const started = deferred();
    crashed.register('s', async () => {
      started.resolve();
      await hung.promise; // ignores its signal, like a wedged process
    });
    const job = await crashed.enqueue('s', { n: 1 }, { key: 'k' });
    await crashed.start();
    await within(started.promise, 10_000, 'the first run');
    // Stopping with a handler that will not end leaves the job locked and unheartbeated.
    await crashed.stop({ timeoutMs: 10 });
    const survivor = harness.open(await stores.reopen(store));
    const attempts: number[] = [];
    survivor.register('s', async (_payload, helpers) => {
      attempts.push(helpers.attempt);
    });
    await survivor.start();
    await harness.outcomes.wait(outcome(job.id, 'completed'), 'the takeover', 1, 30_000);
    assert.deepEqual(attempts, [2]);
    hung.resolve();
    // The hung run finally returns; its claim is gone, so it changes nothing.
    await harness.outcomes.wait(outcome(job.id, 'lost'), 'the stale run to notice');
    assert.deepEqual(await survivor.counts(), idle);
    assert.deepEqual(attempts, [2]);
  });

  test('several processes share the jobs: each runs once, each key in order', async () => {
    const store = await stores.open('shared', { sqliteSynchronous: 'NORMAL' });
    const processes = store.dialect === 'sqlite' ? 2 : 3;
    const others = await Promise.all(
      Array.from({ length: processes - 1 }, () =>
        stores.reopen(store, { sqliteSynchronous: 'NORMAL' }),
      ),
    );
    const recorder = new Recorder();
    const queues = [store, ...others].map((s) => {
      const queue = harness.open(s, { lockTimeoutMs: store.dialect === 'sqlite' ? 5_000 : 10_000 });
      queue.register('step', handlerOf(recorder));
      return queue;
    });
    await Promise.all(queues.map((q) => q.start()));
    const keys = 25;
    const perKey = 20;
    // Enqueued while the workers run, each process enqueueing its share of the keys.
    await Promise.all(
      queues.map(async (queue, p) => {
        for (let seq = 0; seq < perKey; seq++) {
          for (let k = p; k < keys; k += processes) {
            const key = `person-${k}`;
            await queue.enqueue('step', { key, seq }, { key });
          }
        }
      }),
    );
    await recorder.reached(keys * perKey, 40_000);
    const inOrder = Array.from({ length: perKey }, (_, i) => i);
    for (let k = 0; k < keys; k++) assert.deepEqual(recorder.byKey.get(`person-${k}`), inOrder);
    assert.equal(recorder.overlapsWithinKey, 0, 'never two jobs of one key at once');
    assert.ok(
      [...recorder.runs.values()].every((n) => n === 1),
      'each job ran once',
    );
    const completed = await harness.outcomes.wait(
      (o) => o.outcome === 'completed',
      'every completion recorded',
      keys * perKey,
    );
    assert.equal(new Set(completed.map((o) => o.jobId)).size, keys * perKey);
    assert.equal(harness.outcomes.all.length, keys * perKey, 'one outcome per job, none lost');
    assert.deepEqual(await queues[0]?.counts(), idle);
  });

  test('an enqueue in a transaction exists only if the transaction commits', async () => {
    const store = await stores.open('enqueue-tx');
    const queue = harness.open(store);
    await assert.rejects(
      store.db.transaction().execute(async (transaction) => {
        await queue.enqueue('t', { n: 1 }, { key: 'k', transaction });
        await queue.enqueue('t', { n: 2 }, { key: 'k', coalesceKey: 'c', transaction });
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(await queue.counts(), idle);
    const committed = await store.db.transaction().execute(async (transaction) => {
      await cursor(transaction, 'written-with-the-job');
      const a = await queue.enqueue('t', { n: 3 }, { key: 'k', coalesceKey: 'c', transaction });
      const b = await queue.enqueue('t', { n: 4 }, { key: 'k', coalesceKey: 'c', transaction });
      assert.equal(b.id, a.id);
      return a;
    });
    assert.deepEqual(await queue.counts(), { ...idle, waiting: 1 });
    const seen = deferred<unknown>();
    queue.register('t', async (payload) => seen.resolve(payload));
    await queue.start();
    assert.deepEqual(await within(seen.promise, 10_000, 'the committed job'), { n: 4 });
    await harness.outcomes.wait(outcome(committed.id, 'completed'), 'completion');
  });

  test('enqueueMany stores a batch as enqueue would: coalescing within it and with waiting jobs, each key in order', async () => {
    const store = await stores.open('enqueue-many');
    const queue = harness.open(store);
    const seen: string[] = [];
    const record = async (payload: { key: string; v: number }, helpers: JobHelpers) => {
      seen.push(`${helpers.name}:${payload.key}:${payload.v}`);
    };
    queue.register('sync', record);
    queue.register('step', record);
    const waiting = await queue.enqueue(
      'sync',
      { key: 'p1', v: 1 },
      { key: 'p1', coalesceKey: 'contact' },
    );
    const results = await queue.enqueueMany([
      {
        name: 'sync',
        payload: { key: 'p1', v: 2 },
        options: { key: 'p1', coalesceKey: 'contact' },
      },
      {
        name: 'sync',
        payload: { key: 'p2', v: 1 },
        options: { key: 'p2', coalesceKey: 'contact' },
      },
      { name: 'step', payload: { key: 'p1', v: 5 }, options: { key: 'p1' } },
      {
        name: 'sync',
        payload: { key: 'p2', v: 2 },
        options: { key: 'p2', coalesceKey: 'contact' },
      },
      { name: 'sync', payload: { key: 'p1', v: 9 }, options: { key: 'p1', coalesceKey: 'task' } },
      {
        name: 'sync',
        payload: { key: 'p1', v: 3 },
        options: { key: 'p1', coalesceKey: 'contact' },
      },
    ]);
    assert.deepEqual(
      results.map((r) => r.coalesced),
      [true, false, false, true, false, true],
    );
    assert.equal(results[0]?.id, waiting.id, 'merged into the job that was waiting');
    assert.equal(results[5]?.id, waiting.id);
    assert.equal(results[3]?.id, results[1]?.id, 'merged into the batch’s own job of that key');
    assert.equal(new Set(results.map((r) => r.id)).size, 4);
    assert.deepEqual(await queue.counts(), { ...idle, waiting: 4 });
    assert.deepEqual(await queue.enqueueMany([]), []);
    await queue.start();
    await harness.outcomes.wait((o) => o.outcome === 'completed', 'four runs', 4);
    assert.deepEqual(
      seen.filter((s) => s.includes(':p1:')),
      ['sync:p1:3', 'step:p1:5', 'sync:p1:9'],
      'the merged job ran once with the latest payload, in its place ahead of the batch',
    );
    assert.deepEqual(
      seen.filter((s) => s.includes(':p2:')),
      ['sync:p2:2'],
    );
    assert.equal(harness.outcomes.all.length, 4, 'ran once each');
  });

  test('enqueueMany stores all or nothing: a bad job or a rolled-back transaction leaves no job', async () => {
    const store = await stores.open('enqueue-many-atomic');
    const queue = harness.open(store);
    await assert.rejects(
      queue.enqueueMany([
        { name: 'm', payload: { n: 1 }, options: { key: 'k' } },
        { name: 'm', payload: { n: 2 }, options: { key: '' } },
      ]),
      { code: 'job_invalid' },
    );
    await assert.rejects(
      store.db.transaction().execute(async (transaction) => {
        await queue.enqueueMany(
          [
            { name: 'm', payload: { n: 3 }, options: { key: 'k' } },
            { name: 'm', payload: { n: 4 }, options: { key: 'k', coalesceKey: 'c' } },
          ],
          { transaction },
        );
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(await queue.counts(), idle);
    const [committed] = await store.db.transaction().execute(async (transaction) => {
      await cursor(transaction, 'written-with-the-batch');
      return queue.enqueueMany(
        [{ name: 'm', payload: { n: 5 }, options: { key: 'k', delayMs: 60_000 } }],
        { transaction },
      );
    });
    assert.equal(committed?.coalesced, false);
    assert.deepEqual(await queue.counts(), { ...idle, delayed: 1 });
  });

  test("completeInTransaction commits the job's completion with the handler's writes", async () => {
    const store = await stores.open('complete-tx');
    const queue = harness.open(store);
    queue.register('t', async (payload: { n: number }, helpers) => {
      await store.db.transaction().execute(async (transaction) => {
        await cursor(transaction, `job-${payload.n}-attempt-${helpers.attempt}`);
        await helpers.completeInTransaction(transaction);
        if (payload.n === 2 && helpers.attempt === 1) throw new Error('rolled back after all');
      });
    });
    const one = await queue.enqueue('t', { n: 1 }, { key: 'k' });
    const two = await queue.enqueue('t', { n: 2 }, { key: 'k' });
    await queue.start();
    await harness.outcomes.wait(outcome(two.id, 'completed'), 'the second job');
    const streams = await store.db
      .selectFrom('cursors')
      .select('stream')
      .orderBy('stream')
      .execute();
    assert.deepEqual(
      streams.map((r) => r.stream),
      ['job-1-attempt-1', 'job-2-attempt-2'],
      'the rolled-back attempt left neither its write nor a completion',
    );
    assert.deepEqual(
      harness.outcomes.all.map((o) => `${o.jobId === one.id ? 1 : 2}:${o.outcome}`),
      ['1:completed', '2:retry', '2:completed'],
    );
    assert.deepEqual(await queue.counts(), idle);
  });

  test('stop lets running handlers finish, then aborts the ones that do not', async () => {
    const store = await stores.open('stop');
    const queue = harness.open(store);
    const started = { polite: deferred(), stubborn: deferred() };
    const release = deferred();
    let sawAbort = false;
    queue.register('slow', async (payload: { n: 'polite' | 'stubborn' }, helpers) => {
      started[payload.n].resolve();
      if (payload.n === 'polite') return release.promise;
      await new Promise<never>((_, reject) =>
        helpers.signal.addEventListener('abort', () => {
          sawAbort = true;
          reject(helpers.signal.reason as Error);
        }),
      );
    });
    const polite = await queue.enqueue('slow', { n: 'polite' }, { key: 'a' });
    const stubborn = await queue.enqueue('slow', { n: 'stubborn' }, { key: 'b' });
    await queue.start();
    await within(Promise.all([started.polite.promise, started.stubborn.promise]), 10_000, 'runs');
    const stopping = queue.stop({ timeoutMs: 300 });
    release.resolve();
    await within(stopping, 5_000, 'stop');
    assert.equal(sawAbort, true);
    const byJob = new Map(harness.outcomes.all.map((o) => [o.jobId, o]));
    assert.equal(byJob.get(polite.id)?.outcome, 'completed');
    assert.equal(byJob.get(stubborn.id)?.outcome, 'retry');
    assert.ok(byJob.get(stubborn.id)?.error instanceof AppError);
    await assert.rejects(queue.enqueue('slow', { n: 'polite' }, { key: 'a' }), {
      code: 'queue_stopped',
    });
    await assert.rejects(queue.start(), { code: 'queue_stopped' });
    assert.deepEqual(await harness.open(store).counts(), { ...idle, retrying: 1 });
  });
});
