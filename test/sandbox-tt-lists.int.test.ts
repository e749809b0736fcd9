/**
 * Tenant Turner sandbox lists and leads over HTTP: the `{ TotalCount, NextPage, Data }` envelope
 * and its cursor (sent alone), the modeled PageSize, the SinceDateUpdated rule with its exact
 * 422, refusal of duplicate contact information, and leads with their showings nested.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTtSandbox, type TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { call, daysAgo, expectStatus, type Json } from './support/tt-harness.ts';

const SINCE_422 = {
  StatusCode: 422,
  ErrorMessages: ['SinceDateUpdated is required and must be less than 2 years ago.'],
};

/** Enough seeded leads and showings for three pages of each. */
const SEEDED = { seed: 11, rentals: 3, leads: 27, showings: 21 };
let sandbox: TtSandbox;

before(async () => {
  sandbox = await startTtSandbox(SEEDED);
});
after(() => sandbox.close());

void describe('lists', () => {
  const since = daysAgo(60);

  void test('pages of 10 with an opaque cursor sent alone, ordered by DateUpdated then id', async () => {
    const first = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications?SinceDateUpdated=${since}`,
    );
    const total = first['TotalCount'] as number;
    assert.ok(total >= SEEDED.leads);
    const rows = [...(first['Data'] as Json[])];
    assert.equal(rows.length, 10);
    let next = first['NextPage'];
    let pages = 1;
    while (typeof next === 'string') {
      const page = await expectStatus(
        sandbox,
        200,
        'GET',
        `/v1/applications?NextPage=${encodeURIComponent(next)}`,
      );
      assert.equal(page['TotalCount'], total);
      rows.push(...(page['Data'] as Json[]));
      next = page['NextPage'];
      pages++;
    }
    assert.equal(next, null);
    assert.equal(pages, Math.ceil(total / 10));
    assert.equal(new Set(rows.map((r) => r['ApplicationId'])).size, total);
    const keys = rows.map(
      (r) => [Date.parse(String(r['DateUpdated'])), r['ApplicationId'] as number] as const,
    );
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1], keys[i]] as [
        readonly [number, number],
        readonly [number, number],
      ];
      assert.ok(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]), `row ${i} out of order`);
    }
  });

  void test('the cursor refuses company: extra parameters, garbage, another list', async () => {
    const first = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications?SinceDateUpdated=${since}`,
    );
    const cursor = encodeURIComponent(String(first['NextPage']));
    const extra = await call(
      sandbox,
      'GET',
      `/v1/applications?NextPage=${cursor}&SinceDateUpdated=${since}`,
    );
    assert.equal(extra.status, 422);
    const garbage = await call(sandbox, 'GET', '/v1/applications?NextPage=not-a-cursor');
    assert.equal(garbage.status, 400);
    const other = await call(sandbox, 'GET', `/v1/showings?NextPage=${cursor}`);
    assert.equal(other.status, 422);
  });

  void test('PageSize (modeled) is honoured up to 100 on the first request', async () => {
    const all = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications?SinceDateUpdated=${since}&PageSize=100`,
    );
    assert.equal((all['Data'] as Json[]).length, all['TotalCount']);
    assert.equal(all['NextPage'], null);
    const three = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/showings?sincedateupdated=${since}&pagesize=3`,
    );
    assert.equal((three['Data'] as Json[]).length, 3);
    const page2 = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/showings?NextPage=${encodeURIComponent(String(three['NextPage']))}`,
    );
    assert.equal((page2['Data'] as Json[]).length, 3, 'the cursor keeps the page size');
    assert.equal(
      (await call(sandbox, 'GET', `/v1/showings?SinceDateUpdated=${since}&PageSize=101`)).status,
      422,
    );
  });

  void test('SinceDateUpdated: required, a real date, under two years old, and it filters', async () => {
    const twoYears = new Date();
    twoYears.setUTCFullYear(twoYears.getUTCFullYear() - 2);
    const exactlyTwo = twoYears.toISOString().slice(0, 10);
    const dayAfter = new Date(twoYears.getTime() + 86_400_000).toISOString().slice(0, 10);
    for (const path of ['/v1/applications', '/v1/showings']) {
      for (const query of [
        '',
        `?SinceDateUpdated=${exactlyTwo}`,
        '?SinceDateUpdated=2026-02-30',
        '?SinceDateUpdated=yesterday',
      ]) {
        const reply = await call(sandbox, 'GET', `${path}${query}`);
        assert.equal(reply.status, 422, `${path}${query}`);
        assert.deepEqual(reply.body, SINCE_422);
      }
      assert.equal(
        (await call(sandbox, 'GET', `${path}?SinceDateUpdated=${dayAfter}`)).status,
        200,
      );
    }
    const created = await expectStatus(sandbox, 201, 'POST', '/v1/applications', {
      body: {
        FirstName: 'Fresh',
        LastName: 'Lead',
        Email: 'fresh.lead@example.com',
        Phone: '(804) 555-0100',
      },
    });
    const today = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications?SinceDateUpdated=${daysAgo(0)}&PageSize=100`,
    );
    const ids = (today['Data'] as Json[]).map((r) => r['ApplicationId']);
    assert.ok(ids.includes(created['ApplicationId']));
    const everything = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/applications?SinceDateUpdated=${since}`,
    );
    assert.ok(
      (today['TotalCount'] as number) < (everything['TotalCount'] as number),
      'older leads are filtered out',
    );
  });
});

void describe('leads and showings', () => {
  void test('a second lead with the same email (any case) or phone (any format) is a 409 naming the first', async () => {
    const first = await expectStatus(sandbox, 201, 'POST', '/v1/applications', {
      body: {
        FirstName: 'Dana',
        LastName: 'Ng',
        Email: 'Dana.Ng@Example.com',
        Phone: '+1 (512) 555-0199',
      },
    });
    const id = first['ApplicationId'];
    for (const body of [
      { FirstName: 'D', LastName: 'N', Email: 'dana.ng@example.com', Phone: '5125550000' },
      { FirstName: 'D', LastName: 'N', Email: 'other@example.com', Phone: '512-555-0199' },
    ]) {
      const reply = await call(sandbox, 'POST', '/v1/applications', { body });
      assert.equal(reply.status, 409);
      assert.deepEqual(reply.body, {
        StatusCode: 409,
        ErrorMessages: ['A lead with this contact information already exists.'],
        ApplicationId: id,
      });
    }
  });

  void test('a lead reads back PascalCase with its showings nested', async () => {
    const property = (
      (await expectStatus(sandbox, 200, 'GET', '/v1/properties'))['Data'] as Json[]
    ).find((p) => p['IsActive'] === true);
    assert.ok(property !== undefined, 'the seed has an active rental');
    const lead = await expectStatus(sandbox, 201, 'POST', '/v1/applications', {
      body: {
        first_name: 'ignored',
        firstname: 'Lee',
        lastname: 'Park',
        email: 'lee.park@example.com',
        phone: '6025550142',
        source: 'Zillow',
      },
    });
    const applicationId = lead['ApplicationId'] as number;
    const showing = await expectStatus(sandbox, 201, 'POST', '/v1/showings', {
      body: {
        applicationId,
        propertyId: property['PropertyId'],
        requestedTimes: ['2030-05-01T15:00:00Z', '2030-05-02T16:30:00.000+00:00'],
      },
    });
    const read = await expectStatus(sandbox, 200, 'GET', `/v1/applications/${applicationId}`);
    assert.equal(read['FirstName'], 'Lee');
    assert.equal(read['Source'], 'Zillow');
    assert.equal(read['QualificationStatus'], 'Pending');
    assert.equal(read['Disposition'], 'Active');
    assert.equal(read['TenantSelected'], false);
    assert.deepEqual(read['Showings'], [
      { ShowingId: showing['ShowingId'], ScheduledTime: null, Status: 'Requested' },
    ]);
    const viewing = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/showings/${String(showing['ShowingId'])}`,
    );
    assert.deepEqual(viewing['RequestedTimes'], ['2030-05-01T15:00:00Z', '2030-05-02T16:30:00Z']);
    assert.equal(viewing['Status'], 'Requested');
  });

  void test('a showing needs an existing lead, an active rental and at least one time', async () => {
    const inactive = await expectStatus(sandbox, 201, 'POST', '/v1/properties', {
      body: { Address: '3 Quiet Ln', City: 'Tampa', State: 'FL', ZipCode: '33602' },
    });
    const created = await expectStatus(
      sandbox,
      200,
      'GET',
      `/v1/properties/${String(inactive['PropertyId'])}`,
    );
    assert.equal(created['IsActive'], false, 'a created rental starts inactive');
    const lead = await expectStatus(sandbox, 201, 'POST', '/v1/applications', {
      body: {
        FirstName: 'No',
        LastName: 'Show',
        Email: 'no.show@example.com',
        Phone: '7045550111',
      },
    });
    const base = { ApplicationId: lead['ApplicationId'], RequestedTimes: ['2030-01-01T10:00:00Z'] };
    const reasons = [
      [
        { ...base, PropertyId: inactive['PropertyId'] },
        `Property ${String(inactive['PropertyId'])} is not active; showings need an active rental.`,
      ],
      [
        { ...base, ApplicationId: 1, PropertyId: inactive['PropertyId'] },
        'Application 1 does not exist.',
      ],
      [
        { ...base, PropertyId: inactive['PropertyId'], RequestedTimes: [] },
        'RequestedTimes needs at least one time.',
      ],
    ] as const;
    for (const [body, message] of reasons) {
      const reply = await call(sandbox, 'POST', '/v1/showings', { body });
      assert.equal(reply.status, 422);
      assert.deepEqual((reply.body as Json)['ErrorMessages'], [message]);
    }
  });
});
