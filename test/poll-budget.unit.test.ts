/**
 * Poll pacing by a share of the GHL budget: with GHL's limits the daily one binds (about 2.3
 * requests a second, not 10), a cycle's calls stretch the pause beyond the minimum interval only
 * when they would take more than the share, and without a budget the interval is the pause.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pauseAfter, sustainedRate } from '../src/sync/poll-budget.ts';
import type { PollBudget } from '../src/sync/poll-budget.ts';

const GHL = { max: 100, windowMs: 10_000, dailyLimit: 200_000 };
const budget = (share: number, limits = GHL): PollBudget => ({
  source: { budget: () => limits },
  share,
});

test("GHL's daily limit, not its burst limit, sets the sustained rate", () => {
  assert.equal(sustainedRate(GHL), 200_000 / 86_400_000);
  assert.equal(sustainedRate({ ...GHL, dailyLimit: 10_000_000 }), 100 / 10_000);
});

test('a cheap cycle waits its minimum interval; an expensive one waits for its share', () => {
  const share = budget(0.05); // 10,000 calls a day: one call per 8.64 s
  assert.equal(pauseAfter({ calls: 1, elapsedMs: 200 }, 60_000, share, 'loc'), 60_000);
  // 60 task-search pages (6,000 tasks): 518.4 s of share, minus the 2 s the cycle took.
  assert.equal(pauseAfter({ calls: 60, elapsedMs: 2_000 }, 60_000, share, 'loc'), 516_400);
  // The same cycle within a whole budget (share 1) waits only its minimum.
  assert.equal(pauseAfter({ calls: 60, elapsedMs: 2_000 }, 60_000, budget(1), 'loc'), 60_000);
});

test('without a budget, or with no calls, the pause is the interval', () => {
  assert.equal(pauseAfter({ calls: 500, elapsedMs: 0 }, 30_000, undefined, 'loc'), 30_000);
  assert.equal(pauseAfter({ calls: 0, elapsedMs: 0 }, 30_000, budget(0.01), 'loc'), 30_000);
});
