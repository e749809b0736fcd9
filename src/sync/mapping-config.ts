/**
 * The declarative contact → lead mapping (docs/mapping.md): which GHL fields feed which Tenant
 * Turner lead fields, how the rental is chosen, and the defaults. A JSON file, validated at
 * start with errors that name the offending field; its content hash is the mapping version
 * recorded on every change.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';

/** GHL contact fields a lead field may come from; `customField:<id>` reads a custom field. */
export const CONTACT_FIELDS = [
  'firstName',
  'lastName',
  'name',
  'email',
  'phone',
  'source',
  'companyName',
  'address1',
] as const;

const sourceField = z
  .string()
  .refine(
    (value) =>
      (CONTACT_FIELDS as readonly string[]).includes(value) ||
      /^customField:[A-Za-z0-9]+$/.test(value),
    {
      message: `must be one of ${CONTACT_FIELDS.join(', ')}, or customField:<id>`,
    },
  );

const regex = z.string().refine(
  (value) => {
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

const rentalRule = z.union([
  z
    .object({
      customField: z.string().regex(/^[A-Za-z0-9]+$/, 'must be a GHL custom field id'),
      as: z.enum(['propertyId', 'address']),
    })
    .strict(),
  z
    .object({
      tag: regex.describe('a regular expression whose first group is the TT property id'),
    })
    .strict(),
  z.object({ field: z.literal('address1'), as: z.literal('address') }).strict(),
  z.object({ default: z.number().int().positive() }).strict(),
]);

/** `appointments`: how GHL appointments find their rental (see appointment-rental.ts). */
const appointments = z
  .object({
    /**
     * GHL calendar id → Tenant Turner property id: an appointment whose address matches no
     * rental is a showing of its calendar's rental (tried before the lead's rental rules).
     */
    calendarRentals: z
      .record(
        z.string(),
        z
          .number({ message: 'must be a Tenant Turner property id (a whole number)' })
          .int('must be a Tenant Turner property id (a whole number)')
          .positive('must be a Tenant Turner property id (a positive whole number)'),
      )
      .superRefine((map, ctx) => {
        for (const key of Object.keys(map)) {
          if (/^[A-Za-z0-9]+$/.test(key)) continue;
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'the key must be a GHL calendar id (letters and digits)',
          });
        }
      })
      .default({}),
  })
  .strict();

const schema = z
  .object({
    /** Country assumed for phone numbers written without a + prefix (ISO 3166 alpha-2). */
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US')
      .default('US'),
    fields: z
      .object({
        firstName: sourceField.default('firstName'),
        lastName: sourceField.default('lastName'),
        email: sourceField.default('email'),
        phone: sourceField.default('phone'),
        source: sourceField.default('source'),
      })
      .strict()
      .default({
        firstName: 'firstName',
        lastName: 'lastName',
        email: 'email',
        phone: 'phone',
        source: 'source',
      }),
    /** Tenant Turner requires both names; used when the contact has none (forms often ask only one). */
    defaultFirstName: z.string().min(1).default('Unknown'),
    defaultLastName: z.string().min(1).default('Unknown'),
    /** Lead source when the contact has none. */
    defaultSource: z.string().min(1).default('HighLevel'),
    /** Tried in order; the first that yields a rental wins. */
    rental: z.array(rentalRule).default([]),
    appointments: appointments.default({ calendarRentals: {} }),
  })
  .strict();

export type RentalRule = z.output<typeof rentalRule>;

/** A validated mapping plus its version. */
export type Mapping = z.output<typeof schema> & { version: string };

/** The mapping used when no file is configured. */
export const DEFAULT_MAPPING_INPUT = {} as const;

/** Validates a parsed mapping document; throws `config_invalid` listing every bad field. */
export function parseMapping(input: unknown, origin = 'mapping'): Mapping {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${origin}: ${formatPath(issue.path)}: ${issue.message}`,
    );
    throw new AppError(
      'config_invalid',
      `The contact → lead mapping is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); fix these and start again (see docs/mapping.md):\n${problems.join('\n')}`,
      { details: { problems } },
    );
  }
  const version = createHash('sha256')
    .update(JSON.stringify(parsed.data))
    .digest('hex')
    .slice(0, 12);
  return { ...parsed.data, version };
}

/** Reads and validates a mapping file (JSON). */
export function loadMappingFile(path: string): Mapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AppError(
      'config_invalid',
      `Cannot read the mapping file ${path}: ${(cause as Error).message}.`,
      {
        cause,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError(
      'config_invalid',
      `The mapping file ${path} is not valid JSON: ${(cause as Error).message}.`,
      { cause },
    );
  }
  return parseMapping(json, path);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}
