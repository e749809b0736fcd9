/**
 * Request bodies of the `/__sandbox` operator endpoints, parsed with zod; a bad body answers
 * 400 with every problem listed.
 */
import { z } from 'zod';
import { badRequest } from './http-errors.ts';
import { WEBHOOK_EVENT_TYPES } from './webhook-payloads.ts';

/** Parses `body` (undefined counts as `{}`) or throws a 400 listing the issues. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw badRequest('Invalid operator request body', {
      issues: result.error.issues.map(
        (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
      ),
    });
  }
  return result.data;
}

export const mintSchema = z
  .object({
    scopes: z.array(z.string()),
    kind: z.enum(['pit', 'oauth', 'agency']).optional(),
    locationId: z.string().optional(),
    expiresInSec: z.number().int().positive().optional(),
  })
  .strict();

export const invalidateSchema = z.object({ locationId: z.string() }).strict();

export const resetSchema = z
  .object({
    seed: z.number().int().optional(),
    contacts: z.number().int().min(0).max(500_000).optional(),
  })
  .strict();

export const rateLimitSchema = z
  .object({
    max: z.number().int().positive().optional(),
    windowMs: z.number().int().positive().optional(),
    daily: z.number().int().positive().optional(),
    enabled: z.boolean().optional(),
    /** Also forget the counters. */
    reset: z.boolean().optional(),
  })
  .strict();

export const settingsSchema = z
  .object({
    allowDuplicateContacts: z.boolean().optional(),
    /** Which location the duplicate setting applies to; default every location. */
    locationId: z.string().optional(),
    strictVersion: z.boolean().optional(),
    webhookRetryIntervalMs: z.number().int().min(0).optional(),
    webhookTimeoutMs: z.number().int().positive().optional(),
  })
  .strict();

export const subscriptionSchema = z
  .object({
    url: z.url(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).optional(),
    locationId: z.string().optional(),
  })
  .strict();

export const operatorTaskSchema = z
  .object({
    title: z.string().optional(),
    body: z.string().nullable().optional(),
    dueDate: z.iso.datetime({ offset: true }).optional(),
    completed: z.boolean().optional(),
    assignedTo: z.string().nullable().optional(),
  })
  .strict();

export const operatorNoteSchema = z
  .object({
    body: z.string().optional(),
    userId: z.string().nullable().optional(),
    title: z.string().nullable().optional(),
    color: z.string().nullable().optional(),
    pinned: z.boolean().optional(),
  })
  .strict();

export const operatorAppointmentSchema = z
  .object({
    calendarId: z.string().optional(),
    title: z.string().optional(),
    address: z.string().optional(),
    notes: z.string().optional(),
    appointmentStatus: z
      .enum(['new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid'])
      .optional(),
    assignedUserId: z.string().optional(),
    startTime: z.iso.datetime({ offset: true }).optional(),
    endTime: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
