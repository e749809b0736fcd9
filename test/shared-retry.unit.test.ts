import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../src/shared/clock.ts';
import { backoffDelay, retry } from '../src/shared/retry.ts';

test('backoff ceilings double and are capped; full jitter scales them', () => {
  const opts = { baseMs: 100, maxMs: 1000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, opts, () => 0.999999)),
    [99, 199, 399, 799, 999, 999],
  );
  assert.equal(
    backoffDelay(3, opts, () => 0),
    0,
  );
  assert.equal(
    backoffDelay(3, opts, () => 0.5),
    400,
  );
});

test('retry waits the jittered backoff on the injected clock, then succeeds', async () => {
  const clock = new ManualClock();
  let calls = 0;
  const done = retry(
    async () => {
      calls++;
      if (calls < 4) throw new Error('flaky');
      return 'ok';
    },
    { attempts: 5, baseMs: 100, maxMs: 250, clock, random: () => 0.5, isRetryable: () => true },
  );
  await clock.advance(10_000);
  assert.equal(await done, 'ok');
  assert.equal(calls, 4);
  assert.deepEqual(clock.sleeps, [50, 100, 125]);
});

test('retry honours a provider wait hint over the computed backoff', async () => {
  const clock = new ManualClock();
  let calls = 0;
  const done = retry(
    async () => {
      if (++calls === 1) throw Object.assign(new Error('429'), { waitMs: 7_000 });
      return calls;
    },
    {
      attempts: 3,
      baseMs: 100,
      maxMs: 1000,
      clock,
      isRetryable: () => true,
      retryAfterMs: (e) => (e as { waitMs?: number }).waitMs,
    },
  );
  await clock.advance(7_000);
  assert.equal(await done, 2);
  assert.deepEqual(clock.sleeps, [7_000]);
});

test('retry stops at once on a non-retryable error and after the last attempt', async () => {
  const clock = new ManualClock();
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw new Error('scope');
      },
      { attempts: 5, baseMs: 1, maxMs: 1, clock, isRetryable: () => false },
    ),
    /scope/,
  );
  assert.equal(calls, 1);

  calls = 0;
  const failing = retry(
    async () => {
      calls++;
      throw new Error('down');
    },
    { attempts: 3, baseMs: 10, maxMs: 10, clock, random: () => 0.5, isRetryable: () => true },
  );
  const settled = assert.rejects(failing, /down/);
  await clock.advance(1_000);
  await settled;
  assert.equal(calls, 3);
});
