/**
 * The contact poll on a schedule: one poll, then a pause of `intervalMs`, until stopped. A poll
 * that fails is logged and the next one starts from the last committed cursor; polls never
 * overlap. `ttsync serve` wires this in (see docs/sync.md, "Polling").
 */
import type { JobQueue } from '../queue/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { pollContacts } from './contact-poll.ts';
import type { PollResult } from './contact-poll.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

/** Options of the scheduled poll. */
export interface ContactPollerOptions {
  locationId: string;
  /** Pause between the end of one poll and the start of the next. */
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  /** Passed to each poll; see `PollOptions`. */
  lookbackMs?: number;
  pageLimit?: number;
  /** Where a contact that fails goes (recommended: the process's queue); see `PollOptions`. */
  queue?: JobQueue | undefined;
  /** Called after each successful poll (tests, metrics). */
  onPoll?: (result: PollResult) => void;
}

/** A running poller. */
export interface ContactPoller {
  /** Stops after the poll in progress (aborting its requests); resolves once it has ended. */
  stop(): Promise<void>;
}

/** Starts polling `locationId` now and every `intervalMs` after. */
export function startContactPoller(
  deps: ContactSyncDeps,
  options: ContactPollerOptions,
): ContactPoller {
  const { locationId, intervalMs, clock, logger } = options;
  const stopping = new AbortController();
  const signal = stopping.signal;
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        const result = await pollContacts(deps, {
          locationId,
          signal,
          ...(options.lookbackMs !== undefined ? { lookbackMs: options.lookbackMs } : {}),
          ...(options.pageLimit !== undefined ? { pageLimit: options.pageLimit } : {}),
          ...(options.queue ? { queue: options.queue } : {}),
        });
        const synced = result.seen - result.alreadySeen - result.outcomes.unchanged;
        const fields = { locationId, ...result.outcomes, seen: result.seen, cursor: result.cursor };
        if (synced > 0) logger.info(fields, 'contact poll done');
        else logger.debug(fields, 'contact poll done');
        options.onPoll?.(result);
      } catch (error) {
        if (signal.aborted) return;
        logger.warn({ locationId, err: error }, 'contact poll failed; retrying next interval');
      }
      try {
        await clock.sleep(intervalMs, signal);
      } catch {
        return;
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      stopping.abort(new Error('contact poller stopped'));
      await running;
    },
  };
}
