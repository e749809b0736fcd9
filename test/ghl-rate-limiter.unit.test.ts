import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/shared/clock.ts';
import { AppError } from '../src/shared/errors.ts';
import type { Logger } from '../src/shared/logger.ts';
import { RateLimiter } from '../src/ghl/rate-limiter.ts';
import type { Lane, RateLimiterOptions } from '../src/ghl/rate-limiter.ts';

const START = Date.UTC(2026, 0, 15, 15, 0, 0); // 15:00 UTC, nine hours before the daily reset
const NEXT_MIDNIGHT = Date.UTC(2026, 0, 16);

function setup(opts: Omit<RateLimiterOptions, 'clock'> = {}): {
  clock: ManualClock;
  limiter: RateLimiter;
} {
  const clock = new ManualClock(START);
  return { clock, limiter: new RateLimiter({ clock, ...opts }) };
}

function headers(values: Record<string, number | string>): Headers {
  return new Headers(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])));
}

/** Lets promise continuations run without moving the clock. */
async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Acquires as the HTTP client does, and reports the response at once (zero latency in virtual
 * time), as the client reports every response.
 */
async function send(limiter: RateLimiter, ...args: Parameters<RateLimiter['acquire']>) {
  await limiter.acquire(...args);
  limiter.observe(args[0], 200, new Headers());
}

/** Starts a `send` and records when it was granted (virtual time) or how it failed. */
function track(
  limiter: RateLimiter,
  clock: ManualClock,
  ...args: Parameters<RateLimiter['acquire']>
) {
  return record(clock, send(limiter, ...args));
}

/** Like `track`, but the request gets no response. */
function trackUnanswered(
  limiter: RateLimiter,
  clock: ManualClock,
  ...args: Parameters<RateLimiter['acquire']>
) {
  return record(clock, limiter.acquire(...args));
}

function record(clock: ManualClock, granted: Promise<void>) {
  const state: { at?: number; error?: unknown } = {};
  granted.then(
    () => (state.at = clock.now()),
    (error: unknown) => (state.error = error),
  );
  return state;
}

function recordingLogger(): Logger & {
  lines: { level: string; message: string; fields: Record<string, unknown> }[];
} {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const logger = {
    lines,
    debug: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: 'debug', message, fields }),
    info: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: 'info', message, fields }),
    warn: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: 'warn', message, fields }),
    error: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: 'error', message, fields }),
    child: () => logger,
  };
  return logger;
}

void describe('RateLimiter throughput', () => {
  void it('sends 1,000 requests in exactly 9 windows, never more than max in any window', async () => {
    const { clock, limiter } = setup({ max: 100, windowMs: 10_000 });
    const sentAt: number[] = [];
    const all = Array.from({ length: 1000 }, () =>
      send(limiter, 'loc', 'backfill').then(() => sentAt.push(clock.now())),
    );
    await settle();
    assert.equal(sentAt.length, 100, 'the first 100 go at once');

    await clock.advance(89_999);
    assert.equal(sentAt.length, 900, 'one window short of the end, 900 have gone');
    await clock.advance(1);
    await Promise.all(all);
    assert.equal(sentAt.length, 1000);
    assert.equal(Math.max(...sentAt) - START, 90_000, 'done at exactly 9 × windowMs');

    // Sliding check: the (i+100)-th send is at least one window after the i-th.
    for (let i = 0; i + 100 < sentAt.length; i++) {
      assert.ok(
        (sentAt[i + 100] ?? 0) - (sentAt[i] ?? 0) >= 10_000,
        `window starting at send ${i}`,
      );
    }
    limiter.stop();
  });

  void it('holds back safetyMargin tokens per window', async () => {
    const { clock, limiter } = setup({ max: 10, windowMs: 1000, safetyMargin: 2 });
    const sends = Array.from({ length: 10 }, () => track(limiter, clock, 'loc', 'user'));
    await settle();
    assert.equal(sends.filter((s) => s.at !== undefined).length, 8);
    assert.equal(limiter.budget('loc').remaining, 0);
    await clock.advance(1000);
    assert.equal(sends.filter((s) => s.at !== undefined).length, 10);
    limiter.stop();
  });

  void it('with enabled: false, acquires resolve at once whatever the budget', async () => {
    const { limiter } = setup({ max: 1, enabled: false });
    await Promise.all(Array.from({ length: 50 }, () => limiter.acquire('loc', 'backfill')));
    limiter.stop();
  });
});

void describe('RateLimiter lanes', () => {
  void it('serves a later webhook waiter before earlier backfill waiters, FIFO within a lane', async () => {
    const { clock, limiter } = setup({ max: 1, windowMs: 1000 });
    await send(limiter, 'loc', 'backfill'); // uses the only token
    const order: string[] = [];
    const wait = (lane: Lane, name: string) =>
      send(limiter, 'loc', lane).then(() => order.push(name));
    const waits = [
      wait('backfill', 'backfill-1'),
      wait('backfill', 'backfill-2'),
      wait('reconcile', 'reconcile-1'),
      wait('user', 'user-1'),
      wait('webhook', 'webhook-1'),
      wait('backfill', 'backfill-3'),
      wait('webhook', 'webhook-2'),
    ];
    await settle();
    assert.deepEqual(limiter.budget('loc').queued, {
      webhook: 2,
      user: 1,
      reconcile: 1,
      backfill: 3,
    });

    await clock.advance(7000);
    await Promise.all(waits);
    assert.deepEqual(order, [
      'webhook-1',
      'webhook-2',
      'user-1',
      'reconcile-1',
      'backfill-1',
      'backfill-2',
      'backfill-3',
    ]);
    limiter.stop();
  });
});

void describe('RateLimiter header resync', () => {
  void it('lowers remaining to the server value, and a late higher value does not refill', async () => {
    const { clock, limiter } = setup({ max: 100, windowMs: 10_000 });
    for (let i = 0; i < 10; i++) await send(limiter, 'loc', 'user');
    assert.equal(limiter.budget('loc').remaining, 90);

    limiter.observe('loc', 200, headers({ 'x-ratelimit-max': 100, 'x-ratelimit-remaining': 40 }));
    assert.equal(limiter.budget('loc').remaining, 40, 'the server counted more than we did');

    limiter.observe('loc', 200, headers({ 'x-ratelimit-max': 100, 'x-ratelimit-remaining': 99 }));
    assert.equal(limiter.budget('loc').remaining, 40, 'a late response from an earlier window');

    await clock.advance(10_000);
    assert.equal(limiter.budget('loc').remaining, 100, 'capacity returns as sends age out');
    limiter.stop();
  });

  void it('makes waiters wait when the server says the window is used up', async () => {
    const { clock, limiter } = setup({ max: 100, windowMs: 10_000 });
    limiter.observe('loc', 200, headers({ 'x-ratelimit-remaining': 0 }));
    const send = track(limiter, clock, 'loc', 'user');
    await clock.advance(9_999);
    assert.equal(send.at, undefined);
    await clock.advance(1);
    assert.equal(send.at, START + 10_000);
    limiter.stop();
  });

  void it('counts a request from its response, or while unanswered, for inFlightMs after its send', async () => {
    const { clock, limiter } = setup({ max: 2, windowMs: 1000, inFlightMs: 5000 });
    await limiter.acquire('loc', 'user');
    await limiter.acquire('loc', 'user');
    await clock.advance(100);
    limiter.observe('loc', 200, headers({})); // the server saw one of them by now, at the latest
    const third = trackUnanswered(limiter, clock, 'loc', 'user');
    const fourth = trackUnanswered(limiter, clock, 'loc', 'user');
    await clock.advance(999);
    assert.equal(third.at, undefined);
    await clock.advance(1);
    assert.equal(third.at, START + 1100, 'the answered request left one window after its response');
    await clock.advance(4899);
    assert.equal(fourth.at, undefined, 'the unanswered one may still reach GHL');
    await clock.advance(1);
    assert.equal(fourth.at, START + 6000, 'until inFlightMs + one window after its send');
    limiter.stop();
  });

  void it('applies a window learned from headers to requests already sent', async () => {
    const { clock, limiter } = setup({ max: 100, windowMs: 10_000 });
    await Promise.all(Array.from({ length: 100 }, () => limiter.acquire('loc', 'backfill')));
    const next = track(limiter, clock, 'loc', 'backfill');
    await clock.advance(5);
    for (let i = 0; i < 100; i++) {
      limiter.observe(
        'loc',
        200,
        headers({ 'x-ratelimit-interval-milliseconds': 1000, 'x-ratelimit-remaining': 99 - i }),
      );
    }
    await clock.advance(999);
    assert.equal(next.at, undefined);
    await clock.advance(1);
    assert.equal(
      next.at,
      START + 1005,
      'one (learned) window after the responses, not ten seconds',
    );
    limiter.stop();
  });

  void it('adopts the server max, interval and daily figures', () => {
    const { limiter } = setup();
    limiter.observe(
      'loc',
      200,
      headers({
        'x-ratelimit-max': 50,
        'x-ratelimit-remaining': 49,
        'x-ratelimit-interval-milliseconds': 5000,
        'x-ratelimit-limit-daily': 1000,
        'x-ratelimit-daily-remaining': 700,
      }),
    );
    const budget = limiter.budget('loc');
    assert.equal(budget.max, 50);
    assert.equal(budget.windowMs, 5000);
    assert.equal(budget.remaining, 49);
    assert.equal(budget.dailyLimit, 1000);
    assert.equal(budget.dailyRemaining, 700);
    limiter.stop();
  });
});

void describe('RateLimiter 429s', () => {
  void it('a burst 429 blocks the location for X-RateLimit-Interval-Milliseconds', async () => {
    const { clock, limiter } = setup({ max: 100, windowMs: 10_000 });
    limiter.observe(
      'loc',
      429,
      headers({
        'x-ratelimit-interval-milliseconds': 10_000,
        'x-ratelimit-remaining': 0,
        'x-ratelimit-daily-remaining': 150_000,
      }),
    );
    const budget = limiter.budget('loc');
    assert.equal(budget.pausedReason, 'burst');
    assert.equal(budget.pausedUntil, START + 10_000);

    const send = track(limiter, clock, 'loc', 'webhook');
    await clock.advance(9_999);
    assert.equal(send.at, undefined, 'still blocked');
    await clock.advance(1);
    assert.equal(send.at, START + 10_000);
    limiter.stop();
  });

  void it('a daily 429 pauses until the next UTC midnight, rejects with the resume time, logs once', async () => {
    const logger = recordingLogger();
    const { clock, limiter } = setup({ logger, max: 1 });
    await send(limiter, 'loc', 'user');
    const waiting = track(limiter, clock, 'loc', 'backfill', { waitForDaily: true });
    await settle();
    const daily429 = headers({
      'x-ratelimit-daily-remaining': 0,
      'x-ratelimit-limit-daily': 200_000,
    });
    limiter.observe('loc', 429, daily429);
    limiter.observe('loc', 429, daily429); // a second in-flight response says the same

    const budget = limiter.budget('loc');
    assert.equal(budget.pausedReason, 'daily');
    assert.equal(budget.pausedUntil, NEXT_MIDNIGHT);
    assert.equal(budget.dailyRemaining, 0);

    await assert.rejects(limiter.acquire('loc', 'user'), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'rate_limited_daily');
      assert.match(error.message, /daily request limit reached for location loc/);
      assert.match(error.message, /resume at 2026-01-16T00:00:00\.000Z/);
      return true;
    });
    const warnings = logger.lines.filter((l) => l.message.startsWith('GHL daily limit reached'));
    assert.equal(warnings.length, 1);
    assert.deepEqual(warnings[0]?.fields, {
      locationId: 'loc',
      pausedUntil: '2026-01-16T00:00:00.000Z',
    });

    const waitsForDay = track(limiter, clock, 'loc', 'backfill', { waitForDaily: true });
    await clock.advance(NEXT_MIDNIGHT - START - 1);
    assert.equal(waiting.at, undefined);
    assert.equal(waitsForDay.at, undefined);
    await clock.advance(1);
    assert.equal(
      waiting.at,
      NEXT_MIDNIGHT,
      'a waiter queued before the pause resumes at the reset',
    );
    assert.equal(waitsForDay.at, undefined, 'then the burst window (max 1) applies again');
    await clock.advance(10_000);
    assert.equal(waitsForDay.at, NEXT_MIDNIGHT + 10_000);
    assert.equal(
      limiter.budget('loc').dailyRemaining,
      200_000 - 2,
      'the new day counts only its own sends',
    );
    limiter.stop();
  });

  void it('a daily pause rejects waiters already queued unless they wait for the day', async () => {
    const { clock, limiter } = setup({ max: 1 });
    await limiter.acquire('loc', 'user');
    const queued = track(limiter, clock, 'loc', 'reconcile');
    await settle();
    limiter.observe('loc', 429, headers({ 'x-ratelimit-daily-remaining': 0 }));
    await settle();
    assert.ok(queued.error instanceof AppError && queued.error.code === 'rate_limited_daily');
    assert.equal(limiter.budget('loc').queued.reconcile, 0);
    limiter.stop();
  });

  void it('uses x-ratelimit-daily-reset (ms until reset) when sent', async () => {
    const { clock, limiter } = setup();
    limiter.observe(
      'loc',
      429,
      headers({ 'x-ratelimit-daily-remaining': 0, 'x-ratelimit-daily-reset': 3_600_000 }),
    );
    assert.equal(limiter.budget('loc').pausedUntil, START + 3_600_000);
    const send = track(limiter, clock, 'loc', 'backfill', { waitForDaily: true });
    await clock.advance(3_600_000);
    assert.equal(send.at, START + 3_600_000);
    limiter.stop();
  });

  void it('pauses for the day when its own count reaches the daily limit', async () => {
    const { clock, limiter } = setup({ daily: 3 });
    for (let i = 0; i < 3; i++) await limiter.acquire('loc', 'user');
    const fourth = track(limiter, clock, 'loc', 'user');
    await settle();
    assert.ok(fourth.error instanceof AppError && fourth.error.code === 'rate_limited_daily');
    assert.equal(limiter.budget('loc').pausedUntil, NEXT_MIDNIGHT);
    limiter.stop();
  });
});

void describe('RateLimiter isolation and cancellation', () => {
  void it('keeps one budget per location', async () => {
    const { clock, limiter } = setup({ max: 2, windowMs: 1000 });
    await limiter.acquire('a', 'user');
    await limiter.acquire('a', 'user');
    const aThird = track(limiter, clock, 'a', 'webhook');
    limiter.observe('a', 429, headers({ 'x-ratelimit-daily-remaining': 5 }));
    await limiter.acquire('b', 'backfill');
    await limiter.acquire('b', 'backfill');
    assert.equal(aThird.at, undefined);
    assert.equal(limiter.budget('b').remaining, 0);
    assert.equal(limiter.budget('b').pausedReason, undefined);
    limiter.stop();
  });

  void it('release() gives an unsent grant back to the window and the day, and serves a waiter', async () => {
    const { clock, limiter } = setup({ max: 1, windowMs: 1000, daily: 10 });
    await limiter.acquire('loc', 'user');
    const waiting = track(limiter, clock, 'loc', 'user');
    await settle();
    assert.equal(waiting.at, undefined, 'the window is full');
    limiter.release('loc');
    await settle();
    assert.equal(waiting.at, START, 'the waiter got the released slot at once');
    assert.equal(limiter.budget('loc').dailyRemaining, 9, 'only the waiter counts for the day');
    limiter.stop();
  });

  void it('an aborted waiter rejects with the abort reason and leaves the queue', async () => {
    const { clock, limiter } = setup({ max: 1, windowMs: 1000 });
    await send(limiter, 'loc', 'user');
    const controller = new AbortController();
    const aborted = track(limiter, clock, 'loc', 'webhook', controller.signal);
    const next = track(limiter, clock, 'loc', 'backfill');
    await settle();
    controller.abort(new Error('caller gave up'));
    await settle();
    assert.equal((aborted.error as Error | undefined)?.message, 'caller gave up');
    assert.deepEqual(limiter.budget('loc').queued, {
      webhook: 0,
      user: 0,
      reconcile: 0,
      backfill: 1,
    });
    await clock.advance(1000);
    assert.equal(next.at, START + 1000, 'the next waiter takes the freed slot');
    await assert.rejects(limiter.acquire('loc', 'user', AbortSignal.abort()));
    limiter.stop();
  });

  void it('a waiter that waits through a daily pause can still be aborted', async () => {
    const { clock, limiter } = setup({ max: 1 });
    await limiter.acquire('loc', 'user');
    const controller = new AbortController();
    const patient = track(limiter, clock, 'loc', 'backfill', {
      waitForDaily: true,
      signal: controller.signal,
    });
    const impatient = track(limiter, clock, 'loc', 'backfill');
    await settle();
    limiter.observe('loc', 429, headers({ 'x-ratelimit-daily-remaining': 0 }));
    await settle();
    assert.ok(impatient.error instanceof AppError);
    assert.equal(limiter.budget('loc').queued.backfill, 1);
    controller.abort(new Error('shutting down'));
    await settle();
    assert.equal((patient.error as Error | undefined)?.message, 'shutting down');
    assert.equal(limiter.budget('loc').queued.backfill, 0);
    limiter.stop();
  });

  void it('stop() rejects waiters and later acquires', async () => {
    const { clock, limiter } = setup({ max: 1 });
    await limiter.acquire('loc', 'user');
    const queued = track(limiter, clock, 'loc', 'user');
    await settle();
    limiter.stop();
    await settle();
    assert.ok(queued.error instanceof AppError);
    await assert.rejects(limiter.acquire('loc', 'user'), AppError);
  });
});
