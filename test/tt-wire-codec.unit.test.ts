import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../src/shared/errors.ts';
import {
  leadSchema,
  rentalAddressSchema,
  rentalSchema,
  showingSchema,
  taskSchema,
} from '../src/tenant-turner/resources.ts';
import { decode, toWire } from '../src/tenant-turner/wire-codec.ts';

const LEAD_PASCAL = {
  ApplicationId: 200001,
  FirstName: 'Ada',
  LastName: 'Lovelace',
  Email: 'ada@example.com',
  Phone: '+15555550100',
  PropertyId: null,
  Source: '',
  QualificationStatus: 'Pending',
  Disposition: 'Active',
  TenantSelected: false,
  DateCreated: '2026-11-01T10:00:00Z',
  DateUpdated: '2026-11-02T11:00:00Z',
  Showings: [],
};

function recase(value: unknown, change: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => recase(item, change));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [change(key), recase(item, change)]),
  );
}

describe('reading Tenant Turner JSON', () => {
  it('reads PascalCase, camelCase and upper-case keys alike', () => {
    const expected = decode(leadSchema, LEAD_PASCAL, 'Lead');
    const camel = recase(LEAD_PASCAL, (key) => key.charAt(0).toLowerCase() + key.slice(1));
    const upper = recase(LEAD_PASCAL, (key) => key.toUpperCase());
    assert.deepEqual(decode(leadSchema, camel, 'Lead'), expected);
    assert.deepEqual(decode(leadSchema, upper, 'Lead'), expected);
    assert.equal(expected.applicationId, 200001);
    assert.equal(expected.firstName, 'Ada');
  });

  it('turns null and blank into undefined, and ISO strings into Dates', () => {
    const lead = decode(leadSchema, LEAD_PASCAL, 'Lead');
    assert.equal(lead.propertyId, undefined);
    assert.equal(lead.source, undefined);
    assert.ok(lead.dateUpdated instanceof Date);
    assert.equal(lead.dateUpdated.toISOString(), '2026-11-02T11:00:00.000Z');
  });

  it('reads numbers sent as strings in property reads', () => {
    const rental = decode(
      rentalSchema,
      {
        PropertyId: '100001',
        Address: '123 Main St',
        City: 'Springfield',
        State: 'IL',
        ZipCode: 62704,
        Bedrooms: '3',
        Bathrooms: '2.5',
        RentAmount: '1,450.00',
        DepositAmount: '$1500',
        SquareFootage: null,
        DateAvailable: '2026-12-01T00:00:00.000',
        Photos: null,
        PropertyAmenities: ['Dishwasher'],
        IsActive: 'true',
      },
      'Rental',
    );
    assert.equal(rental.propertyId, 100001);
    assert.equal(rental.zipCode, '62704');
    assert.equal(rental.bedrooms, 3);
    assert.equal(rental.bathrooms, 2.5);
    assert.equal(rental.rentAmount, 1450);
    assert.equal(rental.depositAmount, 1500);
    assert.equal(rental.squareFootage, undefined);
    assert.equal(rental.dateAvailable, '2026-12-01');
    assert.deepEqual(rental.photos, []);
    assert.deepEqual(rental.propertyAmenities, ['Dishwasher']);
    assert.equal(rental.isActive, true);
  });

  it('matches enum values ignoring case and spaces', () => {
    const showing = decode(
      showingSchema,
      {
        showingId: 1,
        applicationId: 2,
        propertyId: 3,
        requestedTimes: ['2026-11-05T16:00:00Z'],
        status: 'No Show',
        cancellationSource: 'rentaldeactivated',
        dateCreated: '2026-11-01T10:00:00Z',
        dateUpdated: '2026-11-01T10:00:00Z',
      },
      'Showing',
    );
    assert.equal(showing.status, 'NoShow');
    assert.equal(showing.cancellationSource, 'RentalDeactivated');
    assert.equal(showing.rescheduled, false);
    assert.deepEqual(showing.requestedTimes, [new Date('2026-11-05T16:00:00Z')]);
  });

  it('keeps a task due date as a calendar date', () => {
    const task = decode(
      taskSchema,
      {
        TaskId: 5,
        ApplicationId: 2,
        Title: 'Call back',
        TaskStatus: 'InProgress',
        DueDate: '2026-12-24',
        DateCreated: '2026-11-01T10:00:00Z',
        DateUpdated: '2026-11-01T10:00:00Z',
      },
      'Task',
    );
    assert.equal(task.dueDate, '2026-12-24');
    assert.equal(task.priority, undefined);
  });

  it('says which resource and field it could not read', () => {
    assert.throws(
      () => decode(rentalAddressSchema, { PropertyId: 'abc', City: 'X' }, 'RentalAddress'),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'unexpected' &&
        /RentalAddress/.test(error.message) &&
        /propertyId/.test(error.message),
    );
  });
});

describe('writing Tenant Turner JSON', () => {
  it('sends PascalCase keys at every depth, ISO dates, and leaves undefined out', () => {
    assert.deepEqual(
      toWire({
        firstName: 'Ada',
        phone: undefined,
        requestedTimes: [new Date('2026-11-05T16:00:00Z')],
        photos: [{ url: 'https://x/1.jpg', order: 1 }],
      }),
      {
        FirstName: 'Ada',
        RequestedTimes: ['2026-11-05T16:00:00.000Z'],
        Photos: [{ Url: 'https://x/1.jpg', Order: 1 }],
      },
    );
  });
});
