import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { withDeadline } from '../src/shared/deadline.ts';

/** Rejects with the signal's reason once it aborts (as fetch does). */
const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    const fail = (): void => reject(signal.reason as Error);
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail);
  });

void describe('withDeadline', () => {
  void it('aborts work that outlives the deadline with a TimeoutError', async () => {
    await assert.rejects(
      withDeadline(30, undefined, (signal) => untilAborted(signal)),
      (error: Error) => error.name === 'TimeoutError' && /30 ms/.test(error.message),
    );
  });

  void it('passes on the outer signal, before and during the work', async () => {
    const before = new AbortController();
    before.abort(new Error('stopped before'));
    await assert.rejects(
      withDeadline(10_000, before.signal, (signal) => untilAborted(signal)),
      /stopped before/,
    );
    const during = new AbortController();
    const run = withDeadline(10_000, during.signal, (signal) => untilAborted(signal));
    during.abort(new Error('stopped during'));
    await assert.rejects(run, /stopped during/);
  });

  void it('lets go of the timer and the outer signal once the work settles', async () => {
    const outer = new AbortController();
    let inner: AbortSignal | undefined;
    const value = await withDeadline(20, outer.signal, async (signal) => {
      inner = signal;
      return 42;
    });
    assert.equal(value, 42);
    await sleep(60); // past the deadline: a timer still armed would abort now
    outer.abort(new Error('late'));
    assert.equal(inner?.aborted, false);
  });
});
