/**
 * Fault knobs set through `POST /__sandbox/faults`: the knobs both sandboxes share plus GHL's own
 * quirks, rolled by the shared seeded dice.
 */
import { z } from 'zod';
import {
  FaultKnobs,
  commonFaultShape,
  defaultCommonFaults,
  faultRate,
} from '../shared/fault-knobs.ts';
import type { CommonFaultSettings } from '../shared/fault-knobs.ts';

/** The body of `POST /__sandbox/faults`; every field optional, merged into the current settings. */
export const faultPatchSchema = z
  .object({
    ...commonFaultShape,
    taskCreateWithoutContactRate: faultRate,
    createReturns422ButPersists: z.boolean(),
    refreshError: z.enum(['location-not-active']).nullable(),
    companyNameOnPut: z.boolean(),
    retryAfterSeconds: z.number().int().min(0).nullable(),
    /** Sandbox extension: change the search delay at run time. */
    searchDelayMs: z.number().int().min(0),
    /** ISS #289: `phone` `eq` filters find nothing. */
    searchPhoneEqMiss: z.boolean(),
    /** n8n's workaround hints GHL rejects a task `dueDate` with milliseconds on update. */
    rejectDueDateMillis: z.boolean(),
  })
  .partial()
  .strict();

export type FaultPatch = z.infer<typeof faultPatchSchema>;

export interface FaultSettings extends CommonFaultSettings {
  taskCreateWithoutContactRate: number;
  createReturns422ButPersists: boolean;
  refreshError: 'location-not-active' | null;
  companyNameOnPut: boolean;
  retryAfterSeconds: number | null;
  searchPhoneEqMiss: boolean;
  rejectDueDateMillis: boolean;
}

export function defaultFaults(): FaultSettings {
  return {
    ...defaultCommonFaults(),
    taskCreateWithoutContactRate: 0,
    createReturns422ButPersists: false,
    refreshError: null,
    companyNameOnPut: false,
    retryAfterSeconds: null,
    searchPhoneEqMiss: false,
    rejectDueDateMillis: false,
  };
}

/** GHL's knobs plus the seeded dice. */
export class Faults extends FaultKnobs<FaultSettings> {
  constructor(seed: number) {
    super(seed, defaultFaults);
  }
}
