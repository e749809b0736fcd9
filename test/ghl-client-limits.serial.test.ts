/**
 * The client's budget against the sandbox's real limits, over real HTTP, with the sandbox in its
 * own process (as GHL is): a 1,000-request burst gets no 429 and takes no longer than the limit
 * requires, within 10%. A `.serial` test: `npm test` runs it alone after the others, because
 * a timing bound means little while other test files load the machine. The window is shortened to 1 s (100 per 1 s) so that the nine windows
 * the burst needs take nine seconds, not ninety; the limiter learns the window from the headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PrivateIntegrationAuth } from '../src/ghl/auth.ts';
import { GhlClient } from '../src/ghl/client.ts';
import { spawnGhlSandbox } from '../sandbox/ghl/spawn.ts';
import type { GhlSandboxProcess } from '../sandbox/ghl/spawn.ts';

const MAX = 100;
const WINDOW_MS = 1_000;
const REQUESTS = 1_000;

interface RateLimitedStats {
  rateLimited: { burst: number; daily: number };
}

async function rateLimited(box: GhlSandboxProcess): Promise<RateLimitedStats['rateLimited']> {
  const response = await fetch(`${box.url}/__sandbox/stats`);
  assert.equal(response.status, 200);
  return ((await response.json()) as RateLimitedStats).rateLimited;
}

describe('GHL rate limits', () => {
  let box: GhlSandboxProcess;
  before(async () => {
    box = await spawnGhlSandbox({ contacts: 5, rateLimit: { max: MAX, windowMs: WINDOW_MS } });
  });
  after(async () => box.stop());

  test(`a ${REQUESTS}-request burst gets zero 429s and takes what the limit requires (±10%)`, async () => {
    // The client starts from GHL's documented defaults (100 per 10 s) and must learn the
    // sandbox's shortened window from the X-RateLimit-* headers of the first response.
    const client = new GhlClient({
      auth: new PrivateIntegrationAuth({ token: box.token }),
      baseUrl: box.url,
    });
    const ghl = client.location(box.locationId);
    const [first] = await ghl.listUsers();
    assert.ok(first, 'the sandbox has a user');
    assert.equal(client.limiter.budget(box.locationId).windowMs, WINDOW_MS, 'window learned');
    // Let the warm-up call's window pass, then start the burst on an empty window.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 50));
    const before = await rateLimited(box);

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, () => ghl.getUser(first.id)),
    );
    const elapsed = performance.now() - started;

    const after = await rateLimited(box);
    assert.equal(results.length, REQUESTS);
    assert.ok(results.every((user) => user.id === first.id));
    assert.equal(after.burst - before.burst, 0, 'no burst 429');
    assert.equal(after.daily - before.daily, 0, 'no daily 429');
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
    assert.ok(
      budget.dailyRemaining <= 200_000 - REQUESTS - 1,
      `daily budget counts the burst: ${budget.dailyRemaining}`,
    );
    client.stop();
  });
});
