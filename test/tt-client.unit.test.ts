import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/shared/clock.ts';
import { AppError } from '../src/shared/errors.ts';
import { TenantTurnerClient } from '../src/tenant-turner/client.ts';
import type { TenantTurnerClientOptions } from '../src/tenant-turner/client.ts';
import { isUnsupported } from '../src/tenant-turner/errors.ts';
import { drive, fakeFetch, json } from './support/tt-client-fake-fetch.ts';
import type { SentRequest } from './support/tt-client-fake-fetch.ts';

const NOW = Date.parse('2026-11-28T15:04:05Z');

function lead(id: number, updated = '2026-11-20T10:00:00Z'): Record<string, unknown> {
  return {
    ApplicationId: id,
    FirstName: 'Lead',
    LastName: String(id),
    Email: `lead${id}@example.com`,
    Phone: `+1555000${id}`,
    QualificationStatus: 'Pending',
    Disposition: 'Active',
    TenantSelected: false,
    DateCreated: '2026-11-01T10:00:00Z',
    DateUpdated: updated,
    Showings: [],
  };
}

function client(
  route: (request: SentRequest) => Response | Error,
  options: Partial<TenantTurnerClientOptions> = {},
): { tt: TenantTurnerClient; clock: ManualClock; sent: SentRequest[] } {
  const clock = new ManualClock(NOW);
  const { fetch, sent } = fakeFetch(clock, route);
  const tt = new TenantTurnerClient({
    apiKey: 'unit-test-key-123',
    baseUrl: 'https://tt.test',
    clock,
    fetch,
    requestsPerSecond: 0,
    maxRetries: 0,
    ...options,
  });
  return { tt, clock, sent };
}

async function collect<T>(clock: ManualClock, iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  await drive(
    clock,
    (async () => {
      for await (const item of iterable) out.push(item);
    })(),
  );
  return out;
}

describe('Tenant Turner lists', () => {
  it('sends SinceDateUpdated and PageSize first, then only NextPage', async () => {
    const { tt, clock, sent } = client((request) => {
      const cursor = request.url.searchParams.get('NextPage');
      if (cursor === null)
        return json(200, { TotalCount: 3, NextPage: 'c1', Data: [lead(1), lead(2)] });
      return json(200, { TotalCount: 3, NextPage: null, Data: [lead(3)] });
    });
    const leads = await collect(
      clock,
      tt.leads.list({ since: new Date('2026-11-20T10:00:00Z'), pageSize: 250 }),
    );
    assert.deepEqual(
      leads.map((row) => row.applicationId),
      [1, 2, 3],
    );
    assert.deepEqual(Object.fromEntries(sent[0]?.url.searchParams ?? []), {
      SinceDateUpdated: '2026-11-20',
      PageSize: '100',
    });
    assert.deepEqual(Object.fromEntries(sent[1]?.url.searchParams ?? []), { NextPage: 'c1' });
  });

  it('stops on a repeated cursor instead of looping', async () => {
    const { tt, clock, sent } = client(() =>
      json(200, { TotalCount: 99, NextPage: 'same', Data: [lead(1)] }),
    );
    const rows = await collect(clock, tt.leads.pages({}));
    assert.equal(rows.length, 2);
    assert.equal(sent.length, 2);
  });

  it('asks for the earliest allowed date when since is too old or missing, never a date the service refuses', async () => {
    const { tt, clock, sent } = client(() =>
      json(200, { TotalCount: 0, NextPage: null, Data: [] }),
    );
    await collect(clock, tt.leads.list({ since: new Date('2019-01-01T00:00:00Z') }));
    await collect(clock, tt.showings.list());
    assert.equal(sent[0]?.url.searchParams.get('SinceDateUpdated'), '2024-11-29');
    assert.equal(sent[1]?.url.searchParams.get('SinceDateUpdated'), '2024-11-29');
  });

  it('resumes from a saved cursor', async () => {
    const { tt, clock, sent } = client(() =>
      json(200, { TotalCount: 1, NextPage: null, Data: [lead(7)] }),
    );
    const rows = await collect(clock, tt.leads.list({ cursor: 'saved' }));
    assert.equal(rows[0]?.applicationId, 7);
    assert.equal(sent[0]?.url.search, '?NextPage=saved');
  });

  it('reads the unpaginated rental list (a bare array) as one page', async () => {
    const { tt, clock } = client(() =>
      json(200, [{ PropertyId: '5', Address: '1 A St', City: 'B', State: 'IL', ZipCode: '60000' }]),
    );
    const rentals = await collect(clock, tt.rentals.list());
    assert.equal(rentals[0]?.propertyId, 5);
  });
});

describe('Tenant Turner capabilities', () => {
  it('on a real account (404) refuses the modeled operations without calling them, and probes once', async () => {
    const { tt, clock, sent } = client((request) =>
      request.url.pathname === '/v1/capabilities'
        ? new Response(null, { status: 404 })
        : json(500, {}),
    );
    const attempts: (() => Promise<unknown>)[] = [
      () => tt.tasks.create(1, { title: 'Call', externalId: 'x' }),
      () => tt.notes.create(1, { note: 'Hi' }),
      () =>
        tt.activities.create(1, {
          type: 'Call',
          occurredAt: new Date(NOW),
          summary: 's',
          source: 'GHL',
          externalId: 'a',
        }),
      () => tt.leads.update(1, { firstName: 'A' }),
      () => tt.showings.update(1, { status: 'Cancelled' }),
      () => collect(clock, tt.tasks.list(1)),
    ];
    for (const attempt of attempts) {
      await assert.rejects(drive(clock, attempt()), (error: unknown) => {
        assert.ok(isUnsupported(error), String(error));
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'unsupported');
        return true;
      });
    }
    assert.deepEqual(
      sent.map((request) => request.url.pathname),
      ['/v1/capabilities'],
    );
    assert.equal(await drive(clock, tt.supports('tasks')), false);
  });

  it('reads the extensions the service lists', async () => {
    const { tt, clock } = client(() =>
      json(200, { Extensions: ['tasks', 'notes', 'future-thing'] }),
    );
    const offered = await drive(clock, tt.capabilities());
    assert.deepEqual([...offered].sort(), ['notes', 'tasks']);
  });

  it('does not cache a failed probe', async () => {
    let calls = 0;
    const { tt, clock } = client(() =>
      ++calls === 1 ? json(503, {}) : json(200, { Extensions: ['notes'] }),
    );
    await assert.rejects(drive(clock, tt.capabilities()));
    assert.equal(await drive(clock, tt.supports('notes')), true);
  });

  it('takes a forced answer and then never probes', async () => {
    for (const capabilities of ['real', 'extended', ['notes']] as const) {
      const { tt, clock, sent } = client(() => json(200, {}), { capabilities });
      const offered = await drive(clock, tt.capabilities());
      const expected = capabilities === 'real' ? 0 : capabilities === 'extended' ? 5 : 1;
      assert.equal(offered.size, expected);
      assert.equal(sent.length, 0);
    }
  });
});

describe('Tenant Turner creates', () => {
  it('resolves a duplicate-contact refusal to the existing lead', async () => {
    const { tt, clock } = client((request) => {
      if (request.method === 'POST') {
        return json(409, {
          StatusCode: 409,
          ErrorMessages: ['A lead with this contact information already exists.'],
          ApplicationId: 42,
        });
      }
      return json(200, lead(42));
    });
    const created = await drive(
      clock,
      tt.leads.create({ firstName: 'A', lastName: 'B', email: 'lead42@example.com', phone: '1' }),
    );
    assert.equal(created.alreadyExisted, true);
    assert.equal(created.record.applicationId, 42);
  });

  it('sends a modeled create as PascalCase with its ExternalId, and reads a 200 as already existing', async () => {
    const task = {
      TaskId: 9,
      ApplicationId: 1,
      Title: 'Call',
      TaskStatus: 'New',
      ExternalId: 'ghl-task-1',
      DateCreated: '2026-11-01T10:00:00Z',
      DateUpdated: '2026-11-01T10:00:00Z',
    };
    const { tt, clock, sent } = client(() => json(200, task), { capabilities: 'extended' });
    const created = await drive(
      clock,
      tt.tasks.create(1, { title: 'Call', dueDate: '2026-12-01', externalId: 'ghl-task-1' }),
    );
    assert.equal(created.alreadyExisted, true);
    assert.equal(created.record.taskId, 9);
    assert.deepEqual(sent[0]?.body, {
      Title: 'Call',
      DueDate: '2026-12-01',
      ExternalId: 'ghl-task-1',
    });
    assert.equal(sent.length, 1, 'a full record in the answer needs no read-back');
  });

  it('refuses a task title over 127 characters before sending', async () => {
    const { tt, clock, sent } = client(() => json(200, {}), { capabilities: 'extended' });
    await assert.rejects(
      drive(clock, tt.tasks.create(1, { title: 'x'.repeat(128) })),
      /at most 127/,
    );
    assert.equal(sent.length, 0);
  });
});
