/**
 * Deterministic seed data for the Tenant Turner sandbox: rentals, leads in every state, and
 * showings in every status. Ids, names and states depend only on the seed; dates are days before
 * `anchorMs` (the start of the sandbox's first UTC day), so they stay inside the two-year
 * `SinceDateUpdated` window whenever the sandbox runs.
 */
import { createPrng } from '../shared/prng.ts';
import type { Prng } from '../shared/prng.ts';
import { OWN_SOURCE } from './announcer.ts';
import type {
  CancellationSource,
  Disposition,
  LeadRecord,
  PropertyRecord,
  QualificationStatus,
  ShowingRecord,
  ShowingStatus,
} from './model.ts';
import type { TtState } from './state.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface SeedCounts {
  rentals: number;
  leads: number;
  showings: number;
}

const GIVEN = ['Ada', 'Bram', 'Carmen', 'Dev', 'Elena', 'Femi', 'Gus', 'Hana', 'Ines', 'Jonas'];
const FAMILY = ['Abbott', 'Baptiste', 'Castillo', 'Dubois', 'Eriksen', 'Fontaine', 'Gupta', 'Holm'];
const PLACES: [string, string, string][] = [
  ['Richmond', 'VA', '23235'],
  ['Charlotte', 'NC', '28202'],
  ['Nashville', 'TN', '37203'],
  ['Tampa', 'FL', '33602'],
];
const STREETS = ['Main Street', 'Birch Road', 'Harbor View', 'Willow Court', 'Station Avenue'];
const KINDS = ['Single Family', 'Apartment', 'Townhouse', 'Condo'];
const SOURCES = ['Zillow', 'Apartments.com', 'Website', 'Facebook Marketplace', 'Walk-in'];

function weighted<T>(prng: Prng, choices: readonly (readonly [T, number])[]): T {
  let roll = prng.next();
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  const last = choices.at(-1);
  if (last === undefined) throw new Error('weighted pick from no choices');
  return last[0];
}

function seedProperty(prng: Prng, state: TtState, anchorMs: number): PropertyRecord {
  const [city, region, zip] = prng.pick(PLACES);
  const rent = prng.between(36, 140) * 25;
  const createdMs = anchorMs - prng.between(20, 60) * DAY_MS;
  const id = state.newId('property');
  const external = prng.chance(0.5);
  return {
    id,
    fields: {
      Address: `${prng.between(10, 2999)} ${prng.pick(STREETS)}`,
      Address2: prng.chance(0.3) ? `Unit ${prng.between(1, 30)}` : null,
      City: city,
      State: region,
      ZipCode: zip,
      PropertyType: prng.pick(KINDS),
      SquareFootage: prng.between(12, 60) * 50,
      Bedrooms: prng.between(1, 5),
      Bathrooms: prng.between(2, 7) / 2,
      RentAmount: rent,
      DepositAmount: rent,
      ApplicationFee: 50,
      Description: 'Bright rental close to shops and transit.',
      DateAvailable: new Date(anchorMs + prng.between(0, 30) * DAY_MS).toISOString().slice(0, 10),
      PropertyAmenities: prng.chance(0.5) ? ['Dishwasher', 'Parking'] : [],
      ExternalId: external ? `AF-${id}` : null,
      ExternalSource: external ? 'Appfolio' : null,
    },
    active: prng.chance(0.85),
    createdMs,
    updatedMs: createdMs + prng.between(0, 10) * DAY_MS,
  };
}

function seedLead(
  prng: Prng,
  state: TtState,
  index: number,
  anchorMs: number,
  startMs: number,
): LeadRecord {
  const firstName = prng.pick(GIVEN);
  const lastName = prng.pick(FAMILY);
  const properties = [...state.properties.keys()];
  const qualification = weighted<QualificationStatus>(prng, [
    ['Pending', 0.5],
    ['Qualified', 0.35],
    ['Disqualified', 0.15],
  ]);
  const disposition = weighted<Disposition>(prng, [
    ['Active', 0.8],
    ['Archived', 0.12],
    ['Declined', 0.08],
  ]);
  const createdMs = anchorMs - prng.between(1, 30) * DAY_MS + prng.between(8, 20) * HOUR_MS;
  // 7919 is coprime with 10^7, so every index gets its own phone number.
  const suffix = String((index * 7919 + 4021) % 10_000_000).padStart(7, '0');
  return {
    id: state.newId('lead'),
    firstName,
    lastName,
    email: `${firstName}.${lastName}.${index}@example.org`.toLowerCase(),
    phone: `+1555${suffix}`,
    propertyId: properties.length > 0 ? prng.pick(properties) : null,
    source: prng.pick(SOURCES),
    externalId: null,
    externalSource: null,
    qualification,
    disposition,
    tenantSelected: qualification === 'Qualified' && disposition === 'Active' && prng.chance(0.1),
    createdMs,
    updatedMs: Math.min(anchorMs, createdMs + prng.between(0, 48) * HOUR_MS),
    // Seeded leads count as having responded when the sandbox starts: none archives at once.
    lastResponseMs: startMs,
  };
}

function seedShowing(prng: Prng, state: TtState, lead: LeadRecord): ShowingRecord | null {
  const propertyId = lead.propertyId ?? [...state.properties.keys()][0];
  if (propertyId === undefined) return null;
  const day = Math.floor(lead.createdMs / DAY_MS) * DAY_MS;
  const requestedTimes = Array.from({ length: prng.between(1, 3) }, (_, i) =>
    new Date(day + (i + 1) * DAY_MS + prng.pick([10, 14, 17]) * HOUR_MS)
      .toISOString()
      .replace('.000Z', 'Z'),
  );
  const status = weighted<ShowingStatus>(prng, [
    ['Requested', 0.3],
    ['Scheduled', 0.25],
    ['Confirmed', 0.2],
    ['Cancelled', 0.15],
    ['NoShow', 0.1],
  ]);
  const createdMs = lead.createdMs + prng.between(1, 6) * HOUR_MS;
  const scheduled = status === 'Requested' ? null : Date.parse(requestedTimes[0] ?? '');
  return {
    id: state.newId('showing'),
    applicationId: lead.id,
    propertyId,
    requestedTimes,
    scheduledMs: scheduled,
    status,
    cancellationSource:
      status === 'Cancelled'
        ? prng.pick<CancellationSource>(['Lead', 'User', 'Unconfirmed'])
        : null,
    rescheduled: status !== 'Requested' && prng.chance(0.15),
    feedback:
      status === 'Confirmed' && prng.chance(0.4) ? 'Liked the kitchen; asked about pets.' : null,
    notes: prng.chance(0.3) ? 'Prefers evenings.' : null,
    externalId: null,
    createdMs,
    updatedMs: Math.max(createdMs, lead.updatedMs),
  };
}

function timeline(
  state: TtState,
  applicationId: number,
  type: string,
  atMs: number,
  refId: string | null,
): void {
  state.activities.put({
    id: state.newId('activity'),
    applicationId,
    type,
    occurredMs: atMs,
    summary: `${type} (seed data).`,
    source: OWN_SOURCE,
    refId,
    externalId: null,
  });
}

/** Fills an empty state. `startMs` is the sandbox clock at seeding (the leads' idle clock). */
export function seedState(state: TtState, seed: number, counts: SeedCounts, startMs: number): void {
  const prng = createPrng(seed, 'tt-seed-data');
  const anchorMs = Math.floor(startMs / DAY_MS) * DAY_MS;
  for (let i = 0; i < counts.rentals; i++) {
    const property = seedProperty(prng, state, anchorMs);
    state.properties.set(property.id, property);
  }
  const leads: LeadRecord[] = [];
  for (let i = 0; i < counts.leads; i++) {
    const lead = seedLead(prng, state, i, anchorMs, startMs);
    state.putLead(lead);
    leads.push(lead);
    timeline(state, lead.id, 'Lead Created', lead.createdMs, null);
  }
  const bookable = leads.filter(
    (lead) => lead.disposition !== 'Declined' && lead.qualification !== 'Disqualified',
  );
  for (let i = 0; i < counts.showings && bookable.length > 0; i++) {
    const showing = seedShowing(prng, state, prng.pick(bookable));
    if (showing === null) break;
    state.showings.put(showing);
    timeline(
      state,
      showing.applicationId,
      'Viewing Requested',
      showing.createdMs,
      String(showing.id),
    );
  }
}
