/**
 * The client's budget against the sandbox's real limits, over real HTTP: a 1,000-request burst
 * gets no 429 and takes no longer than the limit requires (within 10%).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { operator, pitClient, sandbox, stats } from './support/ghl-harness.ts';

const MAX = 100;
// CI runs a reduced burst (TTSYNC_FULL unset); `TTSYNC_FULL=1 npm run test:all` runs the 1,000.
const WINDOW_MS = 1_000;
const REQUESTS = process.env['TTSYNC_FULL'] ? 1_000 : 300;

describe('GHL rate limits', () => {
  let box: GhlSandbox;
  before(async () => {
    box = await sandbox({ contacts: 5, rateLimit: { max: MAX, windowMs: WINDOW_MS } });
  });
  after(async () => box.close());

  test(`a ${REQUESTS}-request burst gets zero 429s and takes what the limit requires (±10%)`, async () => {
    const client = pitClient(box, undefined, { rateLimit: { max: MAX, windowMs: WINDOW_MS } });
    const ghl = client.location(box.locationId);
    await operator(box, 'POST', '/__sandbox/rate-limit', { reset: true });
    const before = await stats(box);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: REQUESTS }, () => ghl.listUsers()));
    const elapsed = performance.now() - started;
    const after = await stats(box);
    assert.equal(results.length, REQUESTS);
    assert.equal(after.rateLimited.burst - before.rateLimited.burst, 0, 'no burst 429');
    assert.equal(after.rateLimited.daily - before.rateLimited.daily, 0, 'no daily 429');
    // The first window's 100 go at once; each further 100 needs a new window.
    const required = (Math.ceil(REQUESTS / MAX) - 1) * WINDOW_MS;
    assert.ok(
      elapsed >= required * 0.9,
      `faster than the limit allows: ${elapsed.toFixed(0)} ms < ${required} ms`,
    );
    assert.ok(
      elapsed <= required * 1.1,
      `slower than the limit requires +10%: ${elapsed.toFixed(0)} ms > ${required * 1.1} ms`,
    );
    const budget = client.limiter.budget(box.locationId);
    assert.equal(budget.windowMs, WINDOW_MS, 'window learned from headers');
    assert.ok(
      budget.dailyRemaining <= 200_000 - REQUESTS,
      `daily budget counts the burst: ${budget.dailyRemaining}`,
    );
    client.stop();
  });
});
