/**
 * Cursor pagination over 5,000 leads on both surfaces: every lead once, in the service's order
 * (DateUpdated, then ApplicationId), later pages sending only `NextPage` (the sandbox refuses
 * anything else with a 422), `PageSize` honoured only where it exists (extended surface), and a
 * list resumed from a saved cursor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import type { TenantTurnerClient } from '../src/tenant-turner/client.ts';
import type { Lead } from '../src/tenant-turner/resources.ts';
import { SURFACES, all, requestCount, ttClient, ttSandbox } from './support/tt-client-harness.ts';

const LEADS = 5_000;

function assertServiceOrder(leads: readonly Lead[]): void {
  for (let i = 1; i < leads.length; i++) {
    const a = leads[i - 1];
    const b = leads[i];
    assert.ok(a && b);
    const ordered =
      a.dateUpdated.getTime() < b.dateUpdated.getTime() ||
      (a.dateUpdated.getTime() === b.dateUpdated.getTime() && a.applicationId < b.applicationId);
    assert.ok(ordered, `rows ${i - 1} and ${i} out of order`);
  }
}

for (const surface of SURFACES) {
  describe(`Tenant Turner lead pagination, ${surface} surface`, () => {
    let box: TtSandbox;
    let tt: TenantTurnerClient;

    before(async () => {
      box = await ttSandbox({ surface, leads: LEADS, showings: 0 });
      tt = ttClient(box);
    });
    after(async () => {
      tt.stop();
      await box.close();
    });

    it(`reads all ${LEADS} leads once, in order, page by page`, async () => {
      const pages = await all(tt.leads.pages({ pageSize: 100 }));
      const leads = pages.flatMap((page) => page.items);
      assert.equal(leads.length, LEADS);
      assert.equal(new Set(leads.map((lead) => lead.applicationId)).size, LEADS);
      assertServiceOrder(leads);
      assert.ok(pages.every((page) => page.totalCount === LEADS));
      assert.equal(pages.at(-1)?.nextPage, undefined);
      // PageSize is modeled: the real service pages by 10 whatever is asked.
      const expectedPages = surface === 'real' ? LEADS / 10 : LEADS / 100;
      assert.equal(pages.length, expectedPages);
      assert.equal(requestCount(box, 'GET /v1/applications'), expectedPages);
      const statuses = box.stats()['statuses'] as Record<string, number>;
      assert.equal(statuses['422'], undefined, 'the service never had to refuse a request');
    });

    it('resumes from a saved cursor without repeating or skipping a lead', async () => {
      const seen: number[] = [];
      let cursor: string | undefined;
      for await (const page of tt.leads.pages({ pageSize: 100 })) {
        seen.push(...page.items.map((lead) => lead.applicationId));
        cursor = page.nextPage;
        if (seen.length >= 30) break;
      }
      assert.ok(cursor);
      for await (const lead of tt.leads.list({ cursor })) seen.push(lead.applicationId);
      assert.equal(seen.length, LEADS);
      assert.equal(new Set(seen).size, LEADS);
    });
  });
}
