/**
 * `ttsync reconcile` against both sandboxes in-process, on both databases: zero drift after a
 * backfill; a contact added without a webhook, a lead changed in Tenant Turner and a contact
 * deleted in GHL are each reported; `--heal` fixes them and a second scan finds nothing; and
 * the mass-delete guard refuses when half the contacts vanish at once, unlinking nothing; an
 * empty search is never taken as a delete; a link whose lead is gone is extra; and on real
 * Tenant Turner a changed lead is recorded as not applied and stays reported.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { backfillContacts } from '../src/sync/backfill.ts';
import { scanDrift } from '../src/sync/reconcile.ts';
import { healDrift } from '../src/sync/reconcile-heal.ts';
import { listLinks, updateLink } from '../src/store/links.ts';
import { listVersions } from '../src/store/records.ts';
import { formatDriftReport } from '../src/cli/reconcile.ts';
import type { ContactSyncDeps } from '../src/sync/contact-sync.ts';
import type { GhlClient } from '../src/ghl/client.ts';
import type { Lane } from '../src/ghl/rate-limiter.ts';
import { operator } from './support/operator.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

async function activeLinks(deps: ContactSyncDeps): Promise<number> {
  return (await listLinks(deps.db, 'person', { state: 'active' })).length;
}

describeEachDialect('reconcile contacts ↔ leads', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'extended' }, 20);
  });
  after(() => boxes.close());

  test('drift is reported, healed, and gone on the next run', async () => {
    const store = await stores.open('reconcile-heal');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    const clean = await scanDrift(deps, { locationId });
    assert.deepEqual(clean.counts, { missing: 0, extra: 0, different: 0 });
    assert.ok(clean.activeLinks > 10, `linked after the backfill: ${clean.activeLinks}`);

    const ghl = boxes.ghl.location(locationId);
    // A contact added in GHL while no webhook reached ttsync.
    const added = await ghl.createContact({
      firstName: 'Rita',
      lastName: 'Reconcile',
      email: 'rita.reconcile@example.com',
      phone: '+14155550177',
    });
    // A lead changed in Tenant Turner.
    const [changed] = clean.activeLinks > 0 ? await listLinks(deps.db, 'person') : [];
    assert.ok(changed?.ttId);
    await operator(boxes.ttBox, 'POST', `/__sandbox/applications/${changed.ttId}/contact`, {
      FirstName: 'Changed',
    });
    // A contact deleted in GHL without a webhook.
    const links = await listLinks(deps.db, 'person', { state: 'active' });
    const deleted = links.find((l) => l.id !== changed.id);
    assert.ok(deleted?.ghlId);
    await ghl.deleteContact(deleted.ghlId);

    const drift = await scanDrift(deps, { locationId });
    assert.deepEqual(drift.counts, { missing: 1, extra: 1, different: 1 });
    const byKind = Object.fromEntries(drift.items.map((i) => [i.kind, i]));
    assert.equal(byKind['missing']?.contactId, added.id);
    assert.equal(byKind['extra']?.contactId, deleted.ghlId);
    const different = byKind['different'];
    assert.ok(different?.kind === 'different');
    assert.equal(different.link.id, changed.id);
    assert.deepEqual(
      different.fields.map((f) => [f.field, f.actual]),
      [['firstName', 'Changed']],
    );

    const printed = formatDriftReport(drift, 10).join('\n');
    assert.match(printed, /drift: 1 missing, 1 extra, 1 different/);
    assert.match(printed, /firstName "Changed" → /);
    const before = await activeLinks(deps);
    // One unlink among the sandbox's ~20 people is above the default 5%: allow 10% here.
    assert.equal((await healDrift(deps, drift)).guard.tripped, true);
    const healed = await healDrift(deps, drift, { maxUnlinkShare: 0.1 });
    assert.equal(healed.healed, true);
    assert.deepEqual(healed.failures, []);
    assert.deepEqual(healed.outcomes, { created: 1, unlinked: 1, updated: 1 });
    assert.equal(await activeLinks(deps), before);
    const audit = await store.db
      .selectFrom('audit')
      .selectAll()
      .where('action', '=', 'link.unlink')
      .execute();
    assert.equal(audit.length, 1);

    const again = await scanDrift(deps, { locationId });
    assert.deepEqual(again.counts, { missing: 0, extra: 0, different: 0 });
  });

  test('an empty search is not taken as a delete: every contact GHL still has is unconfirmed', async () => {
    const store = await stores.open('reconcile-empty-search');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    const real = boxes.ghl;
    const blind = Object.create(real, {
      location: {
        value: (id: string, lane?: Lane) => ({
          ...real.location(id, lane),
          // eslint-disable-next-line require-yield
          async *searchContactPages() {
            return;
          },
        }),
      },
    }) as GhlClient;
    const drift = await scanDrift({ ...deps, ghl: blind }, { locationId });
    assert.equal(drift.contacts, 0);
    assert.deepEqual(drift.counts, { missing: 0, extra: 0, different: 0 });
    assert.equal(drift.unconfirmed, drift.activeLinks);
    assert.ok(drift.activeLinks > 0);
  });

  test('the guard refuses when half the contacts vanish at once, and unlinks nothing', async () => {
    const store = await stores.open('reconcile-guard');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    const links = await listLinks(deps.db, 'person', { state: 'active' });
    const ghl = boxes.ghl.location(locationId);
    const half = links.slice(0, Math.ceil(links.length / 2));
    for (const link of half) await ghl.deleteContact(link.ghlId ?? '');
    const drift = await scanDrift(deps, { locationId });
    assert.equal(drift.counts.extra, half.length);
    const result = await healDrift(deps, drift);
    assert.equal(result.healed, false);
    assert.equal(result.guard.tripped, true);
    assert.match(result.guard.reason ?? '', /refusing to heal/);
    assert.equal(await activeLinks(deps), links.length, 'nothing unlinked');
    const loose = await healDrift(deps, drift, { maxUnlinkShare: 0.6 });
    assert.equal(loose.healed, true);
    assert.equal(await activeLinks(deps), links.length - half.length);
  });
});

describeEachDialect('reconcile on real Tenant Turner (no lead update)', (stores) => {
  let boxes: Sandboxes;
  before(async () => {
    boxes = await startSandboxes({ surface: 'real' }, 10);
  });
  after(() => boxes.close());

  test('a changed lead is recorded as not applied and stays reported', async () => {
    const store = await stores.open('reconcile-real');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    const [link] = await listLinks(deps.db, 'person', { state: 'active' });
    assert.ok(link?.ttId);
    await operator(boxes.ttBox, 'POST', `/__sandbox/applications/${link.ttId}/contact`, {
      LastName: 'Elsewhere',
    });
    const drift = await scanDrift(deps, { locationId });
    assert.deepEqual(drift.counts, { missing: 0, extra: 0, different: 1 });
    const healed = await healDrift(deps, drift);
    assert.deepEqual(healed.outcomes, { not_applied: 1 });
    const versions = await listVersions(store.db, link.id);
    assert.equal(versions[0]?.outcome, 'not_applied', 'newest first');
    assert.equal(versions[0].source, 'ghl:reconcile');
    const again = await scanDrift(deps, { locationId });
    assert.equal(again.counts.different, 1, 'Tenant Turner cannot be changed back');
    const repeat = await healDrift(deps, again);
    assert.deepEqual(repeat.outcomes, { not_applied: 1 });
    assert.equal((await listVersions(store.db, link.id)).length, versions.length, 'recorded once');
  });
  test('a link whose lead is gone (GET → 404) is extra, and healing unlinks it', async () => {
    const store = await stores.open('reconcile-lead-gone');
    const deps = syncDeps(store, boxes);
    const locationId = boxes.ghlBox.locationId;
    await backfillContacts(deps, { locationId });
    const [link] = await listLinks(deps.db, 'person', { state: 'active' });
    assert.ok(link);
    await updateLink(deps.db, link.id, { ttId: '987654321' }, Date.now());
    const drift = await scanDrift(deps, { locationId });
    // (The lead changed by the test above stays different: real Tenant Turner has no update.)
    assert.deepEqual([drift.counts.missing, drift.counts.extra], [0, 1]);
    const item = drift.items.find((i) => i.kind === 'extra');
    assert.ok(item?.kind === 'extra');
    assert.equal(item.gone, 'lead');
    assert.equal(item.contactId, link.ghlId);
    const healed = await healDrift(deps, drift, { maxUnlinkShare: 0.2 });
    assert.equal(healed.outcomes.unlinked, 1);
    const next = await scanDrift(deps, { locationId });
    assert.deepEqual([next.counts.missing, next.counts.extra], [1, 0], 'then synced anew');
  });
});
