import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchAddress } from '../src/tenant-turner/address-match.ts';
import type { AddressLike } from '../src/tenant-turner/address-match.ts';
import { readAddress, streetParts } from '../src/tenant-turner/address-parse.ts';

/** The account's rentals as `/v1/properties/sync` lists them (ids in `externalId` for the tests). */
type Row = AddressLike & { id: string };
const row = (
  id: string,
  address: string,
  address2: string | undefined,
  city: string,
  state: string,
  zipCode: string,
): Row => ({
  id,
  address,
  ...(address2 === undefined ? {} : { address2 }),
  city,
  state,
  zipCode,
});

const RENTALS: Row[] = [
  row('main-4', '123 North Main Street', 'Apt 4', 'Springfield', 'IL', '62704'),
  row('main-5', '123 North Main Street', 'Apt 5', 'Springfield', 'IL', '62704'),
  row('main-s', '123 South Main Street', 'Apt 4', 'Springfield', 'IL', '62704'),
  row('main-125', '125 N Main St', undefined, 'Springfield', 'IL', '62704'),
  row('oak', '9 Oak Avenue', undefined, 'Springfield', 'IL', '62701'),
  row('oak-st', '9 Oak Street', undefined, 'Springfield', 'IL', '62701'),
  row('lake', '12 Lake Shore Dr', undefined, 'Lake Forest', 'IL', '60045'),
  row('w42', '500 W 42nd St', '#12B', 'New York', 'NY', '10036-1234'),
  row('court', '77 Main Ct', undefined, 'Hartford', 'CT', '06103'),
  row('first', '1 First Street NW', 'Unit 2', 'Washington', 'DC', '20001'),
  row('blvd', '4500 Sunset Boulevard', 'Suite 300', 'Los Angeles', 'CA', '90027'),
  row('stlouis', '15 Saint Charles Pl', undefined, 'St. Louis', 'MO', '63101'),
  row('half', '221 1/2 Baker St', undefined, 'Portland', 'OR', '97201'),
  row('elm-a', '40 Elm Rd', 'Apt A', 'Austin', 'TX', '78701'),
  row('elm-b', '40 Elm Rd', 'Apt B', 'Austin', 'TX', '78701'),
  row('pine-austin', '8 Pine Ln', undefined, 'Austin', 'TX', '78702'),
  row('pine-dallas', '8 Pine Ln', undefined, 'Dallas', 'TX', '75201'),
  row('highland', '300 Highland Pkwy', undefined, 'Hollywood', 'CA', '90028'),
];

function expectMatch(text: string, id: string, confidence?: 'exact' | 'partial'): void {
  const result = matchAddress(text, RENTALS);
  if (!result.matched) assert.fail(`"${text}" should match ${id}: ${result.message}`);
  assert.equal(result.rental.id, id, `"${text}" matched ${result.rental.id}: ${result.reason}`);
  if (confidence) assert.equal(result.confidence, confidence, result.reason);
  assert.ok(result.reason.length > 0);
}

function expectNone(text: string, reason: 'no_match' | 'ambiguous' | 'no_house_number'): void {
  const result = matchAddress(text, RENTALS);
  if (result.matched)
    assert.fail(`"${text}" must not match, got ${result.rental.id} (${result.reason})`);
  assert.equal(result.reason, reason, result.message);
}

describe('address matching: the same place written differently', () => {
  const pairs: [string, string, ('exact' | 'partial')?][] = [
    ['123 North Main Street Apt 4, Springfield, IL 62704', 'main-4', 'exact'],
    ['123 N Main St #4, Springfield, IL 62704', 'main-4', 'exact'],
    ['123 N. Main St., Unit 4, Springfield IL 62704', 'main-4', 'exact'],
    ['123 n main street ste 4 springfield il 62704', 'main-4', 'exact'],
    ['123 N MAIN ST APT #4 SPRINGFIELD ILLINOIS 62704-1234', 'main-4', 'exact'],
    ['  123   North  Main   St ,  Apt. 4 ,  Springfield ,  IL  ', 'main-4', 'partial'],
    ['123 N Main Apt 5', 'main-5', 'partial'],
    ['123 Main St Apt 5, Springfield', 'main-5', 'partial'],
    ['123 N Main St Apt4', 'main-4', 'partial'],
    ['125 North Main Street, Springfield, IL', 'main-125', 'partial'],
    ['9 Oak Ave, Springfield, IL 62701', 'oak', 'exact'],
    ['9 oak avenue springfield', 'oak', 'partial'],
    ['12 Lake Shore Drive, Lake Forest, Illinois 60045', 'lake', 'exact'],
    ['12 lake shore dr lake forest il', 'lake', 'partial'],
    ['500 West 42nd Street, Apt 12-B, New York, NY 10036', 'w42', 'exact'],
    ['500 W. 42nd St. #12b New York NY 10036-9999', 'w42', 'exact'],
    ['1 1st St NW Unit 2 Washington DC 20001', 'first', 'exact'],
    ['1 First Street Northwest, #2, Washington, District of Columbia', 'first', 'partial'],
    ['4500 Sunset Blvd Ste 300 Los Angeles CA 90027', 'blvd', 'exact'],
    ['4500 SUNSET BLVD. SUITE 300, LOS ANGELES, CALIFORNIA', 'blvd', 'partial'],
    ['15 St. Charles Place, Saint Louis, MO 63101', 'stlouis', 'exact'],
    ['221 1/2 Baker Street, Portland, OR 97201', 'half', 'exact'],
    ['40 Elm Road Apt B Austin TX', 'elm-b', 'partial'],
    ['8 Pine Lane, Dallas, TX', 'pine-dallas', 'partial'],
    ['8 Pine Ln 78702', 'pine-austin', 'partial'],
    ['77 Main Court, Hartford, CT 06103', 'court', 'exact'],
    ['77 Main Ct', 'court', 'partial'],
    // Same ZIP, a different place name USPS also accepts for it.
    ['300 Highland Parkway, Los Angeles, CA 90028', 'highland', 'partial'],
  ];
  for (const [text, id, confidence] of pairs) {
    it(`"${text}" → ${id}`, () => expectMatch(text, id, confidence));
  }
});

describe('address matching: near misses that must not match', () => {
  const negatives: [string, 'no_match' | 'ambiguous' | 'no_house_number'][] = [
    // A unit the account does not have at that address.
    ['123 N Main St Apt 6, Springfield, IL 62704', 'no_match'],
    // A different house number on the same street.
    ['124 N Main St Apt 4, Springfield, IL 62704', 'no_match'],
    // Opposite directional.
    ['125 S Main St, Springfield, IL', 'no_match'],
    // Same number and name, different suffix.
    ['9 Oak Blvd, Springfield, IL', 'no_match'],
    // Same street, different ZIP.
    ['9 Oak Ave, Springfield, IL 62702', 'no_match'],
    // Same street, different state.
    ['9 Oak Ave, Springfield, MO', 'no_match'],
    // Same street, different city and no ZIP to vouch for it.
    ['9 Oak Ave, Chicago', 'no_match'],
    // A different street name.
    ['123 N Maine St Apt 4', 'no_match'],
    ['500 W 43rd St #12B New York NY', 'no_match'],
    // Two units, no unit given.
    ['123 North Main Street, Springfield, IL 62704', 'ambiguous'],
    ['40 Elm Rd, Austin TX', 'ambiguous'],
    // Same street in two cities, no city given.
    ['8 Pine Ln, TX', 'ambiguous'],
    // Unit "4" exists at North and South Main: the directional decides; without it, a tie.
    ['123 Main St Apt 4', 'ambiguous'],
    ['Main Street Apt 4, Springfield', 'no_house_number'],
  ];
  for (const [text, reason] of negatives) {
    it(`"${text}" → ${reason}`, () => expectNone(text, reason));
  }

  it('reports the near misses and why they differ', () => {
    const result = matchAddress('123 N Main St Apt 6', RENTALS);
    assert.equal(result.matched, false);
    if (result.matched) return;
    assert.deepEqual(
      result.candidates.map((rental) => rental.id),
      ['main-4', 'main-5', 'main-s'],
    );
    assert.match(result.message, /unit 6 ≠ 4/);
    assert.match(result.message, /directional N ≠ S/);
  });

  it('prefers the exact unit over the bare building, and the bare building when no unit is given', () => {
    const rentals = [
      row('house', '10 Cedar St', undefined, 'Boise', 'ID', '83702'),
      row('apt', '10 Cedar St', 'Apt 1', 'Boise', 'ID', '83702'),
    ];
    const withUnit = matchAddress('10 Cedar St Apt 1 Boise ID', rentals);
    assert.ok(withUnit.matched && withUnit.rental.id === 'apt');
    const without = matchAddress('10 Cedar St Boise ID', rentals);
    assert.ok(without.matched && without.rental.id === 'house');
  });
});

describe('address reading', () => {
  it('splits house number, unit, ZIP and a trailing state, and abbreviates per Publication 28', () => {
    const reading = readAddress(
      '123 North Main Street, Apt. #4-B, Springfield, Illinois 62704-1234',
    );
    assert.equal(reading.houseNumber, '123');
    assert.equal(reading.unit, '4B');
    assert.equal(reading.zip, '62704');
    assert.deepEqual(reading.words, ['N', 'MAIN', 'ST', 'SPRINGFIELD', 'ILLINOIS']);
    assert.deepEqual(reading.states, [{ words: 1, code: 'IL' }]);
    assert.deepEqual([...reading.commas], [3, 4]);
  });

  it('keeps a word that is a designator or directional when it is the street name', () => {
    assert.deepEqual(streetParts(['N', 'ST']), {
      preDirectional: undefined,
      name: ['N'],
      suffix: 'ST',
      postDirectional: undefined,
    });
    assert.deepEqual(readAddress('100 Unit Rd').words, ['UNIT', 'RD']);
    assert.equal(readAddress('100 Unit Rd').unit, undefined);
  });
});
