import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../src/shared/errors.ts';
import { earliestSinceDate, sinceDateUpdated, utcDay } from '../src/tenant-turner/since-date.ts';

const NOW = Date.parse('2026-11-28T15:04:05Z');

describe('SinceDateUpdated', () => {
  it('is the UTC calendar day of the instant (inclusive: the caller filters dateUpdated >= T)', () => {
    assert.deepEqual(sinceDateUpdated(new Date('2026-11-20T23:59:59Z'), NOW), {
      value: '2026-11-20',
      clamped: false,
    });
    // 20:00 in New York on the 19th is already the 20th in UTC.
    assert.equal(sinceDateUpdated(new Date('2026-11-19T20:00:00-05:00'), NOW).value, '2026-11-20');
    assert.equal(sinceDateUpdated(new Date('2026-11-20T00:00:00Z'), NOW).value, '2026-11-20');
  });

  it('clamps an undefined instant to the earliest date the service allows', () => {
    assert.deepEqual(sinceDateUpdated(undefined, NOW), { value: '2024-11-29', clamped: true });
  });

  it('clamps an instant two years back or older, and keeps one a day younger', () => {
    assert.deepEqual(sinceDateUpdated(new Date('2024-11-28T12:00:00Z'), NOW), {
      value: '2024-11-29',
      clamped: true,
    });
    assert.deepEqual(sinceDateUpdated(new Date('2001-01-01T00:00:00Z'), NOW), {
      value: '2024-11-29',
      clamped: true,
    });
    assert.deepEqual(sinceDateUpdated(new Date('2024-11-29T00:00:00Z'), NOW), {
      value: '2024-11-29',
      clamped: false,
    });
  });

  it('never sends the anniversary itself, which the service refuses ("less than 2 years")', () => {
    for (const now of ['2026-01-01T00:00:00Z', '2026-12-31T23:59:59Z', '2027-03-01T12:00:00Z']) {
      const at = Date.parse(now);
      const anniversary = new Date(at);
      anniversary.setUTCFullYear(anniversary.getUTCFullYear() - 2);
      assert.ok(earliestSinceDate(at) > utcDay(anniversary), now);
    }
  });

  it('handles 29 February: the anniversary rolls to 1 March, so the earliest is 2 March', () => {
    assert.equal(earliestSinceDate(Date.parse('2028-02-29T10:00:00Z')), '2026-03-02');
  });

  it('passes a future instant through unchanged', () => {
    assert.equal(sinceDateUpdated(new Date('2027-01-05T00:00:00Z'), NOW).value, '2027-01-05');
  });

  it('refuses an invalid Date instead of silently listing everything', () => {
    assert.throws(
      () => sinceDateUpdated(new Date('not a date'), NOW),
      (error: unknown) => error instanceof AppError && /invalid Date/.test(error.message),
    );
  });
});
