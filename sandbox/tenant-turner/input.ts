/**
 * Request binding as ASP.NET does it for Tenant Turner: property names match case-insensitively
 * (`firstName`, `FIRSTNAME` and `FirstName` are one field), unknown names are ignored, numbers
 * may come as numeric strings. A value of the wrong type is a 400 "General error."; a missing
 * required field or a value out of range is a 422 that says which field and why.
 */
import { generalError, unprocessable } from './http-errors.ts';

export type FieldKind =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  /** ISO 8601 date-time, normalised to `YYYY-MM-DDTHH:MM:SSZ`. */
  | 'dateTime'
  /** A calendar date, `YYYY-MM-DD`. */
  | 'date'
  | 'dateTimes'
  | 'strings'
  /** Any JSON value, nested keys PascalCased (photo lists, feature maps). */
  | 'json';

export interface FieldSpec {
  kind: FieldKind;
  /** Must be present and non-empty on create. */
  required?: boolean;
  maxLength?: number;
  /** Allowed values of a string, matched case-insensitively and stored in this spelling. */
  values?: readonly string[];
}

/** Canonical (PascalCase) field name → spec. */
export type FieldSpecs = Readonly<Record<string, FieldSpec>>;

/** A bound body: canonical names, converted values; absent fields are absent, null is kept. */
export type BoundBody = Record<string, unknown>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A timestamp as the API writes it: whole seconds, UTC, `Z`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Keys of a query string or body looked up without regard to case. */
export function pickCaseInsensitive(source: unknown, name: string): unknown {
  if (!isRecord(source)) return undefined;
  const wanted = name.toLowerCase();
  const key = Object.keys(source).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : source[key];
}

function pascalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascalKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascalKeys(v)]),
  );
}

function convert(name: string, spec: FieldSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'string': {
      if (typeof value !== 'string') throw generalError();
      if (spec.maxLength !== undefined && value.length > spec.maxLength)
        throw unprocessable(`${name} must be at most ${spec.maxLength} characters.`);
      if (spec.values === undefined) return value;
      const match = spec.values.find((v) => v.toLowerCase() === value.trim().toLowerCase());
      if (match === undefined)
        throw unprocessable(`${name} must be one of ${spec.values.join(', ')}.`);
      return match;
    }
    case 'integer':
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw generalError();
      if (spec.kind === 'integer' && !Number.isInteger(n)) throw generalError();
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw generalError();
    case 'date':
      if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
        throw generalError();
      return value;
    case 'dateTime':
      return dateTime(value);
    case 'dateTimes':
      if (!Array.isArray(value)) throw generalError();
      return value.map(dateTime);
    case 'strings':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw generalError();
      return value;
    case 'json':
      return pascalKeys(value);
  }
}

function dateTime(value: unknown): string {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) throw generalError();
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw generalError();
  return isoSeconds(ms);
}

/**
 * Binds `body` to `specs`. On `create`, required fields must be present and non-empty; on
 * `update` only the fields given are bound. Throws 400 for a non-object body or a wrong type,
 * 422 listing every missing required field.
 */
export function bindBody(body: unknown, specs: FieldSpecs, mode: 'create' | 'update'): BoundBody {
  if (!isRecord(body)) {
    if (body === undefined && mode === 'update') return {};
    throw generalError();
  }
  const bound: BoundBody = {};
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const value = pickCaseInsensitive(body, name);
    const empty = value === undefined || value === null || value === '';
    if (spec.required === true && empty) {
      if (mode === 'create' || value !== undefined) missing.push(`${name} is required.`);
      continue;
    }
    if (value === undefined) continue;
    bound[name] = value === null ? null : convert(name, spec, value);
  }
  if (missing.length > 0) throw unprocessable(...missing);
  return bound;
}

/** A bound string field: undefined when absent, null when sent as null. */
export function boundString(body: BoundBody, name: string): string | null | undefined {
  const value = body[name];
  if (value === undefined || value === null) return value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A bound number field: undefined when absent, null when sent as null. */
export function boundNumber(body: BoundBody, name: string): number | null | undefined {
  const value = body[name];
  return typeof value === 'number' ? value : (value as null | undefined);
}
