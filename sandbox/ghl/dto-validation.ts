/**
 * NestJS-style body validation as GHL runs it: a strict whitelist (`forbidNonWhitelisted`) and
 * class-validator messages, answered as 422 `{ message: string[] }`.
 */
import { unprocessable } from './http-errors.ts';

/** A custom check returning class-validator style messages for a present value. */
export type FieldCheck = (key: string, value: unknown) => string[];

export type FieldRule =
  | 'string'
  | 'email'
  | 'boolean'
  | 'number'
  | 'stringArray'
  | 'array'
  | 'object'
  | 'isoDate'
  | 'any'
  | FieldCheck;

/** One request DTO: allowed properties in spec order, their rules, and the required ones. */
export interface DtoSpec {
  /** The spec schema name, e.g. `CreateContactDto`. */
  name: string;
  fields: Readonly<Record<string, FieldRule>>;
  required: readonly string[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkRule(rule: FieldRule, key: string, value: unknown): string[] {
  if (typeof rule === 'function') return rule(key, value);
  switch (rule) {
    case 'string':
      return typeof value === 'string' ? [] : [`${key} must be a string`];
    case 'email':
      if (typeof value !== 'string') return [`${key} must be a string`];
      return value === '' || EMAIL.test(value) ? [] : [`${key} must be an email`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${key} must be a boolean value`];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? []
        : [`${key} must be a number conforming to the specified constraints`];
    case 'stringArray':
      if (!Array.isArray(value)) return [`${key} must be an array`];
      return value.every((item) => typeof item === 'string')
        ? []
        : [`each value in ${key} must be a string`];
    case 'array':
      return Array.isArray(value) ? [] : [`${key} must be an array`];
    case 'object':
      return isPlainObject(value) ? [] : [`nested property ${key} must be either object or array`];
    case 'isoDate':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? []
        : [`${key} must be a valid ISO 8601 date string`];
    case 'any':
      return [];
  }
}

function requiredMessages(rule: FieldRule, key: string): string[] {
  const typeMessages = typeof rule === 'function' ? [] : checkRule(rule, key, undefined);
  return rule === 'string' || rule === 'email'
    ? [`${key} should not be empty`, ...typeMessages]
    : typeMessages;
}

/**
 * Validates `body` against `spec`; returns the messages (empty when valid). Unknown properties
 * come first, then per-field problems in spec order. `null` counts as absent for optional fields.
 */
export function validateDto(
  body: unknown,
  spec: DtoSpec,
  extraAllowed: readonly string[] = [],
): string[] {
  const input: Record<string, unknown> = isPlainObject(body) ? body : {};
  const messages: string[] = [];
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(spec.fields, key) && !extraAllowed.includes(key)) {
      messages.push(`property ${key} should not exist`);
    }
  }
  for (const [key, rule] of Object.entries(spec.fields)) {
    const value = input[key];
    const absent =
      value === undefined || value === null || (value === '' && spec.required.includes(key));
    if (absent) {
      if (spec.required.includes(key)) messages.push(...requiredMessages(rule, key));
      continue;
    }
    messages.push(...checkRule(rule, key, value));
  }
  return messages;
}

/** Validates and returns the body as a record, or throws GHL's 422. */
export function parseDto(
  body: unknown,
  spec: DtoSpec,
  extraAllowed: readonly string[] = [],
): Record<string, unknown> {
  const messages = validateDto(body, spec, extraAllowed);
  if (messages.length > 0) throw unprocessable(messages);
  return isPlainObject(body) ? body : {};
}
