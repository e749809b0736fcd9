/**
 * GHL contact → Tenant Turner lead against both sandboxes over HTTP, on both databases:
 * created once with the mapped fields, unchanged contacts cost nothing, updates applied where
 * Tenant Turner allows them and recorded as not applied where it does not, and neither a retry
 * after a dropped response nor a crash between the write and the commit makes a second lead.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { syncContact } from '../src/sync/contact-sync.ts';
import type { Store } from '../src/store/database.ts';
import { listTimeline, listVersions } from '../src/store/records.ts';
import { findLinkByGhlId } from '../src/store/links.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';
import { describeEachDialect } from './support/stores.ts';

interface TtLeadDto {
  ApplicationId: number;
  FirstName: string;
  LastName: string;
  Email: string;
  Phone: string;
  ExternalId: string;
}

function ttLeads(boxes: Sandboxes): TtLeadDto[] {
  return boxes.ttBox.state()['leads'] as TtLeadDto[];
}

async function newContact(boxes: Sandboxes, suffix: string) {
  return boxes.ghl.location(boxes.ghlBox.locationId).createContact({
    firstName: 'Ana',
    lastName: `Lima ${suffix}`,
    email: `Ana.${suffix}@Example.com`,
    phone: `+1415555${String(1000 + Number(suffix)).slice(-4)}`,
  });
}

async function rows(store: Store, table: 'versions' | 'audit' | 'timeline'): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const surface of ['extended', 'real'] as const) {
  describeEachDialect(`contact → lead (${surface} surface)`, (stores) => {
    let boxes: Sandboxes;
    before(async () => {
      boxes = await startSandboxes({ surface });
    });
    after(() => boxes.close());

    test('a new contact becomes one lead with the mapped fields; a repeat writes nothing', async () => {
      const store = await stores.open(`create-${surface}`);
      const deps = syncDeps(store, boxes);
      const contact = await newContact(boxes, '1');
      const job = {
        locationId: boxes.ghlBox.locationId,
        contactId: contact.id,
        trigger: 'ContactCreate',
      };
      const outcome = await syncContact(deps, job);
      assert.equal(outcome.kind, 'created');
      const lead = ttLeads(boxes).find((l) => l.ExternalId === contact.id);
      assert.ok(lead, 'the lead carries the contact id as ExternalId');
      assert.equal(lead.FirstName, 'Ana');
      assert.equal(lead.LastName, 'Lima 1');
      assert.equal(lead.Email, 'ana.1@example.com');
      assert.equal(lead.Phone, '+14155551001');
      const link = await findLinkByGhlId(store.db, 'person', job.locationId, contact.id);
      assert.equal(link?.state, 'active');
      assert.equal(link.ttId, String(lead.ApplicationId));
      const timeline = await listTimeline(store.db, link.id);
      assert.deepEqual(
        timeline.map((t) => t.kind),
        ['lead_created'],
      );
      const counts = [await rows(store, 'versions'), await rows(store, 'audit')];

      const again = await syncContact(deps, { ...job, trigger: 'ContactUpdate' });
      assert.equal(again.kind, 'unchanged');
      assert.equal(ttLeads(boxes).filter((l) => l.ExternalId === contact.id).length, 1);
      assert.deepEqual([await rows(store, 'versions'), await rows(store, 'audit')], counts);
    });

    test('an update is applied where Tenant Turner allows it, recorded as not applied where not', async () => {
      const store = await stores.open(`update-${surface}`);
      const deps = syncDeps(store, boxes);
      const contact = await newContact(boxes, '2');
      const job = {
        locationId: boxes.ghlBox.locationId,
        contactId: contact.id,
        trigger: 'ContactCreate',
      };
      await syncContact(deps, job);
      await boxes.ghl.location(job.locationId).updateContact(contact.id, { lastName: 'Souza' });
      const outcome = await syncContact(deps, { ...job, trigger: 'ContactUpdate' });
      const lead = ttLeads(boxes).find((l) => l.ExternalId === contact.id);
      const link = await findLinkByGhlId(store.db, 'person', job.locationId, contact.id);
      assert.ok(link && lead);
      const versions = await listVersions(store.db, link.id);
      if (surface === 'extended') {
        assert.deepEqual(outcome, {
          kind: 'updated',
          applicationId: lead.ApplicationId,
          fields: ['lastName'],
        });
        assert.equal(lead.LastName, 'Souza');
        assert.equal(versions[0]?.outcome, 'applied');
      } else {
        assert.equal(outcome.kind, 'not_applied');
        assert.equal(lead.LastName, 'Lima 2', 'Tenant Turner was not changed');
        assert.equal(versions[0]?.outcome, 'not_applied');
        assert.match(versions[0]?.note ?? '', /Tenant Turner has no lead update/);
        const timeline = await listTimeline(store.db, link.id);
        assert.equal(timeline.at(-1)?.kind, 'lead_update_not_applied');
        // The same change again is not recorded twice.
        assert.equal(
          (await syncContact(deps, { ...job, trigger: 'ContactUpdate' })).kind,
          'unchanged',
        );
        assert.equal((await listVersions(store.db, link.id)).length, versions.length);
      }
    });

    test('a create whose response was dropped, retried, and a crash before the commit make no second lead', async () => {
      const store = await stores.open(`once-${surface}`);
      const deps = syncDeps(store, boxes);
      const contact = await newContact(boxes, '3');
      const job = {
        locationId: boxes.ghlBox.locationId,
        contactId: contact.id,
        trigger: 'ContactCreate',
      };
      const faults = async (body: unknown) =>
        fetch(`${boxes.ttBox.url}/__sandbox/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      await faults({ dropResponses: { 'POST /v1/applications': 1 } });
      await assert.rejects(syncContact(deps, job), 'the dropped response fails the first try');
      await faults({ dropResponses: { 'POST /v1/applications': 0 } });
      const retried = await syncContact(deps, job);
      assert.equal(retried.kind, 'linked_existing');
      assert.equal(ttLeads(boxes).filter((l) => l.ExternalId === contact.id).length, 1);

      // A second process that crashed after the create, before its commit: a fresh database
      // whose pending link never got the TT id.
      const crashed = await stores.open(`crashed-${surface}`);
      const other = await newContact(boxes, '4');
      await boxes.tt.leads.create({
        firstName: 'Ana',
        lastName: 'Lima 4',
        email: 'ana.4@example.com',
        phone: '+14155551004',
        source: 'HighLevel',
        externalId: other.id,
        externalSource: 'HighLevel',
      });
      const outcome = await syncContact(syncDeps(crashed, boxes), { ...job, contactId: other.id });
      assert.equal(outcome.kind, 'linked_existing');
      assert.equal(ttLeads(boxes).filter((l) => l.ExternalId === other.id).length, 1);
    });

    test('a deleted contact unlinks and keeps the lead', async () => {
      const store = await stores.open(`delete-${surface}`);
      const deps = syncDeps(store, boxes);
      const contact = await newContact(boxes, '5');
      const job = {
        locationId: boxes.ghlBox.locationId,
        contactId: contact.id,
        trigger: 'ContactCreate',
      };
      await syncContact(deps, job);
      await boxes.ghl.location(job.locationId).deleteContact(contact.id);
      assert.deepEqual(await syncContact(deps, { ...job, trigger: 'ContactDelete' }), {
        kind: 'unlinked',
      });
      const link = await findLinkByGhlId(store.db, 'person', job.locationId, contact.id);
      assert.equal(link?.state, 'unlinked');
      assert.equal(ttLeads(boxes).filter((l) => l.ExternalId === contact.id).length, 1);
    });
  });
}
