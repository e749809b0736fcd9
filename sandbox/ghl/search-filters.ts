/**
 * The filter language of `POST /contacts/search` (ghl-api.md §2.7): `{ field, operator, value }`
 * or `{ group: 'AND' | 'OR', filters }`, top level AND, operators eq, not_eq, contains,
 * not_contains, exists, not_exists and range. Unknown fields answer 400 "Invalid field <name>".
 */
import { badRequest, unprocessable } from './http-errors.ts';
import type { ContactRecord, DndChannel } from './model.ts';
import { DND_CHANNELS, contactFullName } from './model.ts';

export type ContactPredicate = (contact: ContactRecord) => boolean;
type Accessor = (contact: ContactRecord) => unknown;

const MAX_VALUE_LENGTH = 75;
const DATE_FIELDS = new Set(['dateAdded', 'dateUpdated', 'dateOfBirth']);
const OPERATORS = [
  'eq',
  'not_eq',
  'contains',
  'not_contains',
  'exists',
  'not_exists',
  'range',
] as const;
type Operator = (typeof OPERATORS)[number];

const lower = (text: string | undefined): string | undefined => text?.toLowerCase();

const STATIC_FIELDS: Readonly<Record<string, Accessor>> = {
  id: (c) => c.id,
  firstName: (c) => c.firstName,
  lastName: (c) => c.lastName,
  firstNameLowerCase: (c) => lower(c.firstName),
  lastNameLowerCase: (c) => lower(c.lastName),
  fullNameLowerCase: (c) => contactFullName(c).toLowerCase() || undefined,
  email: (c) => lower(c.email),
  phone: (c) => c.phone,
  companyName: (c) => c.companyName,
  businessName: (c) => c.companyName,
  businessId: (c) => c.businessId,
  tags: (c) => c.tags,
  dnd: (c) => c.dnd,
  type: (c) => c.type,
  source: (c) => c.source,
  assignedTo: (c) => c.assignedTo,
  address: (c) => c.address1,
  city: (c) => c.city,
  state: (c) => c.state,
  country: (c) => c.country,
  postalCode: (c) => c.postalCode,
  website: (c) => c.website,
  timezone: (c) => c.timezone,
  additionalEmails: (c) => c.additionalEmails,
  followers: (c) => c.followers,
  validEmail: (c) => c.email !== undefined,
  dateAdded: (c) => c.dateAddedMs,
  dateUpdated: (c) => c.dateUpdatedMs,
  dateOfBirth: (c) => (c.dateOfBirth === undefined ? undefined : Date.parse(c.dateOfBirth)),
};

/** The accessor for a filterable field, or undefined when GHL would answer "Invalid field". */
export function fieldAccessor(field: string): Accessor | undefined {
  const fixed = STATIC_FIELDS[field];
  if (fixed !== undefined) return fixed;
  const dnd = /^dndSettings\.(\w+)\.status$/.exec(field);
  if (dnd !== null && (DND_CHANNELS as readonly string[]).includes(dnd[1] ?? '')) {
    const channel = dnd[1] as DndChannel;
    return (c) => c.dndSettings?.[channel]?.status;
  }
  if (field === 'inboundDndSettings.all.status') return (c) => c.inboundDndSettings?.all?.status;
  const custom = /^customFields?\.([A-Za-z0-9]+)$/.exec(field);
  if (custom !== null) {
    const id = custom[1];
    return (c) => c.customFields.find((f) => f.id === id)?.value;
  }
  return undefined;
}

function comparable(value: unknown, isDate: boolean): number | string | boolean | undefined {
  if (isDate) {
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      const ms = Date.parse(value);
      return Number.isNaN(ms) ? undefined : ms;
    }
    return undefined;
  }
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

function present(value: unknown): boolean {
  return (
    value !== undefined &&
    value !== null &&
    value !== '' &&
    !(Array.isArray(value) && value.length === 0)
  );
}

function checkValue(operator: Operator, value: unknown): void {
  if (operator === 'exists' || operator === 'not_exists') return;
  if (operator === 'range') {
    if (typeof value !== 'object' || value === null)
      throw unprocessable(['range value must be an object with gte, lte, gt or lt']);
    return;
  }
  if (!['string', 'number', 'boolean'].includes(typeof value)) {
    throw unprocessable([`value must be a string, number or boolean for operator ${operator}`]);
  }
  if (typeof value === 'string' && value.length > MAX_VALUE_LENGTH) {
    throw unprocessable([`value must be shorter than or equal to ${MAX_VALUE_LENGTH} characters`]);
  }
}

function matchRange(
  actual: number | string | boolean | undefined,
  bounds: Record<string, unknown>,
  isDate: boolean,
): boolean {
  if (actual === undefined || typeof actual === 'boolean') return false;
  const check = (key: string, ok: (a: number | string, b: number | string) => boolean): boolean => {
    const bound = comparable(bounds[key], isDate);
    return bound === undefined || typeof bound === 'boolean' || ok(actual, bound);
  };
  return (
    check('gte', (a, b) => a >= b) &&
    check('gt', (a, b) => a > b) &&
    check('lte', (a, b) => a <= b) &&
    check('lt', (a, b) => a < b)
  );
}

function compileCondition(raw: Record<string, unknown>, phoneEqMiss: boolean): ContactPredicate {
  const field = raw['field'];
  const operator = raw['operator'];
  if (typeof field !== 'string') throw unprocessable(['field must be a string']);
  const accessor = fieldAccessor(field);
  if (accessor === undefined) throw badRequest(`Invalid field ${field}`);
  if (typeof operator !== 'string' || !(OPERATORS as readonly string[]).includes(operator)) {
    throw badRequest(`Invalid operator ${String(operator)}`);
  }
  const op = operator as Operator;
  const value = raw['value'];
  checkValue(op, value);
  const isDate = DATE_FIELDS.has(field);
  const target = comparable(value, isDate);
  const test = (actual: unknown): boolean => {
    const items = Array.isArray(actual) ? (actual as unknown[]) : [actual];
    switch (op) {
      case 'eq':
      case 'not_eq':
        return items.some((item) => {
          const actualValue = comparable(item, isDate);
          return actualValue !== undefined && String(actualValue) === String(target);
        });
      case 'contains':
      case 'not_contains':
        return items.some(
          (item) => typeof item === 'string' && item.toLowerCase().includes(String(target)),
        );
      case 'exists':
      case 'not_exists':
        return present(actual);
      case 'range':
        return items.some((item) =>
          matchRange(comparable(item, isDate), value as Record<string, unknown>, isDate),
        );
    }
  };
  if (phoneEqMiss && field === 'phone' && op === 'eq') return () => false;
  const negated = op === 'not_eq' || op === 'not_contains' || op === 'not_exists';
  return negated ? (c) => !test(accessor(c)) : (c) => test(accessor(c));
}

/** Compiles a filter list (AND) into one predicate; throws GHL's 400/422 on a bad filter. */
export function compileFilters(
  filters: readonly unknown[],
  phoneEqMiss: boolean,
  group: 'AND' | 'OR' = 'AND',
): ContactPredicate {
  const parts = filters.map((raw): ContactPredicate => {
    if (typeof raw !== 'object' || raw === null)
      throw unprocessable(['each value in filters must be an object']);
    const item = raw as Record<string, unknown>;
    if (item['group'] !== undefined) {
      const kind = item['group'];
      if (kind !== 'AND' && kind !== 'OR')
        throw badRequest(`Invalid group ${JSON.stringify(kind)}`);
      if (!Array.isArray(item['filters'])) throw unprocessable(['group filters must be an array']);
      return compileFilters(item['filters'] as unknown[], phoneEqMiss, kind);
    }
    return compileCondition(item, phoneEqMiss);
  });
  if (parts.length === 0) return () => true;
  return group === 'AND' ? (c) => parts.every((p) => p(c)) : (c) => parts.some((p) => p(c));
}
