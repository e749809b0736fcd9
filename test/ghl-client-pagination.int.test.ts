/**
 * Pagination over 25,000 contacts in both list styles, against the sandbox over real HTTP.
 * The deprecated list must send startAfter AND startAfterId and keep locationId on every page;
 * search must use page paging up to GHL's 10,000-record cap, then searchAfter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { operator, pitClient, sandbox, stats } from './support/ghl-harness.ts';

const CONTACTS = 25_000;

describe(`pagination over ${CONTACTS} contacts`, () => {
  let box: GhlSandbox;
  before(async () => {
    box = await sandbox({ contacts: CONTACTS, rateLimit: { enabled: false } });
  });
  after(async () => box.close());

  test('deprecated list: every contact once, newest first, 100 a page', async () => {
    const client = pitClient(box, undefined, { rateLimit: { enabled: false } });
    const before = (await stats(box)).requests['GET /contacts/'] ?? 0;
    const ids = new Set<string>();
    let previous = Number.POSITIVE_INFINITY;
    let pages = 0;
    for await (const page of client.location(box.locationId).listContactPages({ limit: 100 })) {
      pages++;
      for (const contact of page.contacts) {
        assert.ok(!ids.has(contact.id), `contact ${contact.id} listed twice`);
        ids.add(contact.id);
        const added = Date.parse(contact.dateAdded ?? '');
        assert.ok(added <= previous, 'newest to oldest');
        previous = added;
      }
    }
    assert.equal(ids.size, CONTACTS);
    assert.equal(pages, CONTACTS / 100);
    assert.equal(
      ((await stats(box)).requests['GET /contacts/'] ?? 0) - before,
      pages + 1,
      'one request a page plus the empty one that ends it, no loop',
    );
    client.stop();
  });

  test('search: page paging to 10,000 then searchAfter, every contact once, 500 a page', async () => {
    const client = pitClient(box, undefined, { rateLimit: { enabled: false } });
    const before = (await stats(box)).requests['POST /contacts/search'] ?? 0;
    const ids = new Set<string>();
    let pages = 0;
    for await (const page of client
      .location(box.locationId)
      .searchContactPages({ pageLimit: 500, sort: [{ field: 'dateAdded', direction: 'asc' }] })) {
      pages++;
      assert.equal(page.total, CONTACTS);
      for (const contact of page.contacts) {
        assert.ok(!ids.has(contact.id), `contact ${contact.id} returned twice`);
        ids.add(contact.id);
      }
    }
    assert.equal(ids.size, CONTACTS);
    assert.equal(pages, CONTACTS / 500);
    assert.equal(
      ((await stats(box)).requests['POST /contacts/search'] ?? 0) - before,
      pages + 1,
      'one request a page plus the empty one that ends it',
    );
    client.stop();
  });

  test('a resumed search continues after a saved cursor without repeating', async () => {
    const client = pitClient(box, undefined, { rateLimit: { enabled: false } });
    const ghl = client.location(box.locationId);
    const first = await ghl.searchContactPages({ pageLimit: 500 }).next();
    assert.ok(!first.done && first.value.cursor);
    const seen = new Set(first.value.contacts.map((c) => c.id));
    let count = seen.size;
    for await (const contact of ghl.searchContacts({
      pageLimit: 500,
      searchAfter: first.value.cursor,
    })) {
      assert.ok(!seen.has(contact.id));
      seen.add(contact.id);
      count++;
    }
    assert.equal(count, CONTACTS);
    client.stop();
  });

  test('the sandbox really returns page 1 again when only startAfter is sent (the quirk the client avoids)', async () => {
    const { accessToken } = box.mintToken({ scopes: ['contacts.readonly'] });
    const get = async (query: string): Promise<string[]> => {
      const response = await fetch(
        `${box.url}/contacts/?locationId=${box.locationId}&limit=5${query}`,
        {
          headers: { Authorization: `Bearer ${accessToken}`, Version: '2021-07-28' },
        },
      );
      const body = (await response.json()) as {
        contacts: { id: string }[];
        meta: { startAfter: number };
      };
      return body.contacts.map((c) => c.id).concat(String(body.meta.startAfter));
    };
    const page1 = await get('');
    const startAfter = page1.at(-1);
    const again = await get(`&startAfter=${startAfter}`);
    assert.deepEqual(again.slice(0, 5), page1.slice(0, 5));
    await operator(box, 'GET', '/__sandbox/stats');
  });
});
