/**
 * The contact shapes GHL returns, which differ by endpoint: GET-by-id/PUT/upsert
 * (`GetContectByIdSchema`, with `name`), create (`CreateContactSchema`), the deprecated list
 * (`contactName`, never `name`) and search (`additionalEmails` as strings, `searchAfter`).
 * Absent fields are omitted (JSON drops `undefined`), never sent as null.
 */
import type { ContactRecord } from './model.ts';
import { contactFullName } from './model.ts';
import { isoUtc } from './time-format.ts';

type Json = Record<string, unknown>;

function orUndefined(text: string): string | undefined {
  return text === '' ? undefined : text;
}

function lowerNames(contact: ContactRecord): Json {
  return {
    firstNameLowerCase: contact.firstName?.toLowerCase(),
    lastNameLowerCase: contact.lastName?.toLowerCase(),
    fullNameLowerCase: orUndefined(contactFullName(contact).toLowerCase()),
  };
}

function customFields(contact: ContactRecord): Json[] {
  return contact.customFields.map((field) => ({ id: field.id, value: field.value }));
}

/** `GetContectByIdSchema` (GET /contacts/:id, PUT, upsert). */
export function contactDto(contact: ContactRecord): Json {
  return {
    id: contact.id,
    name: orUndefined(contactFullName(contact)),
    locationId: contact.locationId,
    firstName: contact.firstName,
    lastName: contact.lastName,
    email: contact.email,
    emailLowerCase: contact.email?.toLowerCase(),
    timezone: contact.timezone,
    companyName: contact.companyName,
    phone: contact.phone,
    dnd: contact.dnd,
    dndSettings: contact.dndSettings,
    type: contact.type,
    source: contact.source,
    assignedTo: contact.assignedTo,
    address1: contact.address1,
    city: contact.city,
    state: contact.state,
    country: contact.country,
    postalCode: contact.postalCode,
    website: contact.website,
    tags: [...contact.tags],
    dateOfBirth: contact.dateOfBirth,
    dateAdded: isoUtc(contact.dateAddedMs),
    dateUpdated: isoUtc(contact.dateUpdatedMs),
    ...lowerNames(contact),
    customFields: customFields(contact),
    businessId: contact.businessId,
    // Observed on GET-by-id, not in the spec: objects, unlike search's strings.
    additionalEmails: contact.additionalEmails.map((email) => ({ email })),
    followers: [...contact.followers],
  };
}

/** `CreateContactSchema` (POST /contacts/). */
export function createdContactDto(contact: ContactRecord): Json {
  const dob = contact.dateOfBirth === undefined ? undefined : new Date(contact.dateOfBirth);
  return {
    id: contact.id,
    dateAdded: isoUtc(contact.dateAddedMs),
    dateUpdated: isoUtc(contact.dateUpdatedMs),
    deleted: false,
    tags: [...contact.tags],
    type: contact.type,
    customFields: customFields(contact),
    locationId: contact.locationId,
    firstName: contact.firstName,
    lastName: contact.lastName,
    ...lowerNames(contact),
    email: contact.email,
    emailLowerCase: contact.email?.toLowerCase(),
    dnd: contact.dnd,
    dndSettings: contact.dndSettings,
    phone: contact.phone,
    address1: contact.address1,
    city: contact.city,
    state: contact.state,
    country: contact.country,
    postalCode: contact.postalCode,
    website: contact.website,
    source: contact.source,
    companyName: contact.companyName,
    dateOfBirth: contact.dateOfBirth,
    birthMonth: dob === undefined ? undefined : dob.getUTCMonth() + 1,
    birthDay: dob === undefined ? undefined : dob.getUTCDate(),
    businessId: contact.businessId,
    assignedTo: contact.assignedTo,
    timezone: contact.timezone,
  };
}

/** An item of the deprecated `GET /contacts/` (and business list): `contactName`, no `name`. */
export function listItemDto(contact: ContactRecord): Json {
  return {
    id: contact.id,
    locationId: contact.locationId,
    contactName: orUndefined(contactFullName(contact).toLowerCase()),
    firstName: contact.firstName,
    lastName: contact.lastName,
    firstNameRaw: contact.firstName,
    lastNameRaw: contact.lastName,
    companyName: contact.companyName,
    email: contact.email,
    phone: contact.phone,
    dnd: contact.dnd,
    dndSettings: contact.dndSettings,
    type: contact.type,
    source: contact.source,
    assignedTo: contact.assignedTo,
    city: contact.city,
    state: contact.state,
    postalCode: contact.postalCode,
    address1: contact.address1,
    dateAdded: isoUtc(contact.dateAddedMs),
    dateUpdated: isoUtc(contact.dateUpdatedMs),
    dateOfBirth: contact.dateOfBirth,
    tags: [...contact.tags],
    country: contact.country,
    website: contact.website,
    timezone: contact.timezone,
    customFields: customFields(contact),
    businessId: contact.businessId,
    additionalEmails: [...contact.additionalEmails],
    followers: [...contact.followers],
  };
}

/** A search hit (`Contact` of contacts-2025/contacts.json) with its `searchAfter` cursor. */
export function searchItemDto(contact: ContactRecord, searchAfter: [number, string]): Json {
  return {
    id: contact.id,
    locationId: contact.locationId,
    firstName: contact.firstName,
    lastName: contact.lastName,
    ...lowerNames(contact),
    email: contact.email,
    phone: contact.phone,
    companyName: contact.companyName,
    businessName: contact.companyName,
    country: contact.country,
    address: contact.address1,
    city: contact.city,
    state: contact.state,
    postalCode: contact.postalCode,
    website: contact.website,
    timezone: contact.timezone,
    source: contact.source,
    type: contact.type,
    dnd: contact.dnd,
    dndSettings: contact.dndSettings,
    tags: [...contact.tags],
    customFields: customFields(contact),
    dateAdded: isoUtc(contact.dateAddedMs),
    dateUpdated: isoUtc(contact.dateUpdatedMs),
    dateOfBirth: contact.dateOfBirth,
    additionalEmails: [...contact.additionalEmails],
    additionalPhones: [],
    assignedTo: contact.assignedTo,
    followers: [...contact.followers],
    validEmail: contact.email === undefined ? undefined : true,
    businessId: contact.businessId,
    opportunities: [],
    searchAfter,
  };
}
