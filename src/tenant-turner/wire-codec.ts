/**
 * The wire edge of the Tenant Turner client (tenant-turner-api.md §1, §2 "Conventions"):
 * Tenant Turner writes PascalCase JSON (some endpoints camelCase), sends numbers as strings in
 * property reads, and binds input case-insensitively. Reads go through zod schemas built from
 * the field helpers here, which match keys case-insensitively and normalise values into typed,
 * camelCase domain objects; writes go out PascalCase through `toWire`.
 */
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Renames the keys of `input` to the schema's keys, ignoring case (`PropertyId`, `propertyId`
 * and `PROPERTYID` all become `propertyId`). Unknown keys are dropped; when two keys differ only
 * in case the first non-null one wins.
 */
function rekey(input: unknown, keys: ReadonlyMap<string, string>): unknown {
  if (!isRecord(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const target = keys.get(key.toLowerCase());
    if (target === undefined) continue;
    if (out[target] === undefined || out[target] === null) out[target] = value;
  }
  return out;
}

/** A zod object whose keys are matched case-insensitively against the wire. */
export function ciObject<S extends z.ZodRawShape>(shape: S) {
  const keys = new Map(Object.keys(shape).map((key) => [key.toLowerCase(), key]));
  return z.preprocess((input) => rekey(input, keys), z.object(shape));
}

/** `null`, blank strings and absent values all read as undefined. */
function blankToUndefined(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return value;
}

function toNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  // "1,250.00", "$1250" and " 3 " are all numbers written as text.
  const cleaned = value.replace(/[$,\s]/g, '');
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : value;
}

function toText(value: unknown): unknown {
  return typeof value === 'number' ? String(value) : value;
}

function toBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

const isoDate = z.string().refine((value) => Number.isFinite(Date.parse(value)), {
  message: 'not an ISO 8601 date',
});

/** A required id: a number, or digits as text. */
export const wireId = z.preprocess(toNumber, z.number().int());
/** An optional id. */
export const optWireId = z.preprocess(
  (value) => toNumber(blankToUndefined(value)),
  z.number().int().optional(),
);
/** A required string (a number on the wire becomes its text). */
export const wireText = z.preprocess(toText, z.string());
/** An optional string; null and blank read as undefined. */
export const optWireText = z.preprocess(
  (value) => toText(blankToUndefined(value)),
  z.string().optional(),
);
/** An optional number; digits as text (`"3"`, `"1,250.00"`) become numbers. */
export const optWireNumber = z.preprocess(
  (value) => toNumber(blankToUndefined(value)),
  z.number().optional(),
);
/** A boolean, `"true"`/`"false"` accepted; absent reads as false. */
export const wireFlag = z.preprocess(
  (value) => toBoolean(blankToUndefined(value) ?? false),
  z.boolean(),
);
/** A required ISO 8601 instant, read as a `Date`. */
export const wireDate = isoDate.transform((value) => new Date(value));
/** An optional ISO 8601 instant. */
export const optWireDate = z.preprocess(blankToUndefined, wireDate.optional());
/**
 * An optional calendar date, normalised to `YYYY-MM-DD` (the service sends `DueDate` as a date
 * and `DateAvailable` as a local date-time such as `2026-12-01T00:00:00.000`).
 */
export const optCalendarDate = z.preprocess(
  blankToUndefined,
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}/, 'not a YYYY-MM-DD date')
    .transform((value) => value.slice(0, 10))
    .optional(),
);
/** An optional free-form object (null reads as undefined). */
export const optWireRecord = z.preprocess(
  blankToUndefined,
  z.record(z.string(), z.unknown()).optional(),
);
/** A list that may be null or absent (read as empty). */
export function wireList<T extends z.ZodType>(item: T) {
  return z.preprocess((value) => value ?? [], z.array(item));
}

/**
 * One of `values`, matched ignoring case, spaces and underscores (`"No Show"`, `"noshow"` and
 * `"NoShow"` all read as `NoShow`).
 */
export function wireEnum<const V extends readonly [string, ...string[]]>(values: V) {
  const squash = (text: string): string => text.replace(/[\s_-]/g, '').toLowerCase();
  const byKey = new Map(values.map((value) => [squash(value), value]));
  return z.preprocess(
    (value) => (typeof value === 'string' ? (byKey.get(squash(value)) ?? value) : value),
    z.enum(values),
  );
}

/** An optional `wireEnum`. */
export function optWireEnum<const V extends readonly [string, ...string[]]>(values: V) {
  return z.preprocess(blankToUndefined, wireEnum(values).optional());
}

/**
 * Parses a response body with `schema`; throws `AppError('unexpected')` naming the resource and
 * the first problems when Tenant Turner sent something the contract does not describe.
 */
export function decode<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  throw new AppError(
    'unexpected',
    `Tenant Turner returned a ${what} ttsync cannot read (${issues}): the API may have changed; ` +
      'keep the response and compare it with tenant-turner-api.md.',
    { cause: parsed.error, details: { what, issues: parsed.error.issues.slice(0, 20) } },
  );
}

/** Reads one key of a body case-insensitively (`ApplicationId`, `applicationId`). */
export function wireField(body: unknown, key: string): unknown {
  if (!isRecord(body)) return undefined;
  const lower = key.toLowerCase();
  for (const [name, value] of Object.entries(body)) {
    if (name.toLowerCase() === lower) return value;
  }
  return undefined;
}

/**
 * A domain object as Tenant Turner expects it: keys PascalCase at every depth, `Date`s as ISO
 * 8601 UTC, undefined fields left out (so an update sends only what changed).
 */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    out[key.charAt(0).toUpperCase() + key.slice(1)] = toWire(item);
  }
  return out;
}
