/**
 * Turns create/update/upsert bodies into contact records the way GHL stores them: E.164 phones,
 * lower-cased de-duplicated tags, `dateOfBirth` in 8 input formats stored as midnight UTC, custom
 * fields written by id or key with `fieldValue` / `field_value`, and `tags` replacing the set.
 */
import type {
  ContactRecord,
  CustomFieldDefinition,
  CustomFieldValue,
  DndSettings,
} from './model.ts';
import { DND_CHANNELS } from './model.ts';

const DOB_YEAR_FIRST = /^(\d{4})([/\-._])(\d{1,2})\2(\d{1,2})$/;
const DOB_YEAR_LAST = /^(\d{1,2})([/\-._])(\d{1,2})\2(\d{4})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/;

/** Plain string fields copied as given (trimmed); `null` or `''` clears them. */
const PLAIN_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'companyName',
  'timezone',
  'source',
  'assignedTo',
  'address1',
  'city',
  'state',
  'country',
  'postalCode',
  'website',
  'gender',
] as const;

function isoMidnight(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return undefined;
  }
  return date.toISOString();
}

/**
 * Parses YYYY/MM/DD, MM/DD/YYYY, YYYY-MM-DD, MM-DD-YYYY, YYYY.MM.DD, MM.DD.YYYY, YYYY_MM_DD and
 * MM_DD_YYYY (plus the ISO date-time GHL itself returns) to `YYYY-MM-DDT00:00:00.000Z`.
 */
export function parseDateOfBirth(value: string): string | undefined {
  const text = value.trim();
  const yearFirst = DOB_YEAR_FIRST.exec(text);
  if (yearFirst !== null)
    return isoMidnight(Number(yearFirst[1]), Number(yearFirst[3]), Number(yearFirst[4]));
  const yearLast = DOB_YEAR_LAST.exec(text);
  if (yearLast !== null)
    return isoMidnight(Number(yearLast[4]), Number(yearLast[1]), Number(yearLast[3]));
  const iso = ISO_DATE_TIME.exec(text);
  if (iso !== null) return isoMidnight(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  return undefined;
}

/** E.164 the way GHL stores US numbers: `(512) 555-0100` → `+15125550100`. */
export function normalizePhone(raw: string): string {
  const trimmed = raw.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (digits === '') return trimmed;
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return `+${digits}`;
}

/** Tags as GHL keeps them: trimmed, lower-case, unique, in first-seen order. */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    const clean = tag.trim().toLowerCase();
    if (clean !== '' && !out.includes(clean)) out.push(clean);
  }
  return out;
}

function resolveFieldId(
  item: Record<string, unknown>,
  definitions: readonly CustomFieldDefinition[],
): string | undefined {
  const id = item['id'];
  if (typeof id === 'string' && definitions.some((def) => def.id === id)) return id;
  const key = item['key'];
  if (typeof key !== 'string') return undefined;
  return definitions.find((def) => def.fieldKey === key || def.fieldKey === `contact.${key}`)?.id;
}

/** Merges custom field inputs into `current`; unknown fields are ignored, empty values clear. */
export function mergeCustomFields(
  current: readonly CustomFieldValue[],
  inputs: readonly unknown[],
  definitions: readonly CustomFieldDefinition[],
): CustomFieldValue[] {
  const next = current.map((field) => ({ ...field }));
  for (const raw of inputs) {
    if (typeof raw !== 'object' || raw === null) continue;
    const item = raw as Record<string, unknown>;
    const id = resolveFieldId(item, definitions);
    if (id === undefined) continue;
    const value = item['fieldValue'] ?? item['field_value'] ?? item['value'];
    const index = next.findIndex((field) => field.id === id);
    if (value === undefined || value === null || value === '') {
      if (index >= 0) next.splice(index, 1);
    } else if (index >= 0) next[index] = { id, value };
    else next.push({ id, value });
  }
  return next;
}

function mergeDndSettings(
  current: DndSettings | undefined,
  input: Record<string, unknown>,
): DndSettings {
  const next: DndSettings = { ...current };
  for (const channel of DND_CHANNELS) {
    const setting = input[channel];
    if (typeof setting !== 'object' || setting === null) continue;
    const { status, message, code } = setting as Record<string, unknown>;
    if (typeof status !== 'string') continue;
    next[channel] = {
      status,
      ...(typeof message === 'string' ? { message } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return next;
}

function splitName(name: string): [string, string] {
  const trimmed = name.trim();
  const space = trimmed.indexOf(' ');
  return space < 0 ? [trimmed, ''] : [trimmed.slice(0, space), trimmed.slice(space + 1).trim()];
}

/**
 * Applies a validated body to `base` and returns the new record (base is not modified).
 * `dateUpdatedMs` is left to the caller.
 */
export function applyContactInput(
  base: ContactRecord,
  input: Readonly<Record<string, unknown>>,
  definitions: readonly CustomFieldDefinition[],
): ContactRecord {
  const next: ContactRecord = {
    ...base,
    tags: [...base.tags],
    customFields: [...base.customFields],
    additionalEmails: [...base.additionalEmails],
  };
  for (const field of PLAIN_FIELDS) {
    if (!Object.hasOwn(input, field)) continue;
    const value = input[field];
    if (typeof value === 'string' && value.trim() !== '') next[field] = value.trim();
    else if (value === null || value === '') delete next[field];
  }
  const name = input['name'];
  if (
    typeof name === 'string' &&
    input['firstName'] === undefined &&
    input['lastName'] === undefined
  ) {
    const [first, last] = splitName(name);
    if (first !== '') next.firstName = first;
    if (last !== '') next.lastName = last;
  }
  const phone = input['phone'];
  if (typeof phone === 'string' && phone.trim() !== '') next.phone = normalizePhone(phone);
  else if (phone === null || phone === '') delete next.phone;
  const dob = input['dateOfBirth'];
  if (typeof dob === 'string') {
    const parsed = parseDateOfBirth(dob);
    if (parsed !== undefined) next.dateOfBirth = parsed;
  } else if (dob === null) delete next.dateOfBirth;
  if (typeof input['dnd'] === 'boolean') next.dnd = input['dnd'];
  const dndSettings = input['dndSettings'];
  if (typeof dndSettings === 'object' && dndSettings !== null) {
    next.dndSettings = mergeDndSettings(base.dndSettings, dndSettings as Record<string, unknown>);
  }
  const inbound = input['inboundDndSettings'];
  if (typeof inbound === 'object' && inbound !== null) next.inboundDndSettings = inbound;
  const tags = input['tags'];
  if (Array.isArray(tags))
    next.tags = normalizeTags(tags.filter((tag): tag is string => typeof tag === 'string'));
  const customFields = input['customFields'];
  if (Array.isArray(customFields))
    next.customFields = mergeCustomFields(base.customFields, customFields, definitions);
  return next;
}
