/**
 * How the queue sorts a failed run (ARCHITECTURE.md §5): retry with capped, jittered backoff or
 * the wait the error asks for; dead at once when the error says it is not retryable, or when the
 * attempts are used up. Also the ids that keep a PostgreSQL transaction's jobs in order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError, HttpError } from '../src/shared/errors.ts';
import { decideFailure, describeError } from '../src/queue/index.ts';
import { OrderedUuids } from '../src/queue/ordered-uuid.ts';

const backoff = { baseMs: 100, maxMs: 1_000 };
const http = (retryable: boolean, extra: { status?: number; retryAfterMs?: number } = {}) =>
  new HttpError('server_error', 'TT answered 503', {
    status: extra.status ?? 503,
    method: 'POST',
    url: 'https://example.test/leads',
    retryable,
    retryAfterMs: extra.retryAfterMs,
  });

test('a retryable failure waits a jittered, doubling, capped delay', () => {
  const half = () => 0.5;
  const delays = [1, 2, 3, 4, 5, 6].map((attempt) => {
    const decision = decideFailure(new Error('reset'), attempt, 10, backoff, half);
    assert.equal(decision.kind, 'retry');
    return decision.kind === 'retry' ? decision.delayMs : -1;
  });
  assert.deepEqual(delays, [50, 100, 200, 400, 500, 500]);
});

test("the error's own wait wins over the backoff", () => {
  const decision = decideFailure(http(true, { retryAfterMs: 2_500.4 }), 1, 10, backoff);
  assert.deepEqual(decision.kind === 'retry' && decision.delayMs, 2_501);
});

test('a non-retryable error is dead on its first attempt; any error is dead on the last', () => {
  const refused = decideFailure(http(false, { status: 422 }), 1, 10, backoff);
  assert.equal(refused.kind === 'dead' && refused.reason, 'not_retryable');
  const exhausted = decideFailure(http(true), 10, 10, backoff);
  assert.equal(exhausted.kind === 'dead' && exhausted.reason, 'attempts_exhausted');
  const plain = decideFailure(new AppError('unexpected', 'boom'), 3, 10, backoff);
  assert.equal(plain.kind, 'retry', 'an AppError without a retryable flag is retried');
});

test('a thrown non-error is kept as the cause of the recorded error', () => {
  const decision = decideFailure('a string', 1, 2, backoff);
  assert.equal(decision.error.message, 'Non-error thrown: a string');
});

test('the stored last error names the code and HTTP status before the message', () => {
  assert.equal(
    describeError(http(false, { status: 422 })),
    'server_error, HTTP 422: TT answered 503',
  );
  assert.equal(describeError(new Error('plain')), 'plain');
  assert.equal(describeError(new Error('x'.repeat(5_000))).length, 4_001);
});

test('ordered uuids are version 7 and sort in the order they were made, even within 1 ms', () => {
  const ids = new OrderedUuids();
  const made = Array.from({ length: 10_000 }, (_, i) => ids.next(1_700_000_000_000 + (i >> 12)));
  for (const id of made.slice(0, 3)) {
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  assert.deepEqual([...made].sort(), made);
  assert.equal(new Set(made).size, made.length);
  // A clock that steps back does not make an id that sorts earlier.
  const after = ids.next(1_600_000_000_000);
  assert.ok(after > (made.at(-1) ?? ''));
});
