/**
 * The contact → lead mapping: fields, fallbacks, normalisation, rental rules, and a mapping file
 * whose mistakes are reported by field.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentHash, mapContact, toE164 } from '../src/sync/contact-mapping.ts';
import { parseMapping } from '../src/sync/mapping-config.ts';

const defaults = parseMapping({});

describe('contact → lead mapping', () => {
  test('maps names, lowercases the email, writes the phone in E.164, keeps the contact id', () => {
    const draft = mapContact(
      {
        id: 'c1',
        firstName: ' Ana ',
        lastName: 'Lima',
        email: 'Ana.Lima@Example.COM',
        phone: '(415) 555-0132',
        source: 'Zillow',
      },
      defaults,
    );
    assert.deepEqual(draft.fields, {
      firstName: 'Ana',
      lastName: 'Lima',
      email: 'ana.lima@example.com',
      phone: '+14155550132',
      source: 'Zillow',
      externalId: 'c1',
      externalSource: 'HighLevel',
    });
    assert.deepEqual(draft.problems, []);
    assert.equal(draft.rental, undefined);
  });

  test('falls back to splitting name, and to the default source', () => {
    const draft = mapContact({ id: 'c2', name: 'Mary Ann de Souza', email: 'm@x.io' }, defaults);
    assert.equal(draft.fields.firstName, 'Mary');
    assert.equal(draft.fields.lastName, 'Ann de Souza');
    assert.equal(draft.sources.firstName, 'name');
    assert.equal(draft.fields.source, 'HighLevel');
    const single = mapContact({ id: 'c5', firstName: 'Dana', email: 'd@x.io' }, defaults);
    assert.equal(single.fields.lastName, 'Unknown', 'Tenant Turner requires a last name');
    assert.equal(single.sources.lastName, '(defaultLastName)');
  });

  test('an invalid phone is reported and left out; a missing email or phone is a problem', () => {
    const bad = mapContact({ id: 'c3', firstName: 'A', phone: '123' }, defaults);
    assert.equal(bad.fields.phone, '');
    assert.match(bad.problems.join(' '), /not a valid number/);
    assert.match(bad.problems.join(' '), /no email, which Tenant Turner requires/);
    const noPhone = mapContact({ id: 'c4', firstName: 'A', email: 'a@b.c' }, defaults);
    assert.match(noPhone.problems.join(' '), /no phone, which Tenant Turner requires/);
    assert.equal(toE164('+44 20 7946 0958', 'US'), '+442079460958');
    assert.equal(toE164('07946 0958', 'US'), '');
    assert.equal(toE164('555-0100', 'US'), '', 'too short to be a US number');
    assert.equal(toE164('(212) 555-0100', 'US'), '+12125550100', 'a fictional number is kept');
  });

  test('rental rules are tried in order: custom field id, tag, address, default', () => {
    const mapping = parseMapping({
      rental: [
        { customField: 'cfProp', as: 'propertyId' },
        { tag: '^rental-(\\d+)$' },
        { field: 'address1', as: 'address' },
        { default: 77 },
      ],
    });
    const base = { id: 'c', email: 'a@b.c' };
    assert.deepEqual(
      mapContact({ ...base, customFields: [{ id: 'cfProp', value: '12' }] }, mapping).rental,
      { propertyId: 12, rule: 'rental[0] custom field' },
    );
    assert.deepEqual(mapContact({ ...base, tags: ['vip', 'rental-34'] }, mapping).rental, {
      propertyId: 34,
      rule: 'rental[1] tag rental-34',
    });
    assert.deepEqual(mapContact({ ...base, address1: '12 Oak St Apt 4' }, mapping).rental, {
      address: '12 Oak St Apt 4',
      rule: 'rental[2] address "12 Oak St Apt 4"',
    });
    assert.deepEqual(mapContact(base, mapping).rental, {
      propertyId: 77,
      rule: 'rental[3] default',
    });
  });

  test('the hash ignores key order and changes with any value', () => {
    assert.equal(contentHash({ a: 1, b: 'x' }), contentHash({ b: 'x', a: 1 }));
    assert.notEqual(contentHash({ a: 1, b: 'x' }), contentHash({ a: 1, b: 'y' }));
  });
});

describe('mapping file', () => {
  test('every mistake is listed with its field', () => {
    assert.throws(
      () =>
        parseMapping(
          {
            defaultCountry: 'usa',
            fields: { email: 'emial' },
            rental: [{ tag: '(' }, { default: -1 }, { customField: 'x y', as: 'propertyId' }],
            extra: true,
          },
          'ttsync.mapping.json',
        ),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'config_invalid');
        for (const field of [
          'ttsync.mapping.json: defaultCountry',
          'fields.email: must be one of',
          'rental[0]',
          'rental[1]',
          'rental[2]',
          'extra',
        ]) {
          assert.ok(error.message.includes(field), `names ${field}:\n${error.message}`);
        }
        return true;
      },
    );
  });

  test('the version changes with the content and is stable otherwise', () => {
    assert.equal(parseMapping({}).version, parseMapping({}).version);
    assert.notEqual(parseMapping({}).version, parseMapping({ defaultSource: 'Web' }).version);
  });
});
