/**
 * `enqueueMany`'s plan, shared by both adapters: the jobs of a batch checked as `enqueue` checks
 * them, then, in order, each coalescing job merged into the waiting job it would have merged
 * into had it been enqueued alone (one already stored, or an earlier job of the same batch),
 * and every other job inserted. The adapter looks up the stored jobs and writes the plan.
 */
import type { EnqueueResult, JobToEnqueue } from './job-queue.ts';
import { checkEnqueue } from './queue-settings.ts';

/** A job of the batch, checked (payload serialised). */
export interface CheckedJob {
  name: string;
  key: string;
  coalesceKey: string | undefined;
  payload: string;
  maxAttempts: number;
  delayMs: number;
}

/** A job the batch inserts, with the payload and delay of the batch's last job merged into it. */
export interface PlannedInsert {
  job: CheckedJob;
  /** The positions in the batch whose result is this job. */
  positions: number[];
}

/** A stored job the batch merges into: its new payload, and the shortest delay asked for. */
export interface PlannedMerge {
  id: string;
  payload: string;
  delayMs: number;
  positions: number[];
}

/** What to write for a batch. */
export interface BatchPlan {
  inserts: PlannedInsert[];
  merges: PlannedMerge[];
}

/** Checks every job before anything is written, so an invalid job leaves the batch unwritten. */
export function checkBatch(
  jobs: readonly JobToEnqueue[],
  defaultMaxAttempts: number,
  now: number,
): CheckedJob[] {
  return jobs.map(({ name, payload, options }) => ({
    name,
    key: options.key,
    coalesceKey: options.coalesceKey,
    ...checkEnqueue(name, payload, options, defaultMaxAttempts, now),
  }));
}

/** The identity coalescing matches on: name, key and coalesce key. */
export function coalesceIdentity(name: string, key: string, coalesceKey: string): string {
  return JSON.stringify([name, key, coalesceKey]);
}

/**
 * Plans a batch, given the waiting (never started) stored job each coalescing identity would
 * merge into, by `coalesceIdentity`.
 */
export function planBatch(jobs: readonly CheckedJob[], waiting: Map<string, string>): BatchPlan {
  const inserts: PlannedInsert[] = [];
  const merges = new Map<string, PlannedMerge>();
  const inserted = new Map<string, PlannedInsert>();
  jobs.forEach((job, position) => {
    if (job.coalesceKey === undefined) {
      inserts.push({ job, positions: [position] });
      return;
    }
    const identity = coalesceIdentity(job.name, job.key, job.coalesceKey);
    const stored = waiting.get(identity);
    if (stored !== undefined) {
      const merge = merges.get(stored);
      if (merge) {
        merge.payload = job.payload;
        merge.delayMs = Math.min(merge.delayMs, job.delayMs);
        merge.positions.push(position);
      } else {
        merges.set(stored, {
          id: stored,
          payload: job.payload,
          delayMs: job.delayMs,
          positions: [position],
        });
      }
      return;
    }
    const earlier = inserted.get(identity);
    if (earlier) {
      earlier.job = {
        ...earlier.job,
        payload: job.payload,
        delayMs: Math.min(earlier.job.delayMs, job.delayMs),
      };
      earlier.positions.push(position);
      return;
    }
    const insert = { job, positions: [position] };
    inserted.set(identity, insert);
    inserts.push(insert);
  });
  return { inserts, merges: [...merges.values()] };
}

/** The batch's results in order, from the ids its inserts got. */
export function batchResults(
  plan: BatchPlan,
  insertedIds: readonly string[],
  size: number,
): EnqueueResult[] {
  const results = new Array<EnqueueResult>(size);
  for (const merge of plan.merges) {
    for (const position of merge.positions) results[position] = { id: merge.id, coalesced: true };
  }
  plan.inserts.forEach((insert, i) => {
    const id = insertedIds[i] ?? '';
    insert.positions.forEach((position, n) => {
      results[position] = { id, coalesced: n > 0 };
    });
  });
  return results;
}
