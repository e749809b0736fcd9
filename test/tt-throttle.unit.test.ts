import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/shared/clock.ts';
import { TtThrottle } from '../src/tenant-turner/throttle.ts';

/** Acquires `count` times at once and records, in order, when each was let through. */
async function release(throttle: TtThrottle, clock: ManualClock, count: number, runMs: number) {
  const start = clock.now();
  const times: number[] = [];
  const order: number[] = [];
  const all = Array.from({ length: count }, (_, i) =>
    throttle.acquire().then(() => {
      times.push(clock.now() - start);
      order.push(i);
    }),
  );
  for (let t = 0; t < runMs; t += 10) await clock.advance(10);
  await Promise.all(all);
  return { times, order };
}

/** The most sends inside any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));
}

describe('Tenant Turner self-throttle', () => {
  it('defaults to 5 requests per second: a burst of 5, then 5 more each second', async () => {
    const clock = new ManualClock(1_000_000);
    const throttle = new TtThrottle({ clock });
    const { times, order } = await release(throttle, clock, 12, 3000);
    assert.deepEqual(times, [0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000]);
    assert.deepEqual(order, [...Array(12).keys()], 'first come, first served');
    assert.ok(busiestWindow(times, 1000) <= 5);
  });

  it('takes a settable rate, fractional ones included', async () => {
    const clock = new ManualClock();
    const fast = await release(new TtThrottle({ clock, requestsPerSecond: 20 }), clock, 45, 3000);
    assert.ok(busiestWindow(fast.times, 1000) <= 20);
    assert.equal(fast.times.at(-1), 2000);
    const slow = new TtThrottle({ clock, requestsPerSecond: 2.5 });
    assert.equal(slow.max, 2);
    assert.equal(slow.windowMs, 800);
    const { times } = await release(slow, clock, 6, 3000);
    assert.deepEqual(times, [0, 0, 800, 800, 1600, 1600]);
  });

  it('holds every send while paused (a 429 for the account)', async () => {
    const clock = new ManualClock();
    const throttle = new TtThrottle({ clock, requestsPerSecond: 100 });
    throttle.pause(4_000);
    const { times } = await release(throttle, clock, 3, 5000);
    assert.deepEqual(times, [4000, 4000, 4000]);
  });

  it('turns off with 0 or Infinity, and refuses a negative rate', async () => {
    const clock = new ManualClock();
    const { times } = await release(new TtThrottle({ clock, requestsPerSecond: 0 }), clock, 50, 10);
    assert.ok(times.every((t) => t === 0));
    assert.throws(() => new TtThrottle({ requestsPerSecond: -1 }), /requestsPerSecond/);
  });

  it('rejects waiters once stopped', async () => {
    const clock = new ManualClock();
    const throttle = new TtThrottle({ clock, requestsPerSecond: 1 });
    await throttle.acquire();
    const waiting = throttle.acquire();
    throttle.stop();
    await clock.advance(2000);
    await assert.rejects(waiting, /stopped/);
    await assert.rejects(throttle.acquire(), /stopped/);
  });

  it('lets an aborted waiter go without holding up the queue', async () => {
    const clock = new ManualClock();
    const throttle = new TtThrottle({ clock, requestsPerSecond: 1 });
    await throttle.acquire();
    const controller = new AbortController();
    const aborted = throttle.acquire(controller.signal);
    const next = throttle.acquire();
    controller.abort(new Error('caller gave up'));
    await clock.advance(1000);
    await assert.rejects(aborted, /caller gave up/);
    await clock.advance(1000);
    await next;
    assert.equal(throttle.queued, 0);
  });
});
