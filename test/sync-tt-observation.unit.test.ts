/**
 * Tenant Turner leads and showings as timeline observations (no I/O): the stamp kept as Tenant
 * Turner wrote it, the entry id that ties a webhook and a poll of one change together, and the
 * words for each kind of change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Lead, Showing } from '../src/tenant-turner/resources.ts';
import {
  describeObservation,
  leadObservation,
  showingObservation,
  ttTimestamp,
} from '../src/sync/tt-observation.ts';
import type { LeadTrack } from '../src/sync/tt-observation.ts';
import { ttRefId } from '../src/sync/tt-timeline.ts';

const lead = (over: Partial<Lead> = {}): Lead => ({
  applicationId: 200001,
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'Ada@Example.com',
  phone: '+14155550100',
  propertyId: 100001,
  source: undefined,
  externalId: 'c1',
  externalSource: 'HighLevel',
  qualificationStatus: 'Pending',
  disposition: 'Active',
  tenantSelected: false,
  dateCreated: new Date('2026-11-28T15:00:00Z'),
  dateUpdated: new Date('2026-11-28T15:00:00Z'),
  showings: [],
  ...over,
});

const showing = (over: Partial<Showing> = {}): Showing => ({
  showingId: 400001,
  applicationId: 200001,
  propertyId: 100001,
  requestedTimes: [new Date('2026-12-03T18:00:00Z')],
  scheduledTime: undefined,
  status: 'Requested',
  cancellationSource: undefined,
  rescheduled: false,
  feedback: undefined,
  notes: undefined,
  externalId: undefined,
  dateCreated: new Date('2026-11-28T15:00:00Z'),
  dateUpdated: new Date('2026-11-28T15:00:00Z'),
  ...over,
});

test('the stamp is kept as Tenant Turner wrote it', () => {
  const at = new Date('2026-11-28T15:04:05Z');
  assert.equal(ttTimestamp(at), '2026-11-28T15:04:05Z');
  assert.equal(ttTimestamp(at, '2026-11-28T15:04:05.000+00:00'), '2026-11-28T15:04:05.000+00:00');
  assert.equal(
    ttTimestamp(at, '2026-11-28T15:04:06Z'),
    '2026-11-28T15:04:05Z',
    'a raw of another instant is not used',
  );
  assert.equal(leadObservation(lead(), 'poll').updatedRaw, '2026-11-28T15:00:00Z');
});

test('a webhook and a poll of one change give one entry id; another change another', () => {
  const later = new Date('2026-11-28T15:10:00Z');
  const polled = leadObservation(
    lead({ qualificationStatus: 'Qualified', dateUpdated: later }),
    'poll',
  );
  const pushed = leadObservation(
    lead({ qualificationStatus: 'Qualified', dateUpdated: later }),
    'webhook',
    {
      raw: '2026-11-28T15:10:00Z',
      eventType: 'Lead Qualified',
    },
  );
  assert.equal(ttRefId(polled), ttRefId(pushed));
  const sameSecond = leadObservation(
    lead({ qualificationStatus: 'Qualified', tenantSelected: true, dateUpdated: later }),
    'poll',
  );
  assert.notEqual(ttRefId(sameSecond), ttRefId(polled), 'two changes in one second stay two');
  assert.match(
    ttRefId(polled),
    new RegExp(`^lead:200001@${Date.parse('2026-11-28T15:10:00Z')}:[0-9a-f]{16}$`),
  );
});

test('lead changes in words', () => {
  const first = leadObservation(lead(), 'poll');
  assert.equal(
    describeObservation(first, undefined),
    'Lead created in Tenant Turner (Pending, Active)',
  );
  const later = { dateUpdated: new Date('2026-11-28T16:00:00Z') };
  const seen = leadObservation(lead({ ...later, qualificationStatus: 'Qualified' }), 'poll');
  assert.equal(
    describeObservation(seen, undefined),
    'Lead seen in Tenant Turner: Qualified, Active',
  );
  const before = first.state as LeadTrack;
  assert.equal(
    describeObservation(seen, before),
    'Lead qualified in Tenant Turner (Qualified, Active)',
  );
  const archived = { ...before, disposition: 'Archived' };
  assert.match(describeObservation(first, archived), /^Lead unarchived in Tenant Turner/);
  const moved = leadObservation(
    lead({ ...later, email: 'ada@new.example', phone: '+14155550101' }),
    'poll',
  );
  assert.equal(
    describeObservation(moved, before),
    'Lead contact info updated (email, phone) in Tenant Turner (Pending, Active)',
  );
  const selected = leadObservation(
    lead({ ...later, tenantSelected: true, disposition: 'Declined' }),
    'poll',
  );
  assert.equal(
    describeObservation(selected, before),
    'Lead declined, selected as tenant in Tenant Turner (Pending, Declined, tenant selected)',
  );
});

test('showing changes in words', () => {
  const requested = showingObservation(showing(), 'poll');
  assert.equal(
    describeObservation(requested, undefined),
    'Viewing requested for 2026-12-03T18:00:00Z in Tenant Turner (showing 400001, rental 100001)',
  );
  const scheduledAt = new Date('2026-12-04T17:00:00Z');
  const rescheduled = showingObservation(
    showing({ status: 'Scheduled', scheduledTime: scheduledAt, rescheduled: true }),
    'poll',
  );
  assert.match(
    describeObservation(rescheduled, requested.state),
    /^Viewing rescheduled for 2026-12-04T17:00:00Z in Tenant Turner/,
  );
  const feedback = showingObservation(
    showing({
      status: 'Scheduled',
      scheduledTime: scheduledAt,
      rescheduled: true,
      feedback: 'Loved it',
    }),
    'webhook',
  );
  assert.match(
    describeObservation(feedback, rescheduled.state),
    /^Viewing feedback: Loved it in Tenant Turner/,
  );
  const cancelled = showingObservation(
    showing({ status: 'Cancelled', cancellationSource: 'Lead' }),
    'poll',
  );
  assert.match(describeObservation(cancelled, requested.state), /^Viewing cancelled \(by Lead\)/);
});
