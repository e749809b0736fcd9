/**
 * `SinceDateUpdated`, the filter Tenant Turner requires on lead and showing lists
 * (tenant-turner-api.md §1): a calendar date `YYYY-MM-DD` under two years old, else
 * `422 "SinceDateUpdated is required and must be less than 2 years ago."`.
 *
 * Callers think in instants ("everything changed since T"); this module turns T into the one
 * date the service accepts, so that a caller never sees that 422:
 * - the date is T's UTC calendar day. The filter is day-granular and inclusive, so the service
 *   also returns records updated earlier that day: filter `dateUpdated >= T` on your side.
 * - an undefined T, or a T more than two years back, is clamped to the earliest date the
 *   service allows (see `earliestSinceDate`). Changes older than that cannot be listed at all;
 *   a backfill that needs them must come from somewhere else.
 */
import { AppError } from '../shared/errors.ts';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant, in UTC. */
export function utcDay(instant: Date | number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/**
 * The earliest `SinceDateUpdated` the service accepts at `now`: the UTC day two calendar years
 * back, plus one day. "Less than 2 years ago" excludes the anniversary itself, and the extra
 * day also absorbs a server whose "today" is a day ahead of UTC. (From 29 February the
 * anniversary falls on 1 March, so the rule errs a day late, never early.)
 */
export function earliestSinceDate(now: Date | number): string {
  const today = new Date(now);
  const anniversary = Date.UTC(today.getUTCFullYear() - 2, today.getUTCMonth(), today.getUTCDate());
  return utcDay(anniversary + DAY_MS);
}

/** What `sinceDateUpdated` decided, for logs and tests. */
export interface SinceDateChoice {
  /** The `SinceDateUpdated` value to send. */
  value: string;
  /** True when `since` was undefined or too old and the earliest allowed date was used. */
  clamped: boolean;
}

/**
 * The `SinceDateUpdated` to send for "changes since `since`" at `now`: `since`'s UTC day,
 * clamped to `earliestSinceDate(now)`. Inclusive of the whole day: filter `dateUpdated >= since`
 * client-side. Undefined `since` means "as far back as the service allows".
 */
export function sinceDateUpdated(since: Date | undefined, now: Date | number): SinceDateChoice {
  const earliest = earliestSinceDate(now);
  if (since === undefined) return { value: earliest, clamped: true };
  if (Number.isNaN(since.getTime())) {
    throw new AppError(
      'unexpected',
      'since is an invalid Date: pass a valid instant or undefined.',
    );
  }
  const day = utcDay(since);
  // YYYY-MM-DD strings compare in date order.
  return day < earliest ? { value: earliest, clamped: true } : { value: day, clamped: false };
}
