/**
 * The fixed part of a sandbox, derived from the start seed: company, the main and the second
 * location, the OAuth app, users, custom field definitions and calendars. A reset re-seeds
 * contacts and their activity but keeps the identity, so minted tokens stay valid.
 */
import { nextHex, nextId, nextLowerAlnum, nextUuid } from './ids.ts';
import type { CalendarRecord, CustomFieldDefinition, LocationRecord, UserRecord } from './model.ts';
import { createPrng } from '../shared/prng.ts';
import type { Prng } from '../shared/prng.ts';

/** The Marketplace app whose credentials the sandbox accepts. */
export interface SandboxApp {
  /** 24 hex digits; GHL puts it in `appId` of webhooks. */
  appId: string;
  clientId: string;
  clientSecret: string;
  versionId: string;
}

export interface SandboxIdentity {
  companyId: string;
  /** Main location first, then the second location used for 403 tests. */
  locations: LocationRecord[];
  app: SandboxApp;
  users: UserRecord[];
  customFields: CustomFieldDefinition[];
  calendars: CalendarRecord[];
}

export interface IdentityOptions {
  seed: number;
  locationId?: string;
  allowDuplicateContacts: boolean;
}

function location(
  prng: Prng,
  id: string,
  companyId: string,
  name: string,
  allowDuplicates: boolean,
): LocationRecord {
  return {
    id,
    companyId,
    name,
    address: `${prng.between(100, 999)} Market St`,
    city: 'Austin',
    state: 'TX',
    country: 'US',
    postalCode: '78701',
    timezone: 'America/Chicago',
    allowDuplicateContacts: allowDuplicates,
  };
}

function customFields(prng: Prng, locationId: string, full: boolean): CustomFieldDefinition[] {
  const defs: Omit<CustomFieldDefinition, 'id' | 'locationId' | 'position'>[] = [
    {
      name: 'Rental',
      fieldKey: 'contact.rental',
      dataType: 'TEXT',
      placeholder: 'Property address',
      model: 'contact',
    },
  ];
  if (full) {
    defs.push(
      {
        name: 'Move-in Date',
        fieldKey: 'contact.move_in_date',
        dataType: 'DATE',
        placeholder: '',
        model: 'contact',
      },
      {
        name: 'Monthly Budget',
        fieldKey: 'contact.monthly_budget',
        dataType: 'MONETORY',
        placeholder: '',
        model: 'contact',
      },
      {
        name: 'Tenant Turner ID',
        fieldKey: 'contact.tenant_turner_id',
        dataType: 'TEXT',
        placeholder: '',
        model: 'contact',
      },
      {
        name: 'Pets',
        fieldKey: 'contact.pets',
        dataType: 'SINGLE_OPTIONS',
        placeholder: '',
        picklistOptions: ['None', 'Cat', 'Dog', 'Other'],
        model: 'contact',
      },
      {
        name: 'Deal Source',
        fieldKey: 'opportunity.deal_source',
        dataType: 'TEXT',
        placeholder: '',
        model: 'opportunity',
      },
    );
  }
  return defs.map((def, position) => ({ ...def, id: nextId(prng), locationId, position }));
}

/** Builds the identity; the same seed gives the same ids. */
export function createIdentity(options: IdentityOptions): SandboxIdentity {
  const prng = createPrng(options.seed, 'identity');
  const mainId = nextId(prng);
  const otherId = nextId(prng);
  const companyId = nextId(prng);
  const appId = nextHex(prng, 24);
  const app: SandboxApp = {
    appId,
    clientId: `${appId}-${nextLowerAlnum(prng, 8)}`,
    clientSecret: nextUuid(prng),
    versionId: nextHex(prng, 24),
  };
  const main = location(
    prng,
    options.locationId ?? mainId,
    companyId,
    'Sandbox Property Management',
    options.allowDuplicateContacts,
  );
  const other = location(
    prng,
    otherId,
    companyId,
    'Other Sub-Account',
    options.allowDuplicateContacts,
  );
  const people: [string, string, 'admin' | 'user'][] = [
    ['Avery', 'Leasing', 'admin'],
    ['Jordan', 'Agent', 'user'],
    ['Casey', 'Showings', 'user'],
  ];
  const users: UserRecord[] = people.map(([firstName, lastName, role], i) => ({
    id: nextId(prng),
    firstName,
    lastName,
    email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@sandbox-pm.example.com`,
    phone: `+1512555010${i}`,
    role,
    locationIds: [main.id],
  }));
  users.push({
    id: nextId(prng),
    firstName: 'Morgan',
    lastName: 'Other',
    email: 'morgan.other@other-subaccount.example.com',
    phone: '+15125550199',
    role: 'admin',
    locationIds: [other.id],
  });
  const groupMain = nextId(prng);
  const groupOther = nextId(prng);
  const calendars: CalendarRecord[] = [
    { id: nextId(prng), locationId: main.id, groupId: groupMain, name: 'Property Showings' },
    { id: nextId(prng), locationId: main.id, groupId: groupMain, name: 'Office Meetings' },
    { id: nextId(prng), locationId: other.id, groupId: groupOther, name: 'Showings' },
  ];
  return {
    companyId,
    locations: [main, other],
    app,
    users,
    customFields: [...customFields(prng, main.id, true), ...customFields(prng, other.id, false)],
    calendars,
  };
}
