/**
 * The SinceDateUpdated rule against the sandbox, on both surfaces: a caller asks for changes
 * since an instant and never meets the service's 422; the date sent is the instant's UTC day
 * (inclusive); the earliest date the client computes is exactly the earliest the service takes;
 * and a 422 the service does send still becomes a clear error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { HttpError } from '../src/shared/errors.ts';
import type { TenantTurnerClient } from '../src/tenant-turner/client.ts';
import { sinceDateUpdated } from '../src/tenant-turner/since-date.ts';
import { SURFACES, all, records, ttClient, ttSandbox } from './support/tt-client-harness.ts';

const DAY_MS = 86_400_000;

for (const surface of SURFACES) {
  describe(`SinceDateUpdated against the ${surface} sandbox`, () => {
    let box: TtSandbox;
    let tt: TenantTurnerClient;

    before(async () => {
      box = await ttSandbox({ surface, leads: 40, showings: 20 });
      tt = ttClient(box);
    });
    after(async () => {
      tt.stop();
      await box.close();
    });

    it('lists everything for an undefined or ancient `since`, with no 422', async () => {
      const total = records(box, 'leads').length;
      assert.equal((await all(tt.leads.list())).length, total);
      assert.equal(
        (await all(tt.leads.list({ since: new Date('2015-01-01T00:00:00Z') }))).length,
        total,
      );
      assert.equal(
        (await all(tt.showings.list({ since: new Date(0) }))).length,
        records(box, 'showings').length,
      );
    });

    it('sends the UTC day of `since`: the rows are those updated that day or later', async () => {
      const since = new Date(Date.now() - 10 * DAY_MS + 13 * 3_600_000);
      const dayStart = Date.parse(since.toISOString().slice(0, 10));
      const expected = records(box, 'leads')
        .filter((row) => Date.parse(String(row['DateUpdated'])) >= dayStart)
        .map((row) => row['ApplicationId'])
        .sort();
      const listed = await all(tt.leads.list({ since }));
      assert.deepEqual(listed.map((lead) => lead.applicationId).sort(), expected);
      // The day is inclusive, so rows from earlier that day come too: the caller filters.
      const strictlyAfter = listed.filter((lead) => lead.dateUpdated >= since);
      assert.ok(strictlyAfter.length <= listed.length);
      assert.ok(expected.length > 0 && expected.length < records(box, 'leads').length);
    });

    it("computes exactly the service's earliest accepted date", async () => {
      const earliest = sinceDateUpdated(undefined, Date.now()).value;
      const accepted = await tt.http.request({
        method: 'GET',
        path: '/v1/applications',
        query: { SinceDateUpdated: earliest },
      });
      assert.equal(accepted.status, 200);
      const dayBefore = new Date(Date.parse(earliest) - DAY_MS).toISOString().slice(0, 10);
      await assert.rejects(
        tt.http.request({
          method: 'GET',
          path: '/v1/applications',
          query: { SinceDateUpdated: dayBefore },
        }),
        (error: unknown) => error instanceof HttpError && error.status === 422,
      );
    });

    it("maps the service's own 422 to a clear validation error with its messages", async () => {
      await assert.rejects(
        tt.http.request({
          method: 'GET',
          path: '/v1/showings',
          query: { SinceDateUpdated: '2001-01-01' },
        }),
        (error: unknown) => {
          assert.ok(error instanceof HttpError);
          assert.equal(error.code, 'validation_failed');
          assert.equal(error.details?.['parameter'], 'SinceDateUpdated');
          assert.deepEqual(error.details?.['messages'], [
            'SinceDateUpdated is required and must be less than 2 years ago.',
          ]);
          assert.match(error.message, /SinceDateUpdated/);
          return true;
        },
      );
      await assert.rejects(
        tt.http.request({ method: 'GET', path: '/v1/applications' }),
        (error: unknown) => error instanceof HttpError && error.code === 'validation_failed',
      );
    });
  });
}
