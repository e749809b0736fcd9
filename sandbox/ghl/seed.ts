/**
 * Deterministic seed data: contacts spread over 2023-2024 (fixed dates, not "now", so the same
 * seed always gives identical records), each with 0-3 tasks, 0-2 notes and 0-1 appointments.
 */
import { nextId } from './ids.ts';
import type {
  AppointmentRecord,
  CalendarRecord,
  ContactRecord,
  CustomFieldDefinition,
  LocationRecord,
  NoteRecord,
  TaskRecord,
} from './model.ts';
import { createPrng } from '../shared/prng.ts';
import type { Prng } from '../shared/prng.ts';
import type { SandboxState } from './state.ts';

const SEED_START_MS = Date.UTC(2023, 0, 1);
const SEED_END_MS = Date.UTC(2025, 0, 1);
const DAY_MS = 86_400_000;
/** Contacts seeded into the second location (enough for 403 tests). */
const OTHER_LOCATION_CONTACTS = 5;

const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Elijah',
  'Sophia',
  'James',
  'Isabella',
  'Lucas',
  'Mia',
  'Mateo',
  'Amelia',
  'Benjamin',
  'Harper',
  'Levi',
  'Evelyn',
  'Henry',
  'Luna',
  'Diego',
  'Priya',
  'Wei',
  'Fatima',
  'Kofi',
  'Yuki',
  'Aaliyah',
  'Santiago',
  'Chloe',
  'Omar',
  'Grace',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Nguyen',
  'Patel',
  'Kim',
  'Chen',
  "O'Brien",
  'Okafor',
  'Schmidt',
  'Rossi',
  'Cohen',
  'Silva',
];
const CITIES: [string, string, string][] = [
  ['Austin', 'TX', '78701'],
  ['Dallas', 'TX', '75201'],
  ['Denver', 'CO', '80202'],
  ['Phoenix', 'AZ', '85004'],
  ['Atlanta', 'GA', '30303'],
  ['Raleigh', 'NC', '27601'],
];
const STREETS = ['Oak Ave', 'Maple St', 'Cedar Ln', 'Lakeview Dr', 'Main St', 'Sunset Blvd'];
const AREA_CODES = ['512', '214', '303', '602', '404', '919'];
const SOURCES = ['public api', 'zillow', 'website form', 'referral', 'apartments.com'];
const TAGS = ['lead', 'applicant', 'tenant', 'viewing-scheduled', 'vip', 'pet-owner', 'follow-up'];
const TASK_TITLES = [
  'Call back',
  'Send application link',
  'Schedule showing',
  'Follow up on viewing',
  'Collect documents',
];
const NOTE_BODIES = [
  'Interested in a 2-bedroom near downtown.',
  'Asked about the pet policy.',
  'Prefers text messages after 5pm.',
  'Viewing went well, wants to apply.',
  'Budget is flexible for the right unit.',
];
const APPOINTMENT_STATUSES = ['confirmed', 'new', 'showed', 'noshow', 'cancelled'];

/** Per-location lookups, computed once rather than per contact. */
interface LocationSeed {
  location: LocationRecord;
  userIds: string[];
  calendars: CalendarRecord[];
  rentalFieldId: string | undefined;
  budgetFieldId: string | undefined;
  /** Businesses (`GET /contacts/business/:id`) some contacts belong to. */
  businessIds: string[];
}

function fieldId(fields: readonly CustomFieldDefinition[], key: string): string | undefined {
  return fields.find((field) => field.fieldKey === key)?.id;
}

function locationSeed(prng: Prng, state: SandboxState, location: LocationRecord): LocationSeed {
  const fields = state.customFieldsOf(location.id);
  return {
    location,
    userIds: state.usersOf(location.id).map((user) => user.id),
    calendars: state.calendarsOf(location.id),
    rentalFieldId: fieldId(fields, 'contact.rental'),
    budgetFieldId: fieldId(fields, 'contact.monthly_budget'),
    businessIds: [nextId(prng), nextId(prng)],
  };
}

function seedContact(
  prng: Prng,
  index: number,
  seed: LocationSeed,
  dateAddedMs: number,
): ContactRecord {
  const { location, userIds: users } = seed;
  const firstName = prng.pick(FIRST_NAMES);
  const lastName = prng.pick(LAST_NAMES);
  const [city, region, postalCode] = prng.pick(CITIES);
  const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
  const noEmail = prng.chance(0.08);
  const noPhone = !noEmail && prng.chance(0.08);
  // 7919 is coprime with 10^7, so the 7-digit suffix is unique per index.
  const suffix = String((index * 7919 + 1234) % 10_000_000).padStart(7, '0');
  const contact: ContactRecord = {
    id: nextId(prng),
    locationId: location.id,
    firstName,
    lastName,
    additionalEmails: [],
    tags: TAGS.filter(() => prng.chance(0.18)),
    customFields: [],
    dnd: false,
    type: 'lead',
    followers: [],
    source: prng.pick(SOURCES),
    address1: `${prng.between(10, 9999)} ${prng.pick(STREETS)}`,
    city,
    state: region,
    postalCode,
    country: 'US',
    timezone: 'America/Chicago',
    dateAddedMs,
    dateUpdatedMs: Math.min(SEED_END_MS, dateAddedMs + prng.int(30 * DAY_MS)),
  };
  if (!noEmail) {
    contact.email =
      index % 7 === 3 ? `${firstName}.${index}@Example.com` : `${local}${index}@example.com`;
  }
  if (!noPhone) contact.phone = `+1${prng.pick(AREA_CODES)}${suffix}`;
  if (prng.chance(0.03)) contact.additionalEmails = [`${local}.alt${index}@mail.example.net`];
  if (prng.chance(0.5) && users.length > 0) contact.assignedTo = prng.pick(users);
  if (prng.chance(0.1)) contact.companyName = `${prng.pick(LAST_NAMES)} Holdings`;
  // Every fifth contact belongs to one of three businesses (no PRNG draw, so other data is unchanged).
  if (index % 5 === 0) contact.businessId = `biz${location.id.slice(0, 14)}${index % 3}`;
  if (prng.chance(0.2)) {
    contact.dateOfBirth = new Date(
      Date.UTC(prng.between(1950, 2004), prng.int(12), prng.between(1, 28)),
    ).toISOString();
  }
  if (prng.chance(0.05)) {
    contact.dnd = true;
    contact.dndSettings = { SMS: { status: 'active', message: 'Opted out by reply STOP' } };
  }
  const rental = seed.rentalFieldId;
  if (rental !== undefined && prng.chance(0.6)) {
    contact.customFields.push({
      id: rental,
      value: `${prng.between(100, 999)} ${prng.pick(STREETS)} Unit ${prng.between(1, 40)}`,
    });
  }
  const budget = seed.budgetFieldId;
  if (budget !== undefined && prng.chance(0.3)) {
    contact.customFields.push({ id: budget, value: String(prng.between(9, 35) * 100) });
  }
  if (prng.chance(0.05)) contact.businessId = prng.pick(seed.businessIds);
  return contact;
}

function seedActivity(
  prng: Prng,
  contact: ContactRecord,
  seed: LocationSeed,
  state: SandboxState,
): void {
  const { userIds: users, calendars } = seed;
  const userId = (): string | undefined => (users.length > 0 ? prng.pick(users) : undefined);
  for (let i = prng.int(4); i > 0; i--) {
    const task: TaskRecord = {
      id: nextId(prng),
      locationId: contact.locationId,
      contactId: contact.id,
      title: prng.pick(TASK_TITLES),
      body: `Regarding ${contact.firstName ?? 'the lead'}'s inquiry.`,
      dueDate: new Date(contact.dateAddedMs + prng.between(1, 14) * DAY_MS).toISOString(),
      completed: prng.chance(0.4),
      dateAddedMs: contact.dateAddedMs + prng.int(DAY_MS),
    };
    const assignee = userId();
    if (assignee !== undefined) task.assignedTo = assignee;
    state.tasks.put(task);
  }
  for (let i = prng.int(3); i > 0; i--) {
    const note: NoteRecord = {
      id: nextId(prng),
      locationId: contact.locationId,
      contactId: contact.id,
      body: prng.pick(NOTE_BODIES),
      pinned: false,
      dateAddedMs: contact.dateAddedMs + prng.int(2 * DAY_MS),
    };
    const author = userId();
    if (author !== undefined) note.userId = author;
    state.notes.put(note);
  }
  const calendar = calendars.length > 0 ? prng.pick(calendars) : undefined;
  const owner = userId();
  if (calendar !== undefined && owner !== undefined && prng.chance(0.35)) {
    const startMs =
      Math.floor((contact.dateAddedMs + prng.between(1, 10) * DAY_MS) / 1_800_000) * 1_800_000;
    state.appointments.put({
      id: nextId(prng),
      locationId: contact.locationId,
      contactId: contact.id,
      calendarId: calendar.id,
      groupId: calendar.groupId,
      title: `Showing: ${contact.firstName ?? ''} ${contact.lastName ?? ''}`.trim(),
      address:
        contact.customFields[0] !== undefined
          ? String(contact.customFields[0].value)
          : 'Leasing office',
      appointmentStatus: prng.pick(APPOINTMENT_STATUSES),
      assignedUserId: owner,
      users: [owner],
      startMs,
      endMs: startMs + 1_800_000,
      source: 'booking_widget',
      dateAddedMs: contact.dateAddedMs + prng.int(DAY_MS),
      dateUpdatedMs: contact.dateAddedMs + DAY_MS,
    } satisfies AppointmentRecord);
  }
}

function seedLocation(
  prng: Prng,
  state: SandboxState,
  location: LocationRecord,
  count: number,
  indexBase: number,
): ContactRecord[] {
  const seed = locationSeed(prng, state, location);
  const gap = Math.max(1, Math.floor((SEED_END_MS - SEED_START_MS) / Math.max(1, count)));
  const contacts: ContactRecord[] = [];
  for (let i = 0; i < count; i++) {
    const dateAddedMs = SEED_START_MS + i * gap + prng.int(Math.max(1, Math.floor(gap / 2)));
    const contact = seedContact(prng, indexBase + i, seed, dateAddedMs);
    contacts.push(contact);
    seedActivity(prng, contact, seed, state);
  }
  return contacts;
}

/** Fills an empty state with `contacts` contacts in the main location and a few in the other. */
export function seedState(state: SandboxState, contacts: number): void {
  const prng = createPrng(state.seed, 'seed-data');
  const [main, other] = state.identity.locations;
  let records: ContactRecord[] = [];
  if (main !== undefined) records = seedLocation(prng, state, main, contacts, 0);
  if (other !== undefined)
    records = records.concat(seedLocation(prng, state, other, OTHER_LOCATION_CONTACTS, contacts));
  state.contacts.load(records);
  state.search.load(records);
}
