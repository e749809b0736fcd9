/**
 * The Tenant Turner sandbox's fault knobs (`POST /__sandbox/faults`): the shared ones (latency,
 * 5xx, timeouts, failNext, webhook drop/duplicate/reorder) plus two that strike after a write has
 * been applied, so a client can be tested on "the create went through but I never heard back".
 */
import { z } from 'zod';
import {
  FaultKnobs,
  commonFaultShape,
  defaultCommonFaults,
  faultRateMap,
} from '../shared/fault-knobs.ts';
import type { CommonFaultSettings } from '../shared/fault-knobs.ts';

/** The body of `POST /__sandbox/faults`; every field optional, merged into the current settings. */
export const ttFaultPatchSchema = z
  .object({
    ...commonFaultShape,
    /** routeKey → probability that a write is applied and the connection then dropped unanswered. */
    dropResponses: faultRateMap,
    /** routeKey → probability that a write is applied and the response then held until the client gives up. */
    hangAfterWrite: faultRateMap,
  })
  .partial()
  .strict();

export interface TtFaultSettings extends CommonFaultSettings {
  dropResponses: Record<string, number>;
  hangAfterWrite: Record<string, number>;
}

function defaultTtFaults(): TtFaultSettings {
  return { ...defaultCommonFaults(), dropResponses: {}, hangAfterWrite: {} };
}

/** Tenant Turner's knobs plus the shared seeded dice. */
export class TtFaults extends FaultKnobs<TtFaultSettings> {
  constructor(seed: number) {
    super(seed, defaultTtFaults);
  }

  /** After a write to `routeKey`: drop the connection, hold the response, or answer normally. */
  afterWrite(routeKey: string): 'drop' | 'hang' | null {
    if (this.roll(FaultKnobs.rateFor(this.settings.dropResponses, routeKey))) return 'drop';
    if (this.roll(FaultKnobs.rateFor(this.settings.hangAfterWrite, routeKey))) return 'hang';
    return null;
  }
}
