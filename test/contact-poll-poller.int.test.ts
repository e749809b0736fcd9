/**
 * The scheduled contact poll on a manual clock, against both sandboxes, on both databases: it
 * polls at once, again after each interval, picks up a contact created in between, and stops
 * promptly.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import type { PollResult } from '../src/sync/contact-poll.ts';
import { startContactPoller } from '../src/sync/contact-poller.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

describeEachDialect('contact poller', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({}, 0);
  });
  after(() => boxes.close());

  test('polls now and after each interval, and stops', async () => {
    const store = await stores.open('poller');
    const clock = new ManualClock(Date.now());
    const deps = { ...syncDeps(store, boxes), clock };
    const locationId = boxes.ghlBox.locationId;
    const results: PollResult[] = [];
    let notify = (): void => {};
    const polled = (count: number) =>
      new Promise<void>((resolve) => {
        notify = () => {
          if (results.length >= count) resolve();
        };
        notify();
      });
    const poller = startContactPoller(deps, {
      locationId,
      intervalMs: 30_000,
      clock,
      logger: silentLogger,
      lookbackMs: 60_000,
      onPoll: (result) => {
        results.push(result);
        notify();
      },
    });
    await polled(1);
    assert.equal(results[0]?.seen, 0);
    assert.equal(clock.pending, 1, 'waiting for the next interval');

    const contact = await boxes.ghl.location(locationId).createContact({
      firstName: 'Timed',
      lastName: 'Poll',
      email: 'timed.poll@example.com',
      phone: '+14155557001',
    });
    await clock.advance(30_000);
    await polled(2);
    assert.equal(results[1]?.outcomes.created, 1, JSON.stringify(results[1]));
    const leads = (boxes.ttBox.state()['leads'] as { ExternalId: string }[]).filter(
      (l) => l.ExternalId === contact.id,
    );
    assert.equal(leads.length, 1);

    await poller.stop();
    assert.equal(clock.pending, 0);
    await clock.advance(60_000);
    assert.equal(results.length, 2, 'no poll after stop');
  });
});
