/**
 * A poll on a schedule (every stream: contacts, tasks, appointments): one cycle, then a pause,
 * until stopped. The pause is the stream's minimum interval, or longer when the cycle's GHL calls
 * would otherwise take more than the stream's share of the location's budget (poll-budget.ts).
 * A cycle that fails is logged and the next one starts from the last committed cursor; cycles
 * never overlap, in one process or (given the database) across processes; `stop()` aborts the
 * cycle in progress and resolves once it has ended.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../store/schema.ts';
import { callsPerDay, pauseAfter } from './poll-budget.ts';
import type { PollBudget } from './poll-budget.ts';
import { isPollBusy, pollLockName, underPollLock } from './poll-lock.ts';

/** What a cycle reports to the loop. */
export interface CycleReport {
  /** GHL requests the cycle made. */
  calls: number;
  /** True when it found something to do (logged at info, else at debug). */
  busy: boolean;
  /** Log fields. */
  fields: Record<string, unknown>;
}

/** Options of a scheduled poll. */
export interface PollLoopOptions<R> {
  /** The stream, for logs: `contacts`, `tasks`, `appointments`. */
  stream: string;
  locationId: string;
  /** Minimum pause between the end of one cycle and the start of the next. */
  intervalMs: number;
  /**
   * The database whose `locks` table makes one cycle of the stream run at a time across
   * processes (poll-lock.ts); a cycle another process is running makes this one skip its turn.
   */
  db?: Kysely<Database> | undefined;
  /** The stream's share of the GHL budget; without it the pause is always `intervalMs`. */
  budget?: PollBudget | undefined;
  clock: Clock;
  logger: Logger;
  /** Runs one cycle. */
  cycle: (signal: AbortSignal) => Promise<R>;
  report: (result: R) => CycleReport;
  /** Called after each successful cycle with the pause chosen (tests, metrics). */
  onPoll?: ((result: R, pauseMs: number) => void) | undefined;
}

/** A running poller. */
export interface Poller {
  /** Stops after the cycle in progress (aborting its requests); resolves once it has ended. */
  stop(): Promise<void>;
}

/** Starts a cycle now and after each pause. */
export function startPollLoop<R>(options: PollLoopOptions<R>): Poller {
  const { stream, locationId, clock, logger } = options;
  const stopping = new AbortController();
  const signal = stopping.signal;
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      let pauseMs = options.intervalMs;
      const started = clock.now();
      try {
        const { db } = options;
        const result = db
          ? await underPollLock(db, pollLockName(stream, locationId), () => options.cycle(signal))
          : await options.cycle(signal);
        const { calls, busy, fields } = options.report(result);
        const elapsedMs = clock.now() - started;
        pauseMs = pauseAfter({ calls, elapsedMs }, options.intervalMs, options.budget, locationId);
        const line = {
          locationId,
          ...fields,
          calls,
          nextInMs: pauseMs,
          callsPerDay: callsPerDay(calls, elapsedMs + pauseMs),
        };
        if (busy) logger.info(line, `${stream} poll done`);
        else logger.debug(line, `${stream} poll done`);
        options.onPoll?.(result, pauseMs);
      } catch (error) {
        if (signal.aborted) return;
        if (isPollBusy(error)) logger.debug({ locationId }, `${stream} poll running elsewhere`);
        else
          logger.warn({ locationId, err: error }, `${stream} poll failed; retrying next interval`);
      }
      try {
        await clock.sleep(pauseMs, signal);
      } catch {
        return;
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      stopping.abort(new Error(`${stream} poller stopped`));
      await running;
    },
  };
}
