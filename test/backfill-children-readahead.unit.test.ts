/**
 * `readAhead` (src/sync/backfill-phase.ts): a gated backfill phase reads its pages ahead of its
 * consumer, never more than the limit buffered, in order, and a read error reaches the
 * consumer after the items read before it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readAhead } from '../src/sync/backfill-phase.ts';

/** A source of `count` numbers that records how many were pulled, failing at `failAt`. */
function source(
  count: number,
  failAt?: number,
): { pulled: () => number; items: AsyncGenerator<number> } {
  let pulled = 0;
  async function* items(): AsyncGenerator<number> {
    for (let i = 0; i < count; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (i === failAt) throw new Error(`read ${i} failed`);
      pulled++;
      yield i;
    }
  }
  return { pulled: () => pulled, items: items() };
}

/** Waits until the source has pulled nothing new for a while (the pump has stopped). */
async function settle(pulled: () => number): Promise<void> {
  let last = -1;
  for (let i = 0; i < 200 && pulled() !== last; i++) {
    last = pulled();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('readAhead', () => {
  test('reads ahead up to the limit while the consumer waits, then yields everything in order', async () => {
    const src = source(50);
    const ahead = readAhead(src.items, 10, () => 1);
    const first = await ahead.next();
    assert.deepEqual(first, { value: 0, done: false });
    await settle(src.pulled);
    // One taken, ten buffered (the pump stops at the limit), maybe one more in flight.
    assert.ok(src.pulled() >= 10 && src.pulled() <= 12, `pulled ${src.pulled()}`);
    const rest: number[] = [];
    for await (const n of ahead) rest.push(n);
    assert.deepEqual(
      rest,
      Array.from({ length: 49 }, (_, i) => i + 1),
    );
  });

  test('a read error comes after the items read before it', async () => {
    const src = source(10, 4);
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const n of readAhead(src.items, 100, () => 1)) seen.push(n);
    }, /read 4 failed/);
    assert.deepEqual(seen, [0, 1, 2, 3]);
  });

  test('a consumer that stops early stops the reads', async () => {
    const src = source(1000);
    for await (const n of readAhead(src.items, 5, () => 1)) if (n === 2) break;
    await settle(src.pulled);
    const pulled = src.pulled();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(src.pulled(), pulled, 'nothing is read after the consumer left');
    assert.ok(pulled < 12, `pulled ${pulled}`);
  });
});
