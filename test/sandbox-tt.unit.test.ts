/**
 * Pure parts of the Tenant Turner sandbox, without HTTP: the webhook retry schedule, body binding
 * (case, types, required fields), the SinceDateUpdated boundary against an injected clock, keyset
 * paging while rows change, and the transition tables of both state machines.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryDelayMs } from '../sandbox/tenant-turner/index.ts';
import { bindBody } from '../sandbox/tenant-turner/input.ts';
import { TtHttpError } from '../sandbox/tenant-turner/http-errors.ts';
import { leadActionError } from '../sandbox/tenant-turner/lead-lifecycle.ts';
import type { LeadRecord, ShowingRecord } from '../sandbox/tenant-turner/model.ts';
import { page, parseListQuery } from '../sandbox/tenant-turner/pagination.ts';
import { showingActionError } from '../sandbox/tenant-turner/showing-lifecycle.ts';

const MINUTE = 60_000;

function status(run: () => unknown): number {
  try {
    run();
  } catch (error) {
    if (error instanceof TtHttpError) return error.status;
    throw error;
  }
  return 200;
}

void describe('webhook retry schedule', () => {
  void test('5, 15, 45, 135, 405 minutes at the default interval, then none', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(5 * MINUTE, attempt));
    assert.deepEqual(delays, [...[5, 15, 45, 135, 405].map((m) => m * MINUTE), null]);
  });
});

void describe('binding', () => {
  const fields = {
    Name: { kind: 'string', required: true },
    Count: { kind: 'integer' },
    Level: { kind: 'string', values: ['Low', 'High'] },
  } as const;

  void test('names match without regard to case; numeric strings bind as numbers; enum spelling is canonical', () => {
    assert.deepEqual(
      bindBody({ NAME: 'x', count: '4', level: 'high', other: 1 }, fields, 'create'),
      {
        Name: 'x',
        Count: 4,
        Level: 'High',
      },
    );
  });

  void test('a wrong type is 400, a missing or bad value 422, an absent body on update is nothing', () => {
    assert.equal(
      status(() => bindBody({ Name: 'x', Count: 1.5 }, fields, 'create')),
      400,
    );
    assert.equal(
      status(() => bindBody([], fields, 'create')),
      400,
    );
    assert.equal(
      status(() => bindBody({ Count: 1 }, fields, 'create')),
      422,
    );
    assert.equal(
      status(() => bindBody({ Name: '' }, fields, 'update')),
      422,
    );
    assert.equal(
      status(() => bindBody({ Name: 'x', Level: 'Mid' }, fields, 'create')),
      422,
    );
    assert.deepEqual(bindBody(undefined, fields, 'update'), {});
  });
});

void describe('lists', () => {
  const now = Date.UTC(2026, 10, 28, 12);
  const options = { scope: 'applications', requireSince: true, pageSizeParam: true, now };

  void test('SinceDateUpdated two years ago to the day is refused, one day later accepted', () => {
    assert.equal(
      status(() => parseListQuery({ SinceDateUpdated: '2024-11-28' }, options)),
      422,
    );
    assert.equal(
      parseListQuery({ SinceDateUpdated: '2024-11-29' }, options).sinceMs,
      Date.UTC(2024, 10, 29),
    );
    assert.equal(
      status(() => parseListQuery({}, options)),
      422,
    );
    assert.equal(parseListQuery({}, { ...options, requireSince: false }).size, 10);
  });

  void test('keyset paging neither skips nor repeats a row when a new one lands mid-walk', () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, at: 1000 + i }));
    const key = (r: { id: number; at: number }): [number, number] => [r.at, r.id];
    const first = page(
      rows,
      parseListQuery({ SinceDateUpdated: '2026-11-01' }, options),
      key,
      (r) => r.id,
    );
    rows.unshift({ id: 99, at: 500 });
    const seen = [...first.Data];
    let cursor = first.NextPage;
    while (cursor !== null) {
      const next = page(rows, parseListQuery({ NextPage: cursor }, options), key, (r) => r.id);
      seen.push(...next.Data);
      cursor = next.NextPage;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
  });
});

void describe('state machines', () => {
  const lead = (patch: Partial<LeadRecord>): LeadRecord => ({
    id: 1,
    firstName: 'a',
    lastName: 'b',
    email: null,
    phone: null,
    propertyId: null,
    source: null,
    externalId: null,
    externalSource: null,
    qualification: 'Pending',
    disposition: 'Active',
    tenantSelected: false,
    createdMs: 0,
    updatedMs: 0,
    lastResponseMs: 0,
    ...patch,
  });

  void test('lead moves', () => {
    assert.equal(leadActionError(lead({}), 'qualify'), null);
    assert.equal(
      leadActionError(lead({ qualification: 'Disqualified' }), 'qualify') !== null,
      true,
    );
    assert.equal(leadActionError(lead({ disposition: 'Archived' }), 'decline'), null);
    assert.equal(
      leadActionError(lead({ disposition: 'Archived' }), 'select-tenant') !== null,
      true,
    );
    assert.equal(leadActionError(lead({ qualification: 'Qualified' }), 'select-tenant'), null);
  });

  void test('showing moves by status', () => {
    const showing = (status: ShowingRecord['status']): ShowingRecord => ({
      id: 1,
      applicationId: 1,
      propertyId: 1,
      requestedTimes: [],
      scheduledMs: null,
      status,
      cancellationSource: null,
      rescheduled: false,
      feedback: null,
      notes: null,
      externalId: null,
      createdMs: 0,
      updatedMs: 0,
    });
    const allowed = (action: Parameters<typeof showingActionError>[1]): string[] =>
      (['Requested', 'Scheduled', 'Confirmed', 'Cancelled', 'NoShow'] as const).filter(
        (s) => showingActionError(showing(s), action, { time: 1, feedback: 'ok' }) === null,
      );
    assert.deepEqual(allowed('schedule'), ['Requested']);
    assert.deepEqual(allowed('confirm'), ['Scheduled']);
    assert.deepEqual(allowed('reschedule'), ['Scheduled', 'Confirmed']);
    assert.deepEqual(allowed('cancel'), ['Requested', 'Scheduled', 'Confirmed']);
    assert.deepEqual(allowed('no-show'), ['Scheduled', 'Confirmed']);
    assert.deepEqual(allowed('feedback'), ['Scheduled', 'Confirmed']);
  });
});
