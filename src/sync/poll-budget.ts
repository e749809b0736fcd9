/**
 * How often a poll may run so that polls never take more than a settable share of the GHL budget
 * of a location (ghl-api.md §4: 100 requests per 10 s and 200,000 per day per location). The
 * sustained rate is the lower of the two (with GHL's figures, the daily one: about 2.3 requests
 * a second); a stream that made `calls` requests waits long enough after them that its requests
 * per unit of time stay within its share, and never less than its own minimum interval.
 */
import type { LocationBudget } from '../ghl/rate-limiter.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Reads a location's budget (the GHL client's rate limiter). */
export interface BudgetSource {
  budget(locationId: string): Pick<LocationBudget, 'max' | 'windowMs' | 'dailyLimit'>;
}

/** A stream's slice of the budget. */
export interface PollBudget {
  source: BudgetSource;
  /** The share of the location's sustained GHL rate this stream may use, in (0, 1]. */
  share: number;
}

/** Requests per ms the location can sustain: the burst limit or the daily one, whichever is lower. */
export function sustainedRate(
  budget: Pick<LocationBudget, 'max' | 'windowMs' | 'dailyLimit'>,
): number {
  return Math.min(budget.max / budget.windowMs, budget.dailyLimit / DAY_MS);
}

/**
 * The pause after a cycle that made `calls` GHL requests and took `elapsedMs`: at least
 * `minIntervalMs`, and long enough that `calls` per (cycle + pause) stays within the share.
 */
export function pauseAfter(
  cycle: { calls: number; elapsedMs: number },
  minIntervalMs: number,
  budget: PollBudget | undefined,
  locationId: string,
): number {
  if (!budget || cycle.calls <= 0) return minIntervalMs;
  const rate = sustainedRate(budget.source.budget(locationId)) * budget.share;
  const spacing = Math.round(cycle.calls / rate);
  return Math.max(minIntervalMs, spacing - cycle.elapsedMs);
}

/** Calls a day a stream spending `calls` per cycle makes at `pauseMs` between cycles. */
export function callsPerDay(calls: number, cycleMs: number): number {
  return cycleMs <= 0 ? Number.POSITIVE_INFINITY : Math.round((calls * DAY_MS) / cycleMs);
}
