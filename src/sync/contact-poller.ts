/**
 * The contact poll on a schedule (poll-loop.ts): one poll, then a pause of `intervalMs` (longer
 * when a share of the GHL budget is set and the poll's calls need it), until stopped. A poll
 * that fails is logged and the next one starts from the last committed cursor; polls never
 * overlap. `ttsync serve` wires this in (see docs/sync.md, "Polls").
 */
import type { JobQueue } from '../queue/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { pollContacts } from './contact-poll.ts';
import type { PollResult } from './contact-poll.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import type { PollBudget } from './poll-budget.ts';
import { startPollLoop } from './poll-loop.ts';
import type { Poller } from './poll-loop.ts';

/** Options of the scheduled poll. */
export interface ContactPollerOptions {
  locationId: string;
  /** Pause between the end of one poll and the start of the next (the minimum). */
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  /** The stream's share of the GHL budget (see poll-budget.ts). */
  budget?: PollBudget | undefined;
  /** Given, one contact poll runs at a time across processes (poll-lock.ts). */
  db?: ContactSyncDeps['db'] | undefined;
  /** Passed to each poll; see `PollOptions`. */
  lookbackMs?: number;
  pageLimit?: number;
  /** Where a contact that fails goes (recommended: the process's queue); see `PollOptions`. */
  queue?: JobQueue | undefined;
  /** Called after each successful poll (tests, metrics). */
  onPoll?: (result: PollResult, pauseMs: number) => void;
}

/** A running poller. */
export type ContactPoller = Poller;

/** Starts polling `locationId` now and every `intervalMs` (or more) after. */
export function startContactPoller(
  deps: ContactSyncDeps,
  options: ContactPollerOptions,
): ContactPoller {
  const { locationId } = options;
  return startPollLoop({
    stream: 'contacts',
    locationId,
    intervalMs: options.intervalMs,
    budget: options.budget,
    db: options.db,
    clock: options.clock,
    logger: options.logger,
    onPoll: options.onPoll,
    cycle: (signal) =>
      pollContacts(deps, {
        locationId,
        signal,
        ...(options.lookbackMs !== undefined ? { lookbackMs: options.lookbackMs } : {}),
        ...(options.pageLimit !== undefined ? { pageLimit: options.pageLimit } : {}),
        ...(options.queue ? { queue: options.queue } : {}),
      }),
    report: (result) => ({
      calls: result.calls,
      busy: result.seen - result.alreadySeen - result.outcomes.unchanged > 0,
      fields: { ...result.outcomes, seen: result.seen, cursor: result.cursor },
    }),
  });
}
