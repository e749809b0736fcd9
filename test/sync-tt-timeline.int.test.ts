/**
 * The Tenant Turner side of the timeline against the Tenant Turner sandbox over HTTP, on both
 * databases: the poll of leads and showings records each change of a linked person once, with
 * Tenant Turner's own timestamp; its cursor and tie-break set make a second cycle do nothing
 * (also for two leads stamped the same second across a page boundary); a change seen by both the
 * webhook (route → inbox → dispatcher → job) and the poll makes one entry, whichever comes first;
 * a lead announced before ttsync has committed its link is recorded once the link commits.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { GhlWebhookVerifier } from '../src/ghl/webhook-verify.ts';
import { buildServer } from '../src/server/app.ts';
import { systemClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { getCursor } from '../src/store/cursors.ts';
import type { Store } from '../src/store/database.ts';
import { inboxEntries } from '../src/store/inbox.ts';
import { ensurePendingLinks, findLinkByGhlId, updateLink } from '../src/store/links.ts';
import { syncContact } from '../src/sync/contact-sync.ts';
import type { ContactSyncDeps } from '../src/sync/contact-sync.ts';
import type { CreateJobQueueOptions } from '../src/queue/index.ts';
import { InboxDispatcher } from '../src/sync/dispatcher.ts';
import { personTimeline } from '../src/sync/timeline-view.ts';
import { registerTtTimelineHandler } from '../src/sync/tt-event-job.ts';
import { pollTenantTurner, TT_POLL_STREAMS } from '../src/sync/tt-poll.ts';
import { startTtPoller, ttCycle } from '../src/sync/tt-poller.ts';
import type { TtCycleResult } from '../src/sync/tt-poller.ts';
import { releaseLock, tryAcquireLock } from '../src/store/locks.ts';
import { TtWebhookVerifier } from '../src/tenant-turner/webhook-verify.ts';
import { operator } from './support/operator.ts';
import { eventually } from './support/processes.ts';
import { QueueHarness } from './support/queue-harness.ts';
import { describeEachDialect } from './support/stores.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';

interface TtLeadDto {
  ApplicationId: number;
  DateUpdated: string;
  QualificationStatus: string;
}

/** A GHL contact synced to a new lead; its contact id and `ApplicationId`. */
async function linkedLead(
  boxes: Sandboxes,
  deps: ContactSyncDeps,
  tag: string,
): Promise<{ contactId: string; applicationId: number }> {
  const locationId = boxes.ghlBox.locationId;
  const n = Math.floor(Math.random() * 9000) + 1000;
  const contact = await boxes.ghl.location(locationId).createContact({
    firstName: 'Tia',
    lastName: `Turner ${tag}`,
    email: `tia.${tag}.${n}@example.com`,
    phone: `+1415${String(Math.floor(Math.random() * 9_000_000) + 1_000_000)}`,
  });
  await syncContact(deps, { locationId, contactId: contact.id, trigger: 'ContactCreate' });
  const person = await findLinkByGhlId(deps.db, 'person', locationId, contact.id);
  assert.equal(person?.state, 'active');
  return { contactId: contact.id, applicationId: Number(person.ttId) };
}

function leadDto(boxes: Sandboxes, applicationId: number): TtLeadDto {
  const leads = boxes.ttBox.state()['leads'] as TtLeadDto[];
  const lead = leads.find((l) => l.ApplicationId === applicationId);
  assert.ok(lead, `lead ${applicationId} is in the sandbox`);
  return lead;
}

function activeRental(boxes: Sandboxes): number {
  const properties = boxes.ttBox.state()['properties'] as {
    PropertyId: number;
    IsActive: boolean;
  }[];
  const rental = properties.find((p) => p.IsActive);
  assert.ok(rental, 'the sandbox has an active rental');
  return rental.PropertyId;
}

async function ttRows(store: Store, contactId: string) {
  const found = await personTimeline(store.db, contactId);
  assert.ok(found);
  return found.rows.filter((r) => r.source === 'tt');
}

describeEachDialect('Tenant Turner poll → timeline', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' });
  });
  after(() => boxes.close());

  test('records each change of a linked person once; a second cycle does nothing', async () => {
    const store = await stores.open('tt-poll');
    const deps = syncDeps(store, boxes);
    const { contactId, applicationId } = await linkedLead(boxes, deps, `poll-${stores.dialect}`);
    await operator(boxes.ttBox, 'POST', `/__sandbox/applications/${applicationId}/qualify`);
    const showing = await operator<{ ShowingId: number }>(
      boxes.ttBox,
      'POST',
      `/__sandbox/applications/${applicationId}/showings`,
      { PropertyId: activeRental(boxes) },
    );
    // A lead nobody in GHL is linked to: listed, but no one's timeline.
    await operator(boxes.ttBox, 'POST', '/__sandbox/applications', {
      FirstName: 'Walk',
      LastName: 'In',
      Email: `walk.in.${stores.dialect}.${Date.now()}@example.com`,
      Phone: `+1212${String(Math.floor(Math.random() * 9_000_000) + 1_000_000)}`,
    });

    const first = await pollTenantTurner(deps, { pageSize: 1 });
    assert.equal(first.leads.recorded, 1, 'the linked lead, in its current state');
    assert.equal(first.showings.recorded, 1);
    assert.ok(first.leads.unlinked >= 1, 'the walk-in lead is left alone');
    assert.ok(first.leads.pages > 1, 'the list was read page by page');
    const rows = await ttRows(store, contactId);
    assert.deepEqual(rows.map((r) => r.kind).sort(), ['tt_lead', 'tt_showing']);
    const lead = rows.find((r) => r.kind === 'tt_lead');
    assert.equal(lead?.when, leadDto(boxes, applicationId).DateUpdated, "Tenant Turner's stamp");
    assert.equal(lead.original, true);
    assert.match(lead.summary, /Qualified, Active/);
    assert.match(rows.find((r) => r.kind === 'tt_showing')?.summary ?? '', /requested for/);

    const cursor = await getCursor(store.db, TT_POLL_STREAMS.leads);
    assert.ok(cursor);
    const second = await pollTenantTurner(deps, { pageSize: 1 });
    for (const stream of [second.leads, second.showings]) {
      assert.equal(stream.recorded, 0);
      assert.equal(
        stream.unchanged + stream.unlinked,
        0,
        'nothing before the cursor is read again',
      );
      assert.ok(stream.alreadySeen >= 1, 'the rows at the cursor are in its tie-break set');
    }
    assert.deepEqual(
      await getCursor(store.db, TT_POLL_STREAMS.leads),
      cursor,
      'an empty cycle writes no cursor',
    );

    await operator(boxes.ttBox, 'POST', `/__sandbox/showings/${showing.ShowingId}/schedule`, {});
    const third = await pollTenantTurner(deps, { pageSize: 1 });
    assert.equal(third.showings.recorded, 1);
    assert.equal(third.leads.recorded, 0, 'the lead was only touched, its state is the same');
    const after3 = await ttRows(store, contactId);
    assert.equal(after3.length, 3);
    assert.match(after3.at(-1)?.summary ?? '', /Viewing scheduled for/);
  });

  test('two leads stamped the same second across a page boundary are each recorded once', async () => {
    const store = await stores.open('tt-poll-tie');
    const deps = syncDeps(store, boxes);
    let pair: number[] = [];
    // DateUpdated has whole seconds: act on two leads at once until both land in one second.
    for (let attempt = 0; attempt < 10; attempt++) {
      const a = await linkedLead(boxes, deps, `tie-a-${stores.dialect}-${attempt}`);
      const b = await linkedLead(boxes, deps, `tie-b-${stores.dialect}-${attempt}`);
      await Promise.all(
        [a, b].map((l) =>
          operator(boxes.ttBox, 'POST', `/__sandbox/applications/${l.applicationId}/qualify`),
        ),
      );
      const stamps = [a, b].map((l) => leadDto(boxes, l.applicationId).DateUpdated);
      if (stamps[0] === stamps[1]) {
        pair = [a.applicationId, b.applicationId];
        break;
      }
    }
    assert.equal(pair.length, 2, 'two leads were stamped the same second');
    const first = await pollTenantTurner(deps, { pageSize: 1 });
    assert.ok(first.leads.recorded >= 2);
    const cursor = await getCursor(store.db, TT_POLL_STREAMS.leads);
    assert.equal(cursor?.value, String(Date.parse(leadDto(boxes, pair[0] ?? 0).DateUpdated)));
    assert.deepEqual(
      pair.filter((id) => cursor.tieBreak.some((ref) => ref.startsWith(`lead:${id}@`))),
      pair,
      'both leads are in the tie-break set',
    );
    const second = await pollTenantTurner(deps, { pageSize: 1 });
    assert.equal(second.leads.recorded, 0);
    assert.equal(second.leads.unchanged, 0);
    assert.ok(second.leads.alreadySeen >= 2);
  });
});

describeEachDialect('Tenant Turner poller', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' });
  });
  after(() => boxes.close());

  test('cycles on schedule, the second finding nothing new; a cycle elsewhere holds it off', async () => {
    const store = await stores.open('tt-poller');
    const deps = syncDeps(store, boxes);
    const { applicationId } = await linkedLead(boxes, deps, `poller-${stores.dialect}`);
    await operator(boxes.ttBox, 'POST', `/__sandbox/applications/${applicationId}/qualify`);

    const cycles: TtCycleResult[] = [];
    let twice: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (twice = resolve));
    const poller = startTtPoller(deps, {
      intervalMs: 20,
      clock: systemClock,
      logger: silentLogger,
      onCycle: (result) => {
        cycles.push(result);
        if (cycles.length === 2) twice();
      },
    });
    await done;
    await poller.stop();
    assert.equal(cycles[0]?.poll.leads.recorded, 1);
    assert.equal(cycles[1]?.poll.leads.recorded, 0);
    assert.equal(cycles[1]?.poll.leads.unchanged, 0);

    // Another process's cycle holds the lock: this one does not run at all.
    assert.ok(await tryAcquireLock(store.db, 'tt-poll', 'elsewhere', 60_000, Date.now()));
    await assert.rejects(ttCycle(deps), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'lock_timeout');
      return true;
    });
    await releaseLock(store.db, 'tt-poll', 'elsewhere');
    assert.equal((await ttCycle(deps)).poll.leads.recorded, 0);
  });
});

describeEachDialect('Tenant Turner webhook and poll → one timeline', (stores) => {
  let boxes: Sandboxes;
  const harness = new QueueHarness();
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' });
  });
  after(async () => {
    await harness.stopAll();
    await boxes.close();
  });

  /**
   * A started queue with the tt-timeline handler, an inbox dispatcher, and ttsync's server
   * subscribed to the Tenant Turner sandbox's webhooks; `close` unsubscribes and stops the server.
   */
  async function webhooks(
    store: Store,
    deps: ContactSyncDeps,
    options: Partial<CreateJobQueueOptions> = {},
  ) {
    const queue = harness.open(store, options);
    registerTtTimelineHandler(queue, deps);
    await queue.start();
    const dispatcher = new InboxDispatcher({
      db: store.db,
      queue,
      clock: systemClock,
      logger: silentLogger,
    });
    const server = buildServer({
      store,
      ghlVerifier: new GhlWebhookVerifier(),
      ttVerifier: new TtWebhookVerifier({ signingKeys: [boxes.ttBox.webhookSigningKey] }),
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as AddressInfo;
    const subscription = boxes.ttBox.subscribeWebhook(`http://127.0.0.1:${port}/webhooks/tt`);
    const close = async () => {
      await operator(boxes.ttBox, 'DELETE', `/__sandbox/webhooks/subscriptions/${subscription}`);
      await server.close();
    };
    return { dispatcher, close };
  }

  test('a change seen by the webhook and the poll makes one entry, whichever comes first', async () => {
    const store = await stores.open('tt-webhook-poll');
    const deps = syncDeps(store, boxes);
    const { dispatcher, close } = await webhooks(store, deps);
    try {
      const { contactId, applicationId } = await linkedLead(boxes, deps, `wh-${stores.dialect}`);
      let jobs = 0;
      /** Waits for the sandbox's delivery of `eventType`, then dispatches and runs its job. */
      const deliver = async (eventType: string): Promise<void> => {
        await eventually(async () => {
          const entries = await inboxEntries(store.db, 'received', 100);
          return entries.some(
            (e) =>
              e.eventType === eventType && e.payload.includes(`"ApplicationId":${applicationId}`),
          )
            ? true
            : undefined;
        }, `the ${eventType} webhook in the inbox`);
        jobs += await dispatcher.dispatchOnce();
        await harness.outcomes.wait(
          (o) => o.name === 'tt-timeline' && o.outcome === 'completed',
          `tt-timeline job ${jobs}`,
          jobs,
        );
      };

      // Webhook first: Lead Created and Lead Qualified, then the poll finds nothing new.
      await deliver('Lead Created');
      await operator(boxes.ttBox, 'POST', `/__sandbox/applications/${applicationId}/qualify`);
      await deliver('Lead Qualified');
      assert.deepEqual(
        (await ttRows(store, contactId)).map((r) => r.summary.replace(/ in Tenant Turner.*/, '')),
        ['Lead created', 'Lead qualified'],
      );
      const polled = await pollTenantTurner(deps);
      assert.equal(polled.leads.recorded, 0, 'the poll found the webhook entry');
      assert.ok(polled.leads.unchanged >= 1);

      // Poll first: the decline is polled, then its webhook adds nothing.
      await operator(boxes.ttBox, 'POST', `/__sandbox/applications/${applicationId}/decline`);
      const second = await pollTenantTurner(deps);
      assert.equal(second.leads.recorded, 1);
      await deliver('Lead Declined');
      const rows = await ttRows(store, contactId);
      assert.equal(rows.length, 3, 'one entry per change');
      assert.match(rows[2]?.summary ?? '', /^Lead declined in Tenant Turner/);
      const refs = await store.db
        .selectFrom('timeline')
        .select('ref_id')
        .where('source', '=', 'tt')
        .execute();
      assert.equal(new Set(refs.map((r) => r.ref_id)).size, refs.length);
    } finally {
      await close();
    }
  });

  test('a lead announced before its link commits is recorded once the link is active', async () => {
    const store = await stores.open('tt-webhook-pending');
    const deps = syncDeps(store, boxes);
    // Slow and many retries, so the job is still waiting when the link commits.
    const { dispatcher, close } = await webhooks(store, deps, {
      backoff: { baseMs: 300, maxMs: 600 },
      maxAttempts: 20,
    });
    try {
      // What a contact sync does: the pending link first, then the lead (announced at once).
      const contactId = `pendingContact${stores.dialect}`;
      const locationId = boxes.ghlBox.locationId;
      await ensurePendingLinks(store.db, 'person', [{ locationId, ghlId: contactId }], Date.now());
      const lead = await operator<{ ApplicationId: number }>(
        boxes.ttBox,
        'POST',
        '/__sandbox/applications',
        {
          FirstName: 'Pen',
          LastName: 'Ding',
          Email: `pen.ding.${stores.dialect}@example.com`,
          Phone: stores.dialect === 'sqlite' ? '+14155550191' : '+14155550192',
          ExternalId: contactId,
        },
      );
      await eventually(
        async () => ((await inboxEntries(store.db, 'received', 10)).length > 0 ? true : undefined),
        'the Lead Created webhook in the inbox',
      );
      assert.equal(await dispatcher.dispatchOnce(), 1);
      const isTt = (outcome: string) => (o: { name: string; outcome: string }) =>
        o.name === 'tt-timeline' && o.outcome === outcome;
      // The log holds the outcomes of this suite's earlier tests too.
      const completedBefore = harness.outcomes.all.filter(isTt('completed')).length;
      await harness.outcomes.wait(
        isTt('retry'),
        'the job to wait for the link',
        harness.outcomes.all.filter(isTt('retry')).length + 1,
      );
      const link = await findLinkByGhlId(store.db, 'person', locationId, contactId);
      assert.ok(link);
      await updateLink(
        store.db,
        link.id,
        { state: 'active', ttId: String(lead.ApplicationId) },
        Date.now(),
      );
      await harness.outcomes.wait(isTt('completed'), 'the retried job', completedBefore + 1);
      const rows = await ttRows(store, contactId);
      assert.deepEqual(
        rows.map((r) => r.summary.replace(/ in Tenant Turner.*/, '')),
        ['Lead created'],
      );
    } finally {
      await close();
    }
  });
});
