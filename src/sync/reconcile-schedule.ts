/**
 * Reconciliation as a cycle and on a schedule. One cycle: scan, then heal behind the mass-unlink
 * guard, under the database lock `reconcile:<location>` so that two reconciles never run at once
 * (not the schedule with itself, nor with `ttsync reconcile` or another ttsync process).
 * `ttsync serve` runs a cycle every `TTSYNC_RECONCILE_INTERVAL_MS` (first one interval after
 * start), logs the report's summary, and stops cleanly on close (see docs/reconcile.md).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { withLock } from '../store/locks.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { scanDrift } from './reconcile.ts';
import type { DriftReport, ReconcileScanOptions } from './reconcile.ts';
import { healDrift } from './reconcile-heal.ts';
import type { HealResult } from './reconcile-heal.ts';
import { CHILD_KINDS } from './reconcile-sources.ts';

/** What one cycle did: the report, and the heal (undefined on a dry run). */
export interface ReconcileCycle {
  report: DriftReport;
  heal: HealResult | undefined;
}

/** Options of one cycle. */
export interface CycleOptions extends ReconcileScanOptions {
  heal: boolean;
  maxUnlinkShare?: number | undefined;
}

/**
 * Scans and (with `heal`) heals `locationId` under the reconcile lock. Throws `lock_timeout`
 * at once when another reconcile holds it.
 */
export async function reconcileCycle(
  deps: ContactSyncDeps,
  options: CycleOptions,
): Promise<ReconcileCycle> {
  const { heal, maxUnlinkShare, ...scan } = options;
  return withLock(
    deps.db,
    `reconcile:${options.locationId}`,
    randomUUID(),
    async () => {
      const report = await scanDrift(deps, scan);
      if (!heal) return { report, heal: undefined };
      const healOptions = {
        ...(maxUnlinkShare !== undefined ? { maxUnlinkShare } : {}),
        ...(scan.signal ? { signal: scan.signal } : {}),
      };
      return { report, heal: await healDrift(deps, report, healOptions) };
    },
    { waitMs: 0, ttlMs: 60_000, clock: deps.clock },
  );
}

/** The drift counts of a report, as log fields. */
export function driftSummary(report: DriftReport): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    contacts: report.contacts,
    linked: report.activeLinks,
    contactDrift: report.counts,
    ghlCalls: report.ghlCalls,
  };
  for (const kind of CHILD_KINDS) {
    const counts = report.children?.counts[kind];
    if (counts) fields[`${kind}Drift`] = counts;
  }
  return fields;
}

/** Options of the scheduled reconcile. */
export interface ReconcilerOptions {
  locationId: string;
  /** Pause between the end of one cycle and the start of the next (and before the first). */
  intervalMs: number;
  maxUnlinkShare: number;
  clock: Clock;
  logger: Logger;
  /** Called after each cycle that ran (tests, metrics). */
  onCycle?: (cycle: ReconcileCycle) => void;
}

/** A running schedule. */
export interface Reconciler {
  /** Stops after the cycle in progress (aborting its requests); resolves once it has ended. */
  stop(): Promise<void>;
}

/** Starts reconciling `locationId` every `intervalMs`, healing behind the guard. */
export function startReconciler(deps: ContactSyncDeps, options: ReconcilerOptions): Reconciler {
  const { locationId, intervalMs, clock, logger } = options;
  const stopping = new AbortController();
  const signal = stopping.signal;
  const once = async (): Promise<void> => {
    const cycle = await reconcileCycle(deps, {
      locationId,
      heal: true,
      maxUnlinkShare: options.maxUnlinkShare,
      signal,
    });
    const fields = { locationId, ...driftSummary(cycle.report) };
    const heal = cycle.heal;
    if (heal && !heal.healed) {
      logger.warn(
        { ...fields, guard: heal.guard.kinds },
        `reconcile refused: ${heal.guard.reason}`,
      );
    } else {
      const healed = heal && {
        outcomes: heal.outcomes,
        childOutcomes: heal.childOutcomes,
        failures: heal.failures.length,
        healGhlCalls: heal.ghlCalls,
      };
      logger.info({ ...fields, ...healed }, 'reconcile done');
    }
    options.onCycle?.(cycle);
  };
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        await clock.sleep(intervalMs, signal);
      } catch {
        return;
      }
      try {
        await once();
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof AppError && error.code === 'lock_timeout') {
          logger.info({ locationId }, 'another reconcile is running; skipping this cycle');
        } else {
          logger.warn({ locationId, err: error }, 'reconcile failed; retrying next interval');
        }
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      stopping.abort(new Error('reconciler stopped'));
      await running;
    },
  };
}
