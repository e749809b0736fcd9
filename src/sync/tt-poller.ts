/**
 * The Tenant Turner side on a schedule (`ttsync serve`, `TT_POLL_INTERVAL_MS`): each cycle polls
 * leads and showings (`tt-poll.ts`), then posts the GHL-side timeline entries not posted yet to
 * Tenant Turner's activities (`tt-activities.ts`). Every request goes through the client's
 * throttle (`TT_REQUESTS_PER_SECOND`), so a cycle never outruns the account's budget. A cycle
 * that fails is logged and the next one starts from the last committed cursors; cycles never
 * overlap, in one process or across processes sharing a database (a cycle holds the lock
 * `tt-poll`; a process that finds it held skips its turn).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { withLock } from '../store/locks.ts';
import { postTimelineActivities } from './tt-activities.ts';
import type { ActivityPostResult } from './tt-activities.ts';
import { pollTenantTurner } from './tt-poll.ts';
import type { TtPollDeps, TtPollOptions, TtPollResult } from './tt-poll.ts';

/** What one cycle did. */
export interface TtCycleResult {
  poll: TtPollResult;
  activities: ActivityPostResult;
}

/**
 * One cycle: poll both lists, then post pending activities, under the `tt-poll` lock. Throws
 * `lock_timeout` at once when another process is running a cycle.
 */
export async function ttCycle(
  deps: TtPollDeps,
  options: TtPollOptions = {},
): Promise<TtCycleResult> {
  return withLock(
    deps.db,
    'tt-poll',
    randomUUID(),
    async () => {
      const poll = await pollTenantTurner(deps, options);
      const activities = await postTimelineActivities(deps, { signal: options.signal });
      return { poll, activities };
    },
    { waitMs: 0, ttlMs: 60_000, clock: deps.clock },
  );
}

/** Options of the scheduled cycle. */
export interface TtPollerOptions extends Omit<TtPollOptions, 'signal'> {
  /** Pause between the end of one cycle and the start of the next. */
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  /** Called after each successful cycle (tests, metrics). */
  onCycle?: (result: TtCycleResult) => void;
}

/** A running poller. */
export interface TtPoller {
  /** Stops after the cycle in progress (aborting its requests); resolves once it has ended. */
  stop(): Promise<void>;
}

/** Starts a cycle now and every `intervalMs` after. */
export function startTtPoller(deps: TtPollDeps, options: TtPollerOptions): TtPoller {
  const { intervalMs, clock, logger, onCycle, ...poll } = options;
  const stopping = new AbortController();
  const { signal } = stopping;
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        const result = await ttCycle(deps, { ...poll, signal });
        const { leads, showings } = result.poll;
        const fields = {
          leads: leads.recorded,
          showings: showings.recorded,
          ...result.activities,
          leadCursor: leads.cursor,
          showingCursor: showings.cursor,
        };
        const news = leads.recorded + showings.recorded + result.activities.posted;
        if (news > 0) logger.info(fields, 'Tenant Turner poll done');
        else logger.debug(fields, 'Tenant Turner poll done');
        onCycle?.(result);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof AppError && error.code === 'lock_timeout') {
          logger.debug({}, 'another process is polling Tenant Turner; skipping this turn');
        } else logger.warn({ err: error }, 'Tenant Turner poll failed; retrying next interval');
      }
      await clock.sleep(intervalMs, signal).catch(() => undefined);
    }
  };
  const running = loop();
  return {
    async stop() {
      stopping.abort(new Error('Tenant Turner poller stopped'));
      await running;
    },
  };
}
