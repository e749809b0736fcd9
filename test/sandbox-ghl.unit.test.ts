/**
 * Pure parts of the GHL sandbox: DTO validation, input normalization, the seeded PRNG, search
 * filters and the rate limiter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePhone, normalizeTags, parseDateOfBirth } from '../sandbox/ghl/contact-input.ts';
import * as dtos from '../sandbox/ghl/dto-specs.ts';
import { validateDto } from '../sandbox/ghl/dto-validation.ts';
import { GhlHttpError } from '../sandbox/ghl/http-errors.ts';
import type { ContactRecord } from '../sandbox/ghl/model.ts';
import { createPrng } from '../sandbox/ghl/prng.ts';
import { RateLimiter } from '../sandbox/ghl/rate-limit.ts';
import { compileFilters } from '../sandbox/ghl/search-filters.ts';

void test('validation lists unknown properties first, then field problems', () => {
  assert.deepEqual(validateDto({ gender: 'f', firstName: 3 }, dtos.UPDATE_CONTACT), [
    'property gender should not exist',
    'firstName must be a string',
  ]);
  assert.deepEqual(validateDto(undefined, dtos.TASK_COMPLETED), [
    'completed must be a boolean value',
  ]);
  assert.deepEqual(
    validateDto({ firstName: null }, dtos.UPDATE_CONTACT),
    [],
    'null clears an optional field',
  );
});

void test('dateOfBirth: 8 formats to midnight UTC, impossible dates rejected', () => {
  for (const input of [
    '2001/02/03',
    '02/03/2001',
    '2001-02-03',
    '02-03-2001',
    '2001.02.03',
    '02.03.2001',
    '2001_02_03',
    '02_03_2001',
  ]) {
    assert.equal(parseDateOfBirth(input), '2001-02-03T00:00:00.000Z', input);
  }
  assert.equal(parseDateOfBirth('2001-02-03T00:00:00.000Z'), '2001-02-03T00:00:00.000Z');
  assert.equal(parseDateOfBirth('02/30/2001'), undefined);
  assert.equal(parseDateOfBirth('2001/02-03'), undefined, 'mixed separators');
});

void test('phones become E.164 and tags lower-case and unique', () => {
  assert.equal(normalizePhone('(512) 555-0100'), '+15125550100');
  assert.equal(normalizePhone('1-512-555-0100'), '+15125550100');
  assert.equal(normalizePhone('+44 20 7946 0958'), '+442079460958');
  assert.deepEqual(normalizeTags(['VIP', ' vip', 'Lead', '']), ['vip', 'lead']);
});

void test('the PRNG is deterministic per seed and label', () => {
  const draw = (seed: number, label: string): number[] => {
    const prng = createPrng(seed, label);
    return Array.from({ length: 5 }, () => prng.int(1000));
  };
  assert.deepEqual(draw(1, 'a'), draw(1, 'a'));
  assert.notDeepEqual(draw(1, 'a'), draw(2, 'a'));
  assert.notDeepEqual(draw(1, 'a'), draw(1, 'b'));
  const prng = createPrng(3);
  assert.equal(prng.chance(0), false);
  assert.equal(prng.chance(1), true);
});

function contact(fields: Partial<ContactRecord>): ContactRecord {
  return {
    id: 'c',
    locationId: 'l',
    additionalEmails: [],
    tags: [],
    customFields: [],
    dnd: false,
    type: 'lead',
    followers: [],
    dateAddedMs: 0,
    dateUpdatedMs: 0,
    ...fields,
  };
}

void test('search filters: operators, groups and invalid fields', () => {
  const ada = contact({
    firstName: 'Ada',
    email: 'ADA@example.com',
    tags: ['vip'],
    dateAddedMs: 1000,
  });
  const bob = contact({ id: 'b', firstName: 'Bob', dateAddedMs: 3000 });
  const run = (filters: unknown[]): boolean[] => [ada, bob].map(compileFilters(filters, false));
  assert.deepEqual(run([{ field: 'email', operator: 'eq', value: 'ada@example.com' }]), [
    true,
    false,
  ]);
  assert.deepEqual(run([{ field: 'email', operator: 'not_exists' }]), [false, true]);
  assert.deepEqual(run([{ field: 'tags', operator: 'contains', value: 'VI' }]), [true, false]);
  assert.deepEqual(run([{ field: 'dateAdded', operator: 'range', value: { gte: 2000 } }]), [
    false,
    true,
  ]);
  assert.deepEqual(
    run([
      {
        group: 'OR',
        filters: [
          { field: 'firstNameLowerCase', operator: 'eq', value: 'bob' },
          { field: 'tags', operator: 'eq', value: 'vip' },
        ],
      },
    ]),
    [true, true],
  );
  assert.throws(
    () => compileFilters([{ field: 'additional_phones', operator: 'eq', value: 'x' }], false),
    (error: unknown) =>
      error instanceof GhlHttpError &&
      error.status === 400 &&
      error.body['message'] === 'Invalid field additional_phones',
  );
  assert.throws(
    () => compileFilters([{ field: 'email', operator: 'eq', value: 'x'.repeat(76) }], false),
    GhlHttpError,
  );
  assert.deepEqual([ada].map(compileFilters([{ field: 'phone', operator: 'exists' }], true)), [
    false,
  ]);
});

void test('rate limiter: burst window, daily quota, remaining never negative', () => {
  const limiter = new RateLimiter({ max: 2, windowMs: 1000, daily: 3, enabled: true });
  assert.equal(limiter.hit('k', 0).limited, null);
  assert.equal(limiter.hit('k', 10).remaining, 0);
  const burst = limiter.hit('k', 20);
  assert.equal(burst.limited, 'burst');
  assert.equal(burst.remaining, 0);
  const daily = limiter.hit('k', 1500);
  assert.equal(daily.limited, 'daily');
  assert.equal(daily.dailyRemaining, 0);
  assert.equal(limiter.hit('other', 1500).limited, null, 'keys are independent');
  limiter.configure({ enabled: false });
  assert.equal(limiter.hit('k', 1600).limited, null);
});
