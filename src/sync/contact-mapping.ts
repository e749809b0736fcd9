/**
 * GHL contact → Tenant Turner lead draft, as the mapping says (pure; no I/O). The rental is
 * left as a hint (a property id, or an address for the matcher) because resolving an address
 * needs Tenant Turner's rental list.
 */
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';
import type { Lead } from '../tenant-turner/resources.ts';
import type { Mapping } from './mapping-config.ts';

/** The contact fields the mapping reads (a GHL contact, a search hit or a webhook payload). */
export interface ContactLike {
  id: string;
  locationId?: string | undefined;
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  name?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  source?: string | null | undefined;
  companyName?: string | null | undefined;
  address1?: string | null | undefined;
  tags?: readonly string[] | null | undefined;
  customFields?: readonly { id: string; value?: unknown }[] | null | undefined;
  dateUpdated?: string | null | undefined;
}

/** The lead fields ttsync writes. */
export interface LeadFields {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  source: string;
  externalId: string;
  externalSource: string;
}

/** Where the rental comes from, before it is resolved against Tenant Turner's rentals. */
export type RentalHint =
  { propertyId: number; rule: string } | { address: string; rule: string } | undefined;

/** A mapped contact. */
export interface LeadDraft {
  fields: LeadFields;
  /** Lead field → the GHL field it came from (provenance). */
  sources: Record<keyof LeadFields, string>;
  rental: RentalHint;
  /** What could not be mapped, in words a user can act on. */
  problems: string[];
}

export const EXTERNAL_SOURCE = 'HighLevel';

/** Maps `contact` with `mapping`. */
export function mapContact(contact: ContactLike, mapping: Mapping): LeadDraft {
  const problems: string[] = [];
  const read = (field: string): string => text(readField(contact, field));
  let firstName = read(mapping.fields.firstName);
  let lastName = read(mapping.fields.lastName);
  const sources: LeadDraft['sources'] = {
    firstName: mapping.fields.firstName,
    lastName: mapping.fields.lastName,
    email: mapping.fields.email,
    phone: mapping.fields.phone,
    source: mapping.fields.source,
    externalId: 'id',
    externalSource: '(constant)',
  };
  if (!firstName && !lastName && contact.name) {
    // GHL often has only `name` (forms, imports): first word is the first name, the rest the last.
    const [first = '', ...rest] = contact.name.trim().split(/\s+/);
    firstName = first;
    lastName = rest.join(' ');
    sources.firstName = 'name';
    sources.lastName = 'name';
  }
  if (!firstName) {
    firstName = mapping.defaultFirstName;
    sources.firstName = '(defaultFirstName)';
  }
  if (!lastName) {
    lastName = mapping.defaultLastName;
    sources.lastName = '(defaultLastName)';
  }
  const email = read(mapping.fields.email).toLowerCase();
  const rawPhone = read(mapping.fields.phone);
  const phone = rawPhone ? toE164(rawPhone, mapping.defaultCountry as CountryCode) : '';
  if (rawPhone && !phone) {
    problems.push(`phone "${rawPhone}" is not a valid number; the lead gets no phone`);
  }
  // Tenant Turner's lead create takes Email and Phone as required (tenant-turner-api.md §2.1).
  if (!email) problems.push('the contact has no email, which Tenant Turner requires');
  if (!phone && !rawPhone) problems.push('the contact has no phone, which Tenant Turner requires');
  const source = read(mapping.fields.source) || mapping.defaultSource;
  if (!read(mapping.fields.source)) sources.source = '(defaultSource)';
  return {
    fields: {
      firstName,
      lastName,
      email,
      phone,
      source,
      externalId: contact.id,
      externalSource: EXTERNAL_SOURCE,
    },
    sources,
    rental: rentalHint(contact, mapping),
    problems,
  };
}

/**
 * A phone number in E.164, or '' when it cannot be one. Numbers of a possible length are kept
 * even when no carrier range is known for them (libphonenumber's `isPossible`, not `isValid`):
 * ranges change faster than the library, and fictional 555-01xx numbers fill test accounts.
 */
export function toE164(raw: string, defaultCountry: CountryCode): string {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry);
  return parsed?.isPossible() ? parsed.number : '';
}

/** Stable SHA-256 of a JSON value (object keys sorted), hex. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function rentalHint(contact: ContactLike, mapping: Mapping): RentalHint {
  for (const [index, rule] of mapping.rental.entries()) {
    const name = `rental[${index}]`;
    if ('default' in rule) return { propertyId: rule.default, rule: `${name} default` };
    if ('tag' in rule) {
      const pattern = new RegExp(rule.tag);
      for (const tag of contact.tags ?? []) {
        const id = Number(pattern.exec(tag)?.[1]);
        if (Number.isInteger(id) && id > 0) return { propertyId: id, rule: `${name} tag ${tag}` };
      }
      continue;
    }
    const value = text(
      'customField' in rule
        ? readField(contact, `customField:${rule.customField}`)
        : contact.address1,
    );
    if (!value) continue;
    if (rule.as === 'address') return { address: value, rule: `${name} address "${value}"` };
    const id = Number(value);
    if (Number.isInteger(id) && id > 0) return { propertyId: id, rule: `${name} custom field` };
  }
  return undefined;
}

function readField(contact: ContactLike, field: string): unknown {
  if (field.startsWith('customField:')) {
    const id = field.slice('customField:'.length);
    return contact.customFields?.find((f) => f.id === id)?.value;
  }
  return (contact as unknown as Record<string, unknown>)[field];
}

function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  return '';
}

/** A lead in the shape ttsync writes (how a lead read from Tenant Turner is compared). */
export function leadStateOf(lead: Lead): LeadFields & { propertyId?: number } {
  return {
    firstName: lead.firstName ?? '',
    lastName: lead.lastName ?? '',
    email: (lead.email ?? '').toLowerCase(),
    phone: lead.phone ?? '',
    source: lead.source ?? '',
    externalId: lead.externalId ?? '',
    externalSource: lead.externalSource ?? '',
    ...(lead.propertyId !== undefined ? { propertyId: lead.propertyId } : {}),
  };
}
