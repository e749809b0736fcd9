/**
 * Listing in the GHL sandbox: the deprecated `GET /contacts/` and its cursor quirk,
 * `POST /contacts/search` paging, cursors, filters and eventual consistency, and scale.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGhlSandbox } from '../sandbox/ghl/index.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';

type Json = Record<string, unknown>;

async function call(
  sandbox: GhlSandbox,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      version: '2021-07-28',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const items = (body: Json): Json[] => body['contacts'] as Json[];
const ids = (body: Json): string[] => items(body).map((c) => c['id'] as string);

void describe('deprecated GET /contacts/', () => {
  let sandbox: GhlSandbox;
  let token: string;
  before(async () => {
    sandbox = await startGhlSandbox({ contacts: 45, searchDelayMs: 0 });
    token = sandbox.mintToken({ scopes: ['contacts.readonly'] }).accessToken;
  });
  after(() => sandbox.close());

  void test('default limit 20, newest first, contactName instead of name, meta', async () => {
    const page = await call(sandbox, token, 'GET', `/contacts/?locationId=${sandbox.locationId}`);
    assert.equal(page.status, 200);
    const list = items(page.body);
    assert.equal(list.length, 20);
    const added = list.map((c) => Date.parse(c['dateAdded'] as string));
    assert.deepEqual(
      added,
      [...added].sort((a, b) => b - a),
    );
    assert.equal(list[0]?.['name'], undefined);
    assert.equal(typeof list[0]?.['contactName'], 'string');
    const meta = page.body['meta'] as Json;
    assert.equal(meta['total'], 45);
    assert.equal(meta['currentPage'], 1);
    assert.equal(meta['nextPage'], 2);
    assert.equal(meta['prevPage'], null);
    assert.equal(meta['startAfterId'], list[19]?.['id']);
    assert.equal(meta['startAfter'], added[19]);
    assert.match(
      String(meta['nextPageUrl']),
      new RegExp(`locationId=${sandbox.locationId}&startAfter=\\d+&startAfterId=`),
    );
  });

  void test('startAfter alone returns page 1 again; both cursors give the next page', async () => {
    const first = await call(sandbox, token, 'GET', `/contacts/?locationId=${sandbox.locationId}`);
    const meta = first.body['meta'] as Json;
    const alone = await call(
      sandbox,
      token,
      'GET',
      `/contacts/?locationId=${sandbox.locationId}&startAfter=${String(meta['startAfter'])}`,
    );
    assert.deepEqual(ids(alone.body), ids(first.body));
    const seen = new Set(ids(first.body));
    let cursor = meta;
    let pages = 1;
    while (typeof cursor['nextPage'] === 'number') {
      const next = await call(
        sandbox,
        token,
        'GET',
        `/contacts/?locationId=${sandbox.locationId}&startAfter=${String(cursor['startAfter'])}&startAfterId=${String(cursor['startAfterId'])}`,
      );
      for (const id of ids(next.body)) {
        assert.ok(!seen.has(id), `${id} repeated`);
        seen.add(id);
      }
      cursor = next.body['meta'] as Json;
      pages++;
      assert.equal(cursor['currentPage'], pages);
    }
    assert.equal(seen.size, 45);
    assert.equal(pages, 3);
    assert.equal(
      cursor['nextPageUrl'],
      undefined,
      'the last page has no next page (not null: the spec types it string)',
    );
  });

  void test('contacts of a business', async () => {
    const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as {
      contacts: Json[];
    };
    const member = state.contacts.find(
      (c) => c['locationId'] === sandbox.locationId && typeof c['businessId'] === 'string',
    );
    assert.ok(member !== undefined, 'the seed puts some contacts in a business');
    const businessId = String(member['businessId']);
    const expected = state.contacts.filter((c) => c['businessId'] === businessId).length;
    const reply = await call(
      sandbox,
      token,
      'GET',
      `/contacts/business/${businessId}?locationId=${sandbox.locationId}`,
    );
    assert.equal(reply.status, 200);
    assert.equal(reply.body['count'], expected);
    assert.ok(items(reply.body).every((c) => c['businessId'] === businessId));
  });

  void test('limit above 100 is 422', async () => {
    const reply = await call(
      sandbox,
      token,
      'GET',
      `/contacts/?locationId=${sandbox.locationId}&limit=101`,
    );
    assert.equal(reply.status, 422);
    assert.deepEqual(reply.body['message'], ['limit must not be greater than 100']);
  });
});

void describe('POST /contacts/search', () => {
  let sandbox: GhlSandbox;
  let token: string;
  before(async () => {
    sandbox = await startGhlSandbox({ contacts: 60, searchDelayMs: 0 });
    token = sandbox.mintToken({ scopes: ['contacts.readonly', 'contacts.write'] }).accessToken;
  });
  after(() => sandbox.close());
  const search = (body: Json): Promise<{ status: number; body: Json }> =>
    call(sandbox, token, 'POST', '/contacts/search', body);

  void test('locationId and pageLimit are required; pageLimit ≤ 500; query ≤ 75', async () => {
    const empty = await search({});
    assert.equal(empty.status, 422);
    const messages = empty.body['message'] as string[];
    assert.ok(messages.includes('locationId should not be empty'));
    assert.ok(messages.some((m) => m.startsWith('pageLimit')));
    assert.equal((await search({ locationId: sandbox.locationId, pageLimit: 501 })).status, 422);
    assert.equal(
      (await search({ locationId: sandbox.locationId, pageLimit: 5, query: 'x'.repeat(76) }))
        .status,
      422,
    );
    assert.equal((await search({ locationId: sandbox.otherLocationId, pageLimit: 5 })).status, 403);
  });

  void test('page paging is capped at 10,000 records and not combinable with searchAfter', async () => {
    const one = await search({ locationId: sandbox.locationId, pageLimit: 25, page: 1 });
    const two = await search({ locationId: sandbox.locationId, pageLimit: 25, page: 2 });
    assert.equal(one.body['total'], 60);
    assert.equal(typeof one.body['traceId'], 'string');
    assert.equal(ids(one.body).filter((id) => ids(two.body).includes(id)).length, 0);
    assert.equal(
      (await search({ locationId: sandbox.locationId, pageLimit: 500, page: 20 })).status,
      200,
    );
    assert.equal(
      (await search({ locationId: sandbox.locationId, pageLimit: 500, page: 21 })).status,
      400,
    );
    const cursor = items(one.body)[0]?.['searchAfter'];
    assert.equal(
      (await search({ locationId: sandbox.locationId, pageLimit: 5, page: 1, searchAfter: cursor }))
        .status,
      400,
    );
  });

  void test('searchAfter walks every contact exactly once', async () => {
    const seen: string[] = [];
    let searchAfter: unknown;
    for (;;) {
      const reply = await search({
        locationId: sandbox.locationId,
        pageLimit: 7,
        ...(searchAfter === undefined ? {} : { searchAfter }),
      });
      const page = items(reply.body);
      if (page.length === 0) break;
      const cursor = page.at(-1)?.['searchAfter'] as unknown[];
      assert.equal(typeof cursor[0], 'number');
      assert.equal(typeof cursor[1], 'string');
      seen.push(...page.map((c) => c['id'] as string));
      searchAfter = cursor;
    }
    assert.equal(seen.length, 60);
    assert.equal(new Set(seen).size, 60);
  });

  void test('filters: operators, OR groups, invalid fields, sort', async () => {
    const invalid = await search({
      locationId: sandbox.locationId,
      pageLimit: 5,
      filters: [{ field: 'additional_phones', operator: 'eq', value: '1' }],
    });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body['message'], 'Invalid field additional_phones');
    const all = items((await search({ locationId: sandbox.locationId, pageLimit: 100 })).body);
    const [a, b] = all;
    assert.ok(a !== undefined && b !== undefined);
    const either = await search({
      locationId: sandbox.locationId,
      pageLimit: 100,
      filters: [
        {
          group: 'OR',
          filters: [
            { field: 'id', operator: 'eq', value: a['id'] },
            { field: 'id', operator: 'eq', value: b['id'] },
          ],
        },
      ],
    });
    assert.deepEqual(new Set(ids(either.body)), new Set([a['id'], b['id']]));
    const withEmail = await search({
      locationId: sandbox.locationId,
      pageLimit: 100,
      filters: [{ field: 'email', operator: 'exists' }],
    });
    const withoutEmail = await search({
      locationId: sandbox.locationId,
      pageLimit: 100,
      filters: [{ field: 'email', operator: 'not_exists' }],
    });
    assert.equal(Number(withEmail.body['total']) + Number(withoutEmail.body['total']), 60);
    const middle = Date.parse(all[30]?.['dateAdded'] as string);
    const recent = await search({
      locationId: sandbox.locationId,
      pageLimit: 100,
      filters: [{ field: 'dateAdded', operator: 'range', value: { gt: middle } }],
    });
    assert.equal(recent.body['total'], 30);
    const sorted = await search({
      locationId: sandbox.locationId,
      pageLimit: 100,
      sort: [{ field: 'firstNameLowerCase', direction: 'asc' }],
    });
    const names = items(sorted.body).map((c) => String(c['firstNameLowerCase']));
    assert.deepEqual(
      names,
      [...names].sort((x, y) => x.localeCompare(y)),
    );
  });

  void test('writes reach search only after the delay; GET-by-id is immediate', async () => {
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ searchDelayMs: 400 }),
    });
    const created = await call(sandbox, token, 'POST', '/contacts/', {
      locationId: sandbox.locationId,
      firstName: 'Eventual',
      email: 'eventual@example.com',
    });
    const id = (created.body['contact'] as Json)['id'] as string;
    const createdAt = Date.now();
    assert.equal((await call(sandbox, token, 'GET', `/contacts/${id}`)).status, 200);
    const byEmail = {
      locationId: sandbox.locationId,
      pageLimit: 5,
      filters: [{ field: 'email', operator: 'eq', value: 'eventual@example.com' }],
    };
    const immediately = await search(byEmail);
    // Only meaningful if the search ran inside the delay (a very slow machine may not manage that).
    if (Date.now() - createdAt < 400) assert.equal(immediately.body['total'], 0);
    const deadline = Date.now() + 10_000;
    let total = 0;
    while (total === 0 && Date.now() < deadline) {
      total = Number((await search(byEmail)).body['total']);
      if (total === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(total, 1);
    assert.ok(Date.now() - createdAt >= 400, 'visible no earlier than the delay');
  });
});

void describe('scale', () => {
  void test('25,000 contacts: start, then a searchAfter sweep and a deprecated-list sweep see each once', async () => {
    const started = performance.now();
    const sandbox = await startGhlSandbox({ contacts: 25_000, rateLimit: { enabled: false } });
    const startMs = performance.now() - started;
    try {
      // Timing on a shared, loaded machine is noise; enforce the 2 s budget only when asked.
      if (process.env['GHL_SANDBOX_STRICT_TIMING'] === '1')
        assert.ok(startMs < 2000, `started in ${startMs} ms`);
      const token = sandbox.mintToken({ scopes: ['contacts.readonly'] }).accessToken;
      const seen = new Set<string>();
      let searchAfter: unknown;
      let requests = 0;
      for (;;) {
        const reply = await call(sandbox, token, 'POST', '/contacts/search', {
          locationId: sandbox.locationId,
          pageLimit: 500,
          ...(searchAfter === undefined ? {} : { searchAfter }),
        });
        requests++;
        const page = items(reply.body);
        if (page.length === 0) break;
        for (const c of page) seen.add(c['id'] as string);
        searchAfter = page.at(-1)?.['searchAfter'];
      }
      assert.equal(seen.size, 25_000);
      assert.equal(requests, 51);
      let listed = 0;
      let query = `/contacts/?locationId=${sandbox.locationId}&limit=100`;
      for (;;) {
        const reply = await call(sandbox, token, 'GET', query);
        listed += items(reply.body).length;
        const meta = reply.body['meta'] as Json;
        if (typeof meta['nextPage'] !== 'number') break;
        query = `/contacts/?locationId=${sandbox.locationId}&limit=100&startAfter=${String(meta['startAfter'])}&startAfterId=${String(meta['startAfterId'])}`;
      }
      assert.equal(listed, 25_000);
    } finally {
      await sandbox.close();
    }
  });
});
