/**
 * Runs a queue until the jobs a one-shot poll handed over are done (`ttsync poll tasks` and
 * `ttsync poll appointments` without `--no-work`): nothing waiting and nothing running, except
 * jobs held back behind a dead job of their key (those wait for the dead-letter list to be
 * dealt with). Retrying jobs are left to the next worker. Resolves with the queue's counts;
 * the queue keeps running until its owner stops it (`Ttsync.close`).
 */
import type { JobCounts, JobQueue } from '../queue/index.ts';
import type { Clock } from '../shared/clock.ts';

/** Starts `queue` and waits until it is idle (see the module comment). */
export async function drainQueue(
  queue: JobQueue,
  clock: Clock,
  options: {
    checkEveryMs?: number;
    /** Called every `progressEveryMs` while jobs remain. */
    onProgress?: (counts: JobCounts) => void;
    progressEveryMs?: number;
    signal?: AbortSignal | undefined;
  } = {},
): Promise<JobCounts> {
  const checkEveryMs = options.checkEveryMs ?? 100;
  const progressEveryMs = options.progressEveryMs ?? 5_000;
  await queue.start();
  let lastProgress = clock.now();
  for (;;) {
    const counts = await queue.counts();
    const held = counts.dead > 0 ? await heldBack(queue) : 0;
    if (counts.active === 0 && counts.waiting <= held) return counts;
    if (options.signal?.aborted) return counts;
    if (clock.now() - lastProgress >= progressEveryMs) {
      options.onProgress?.(counts);
      lastProgress = clock.now();
    }
    await clock.sleep(checkEveryMs, options.signal).catch(() => undefined);
  }
}

async function heldBack(queue: JobQueue): Promise<number> {
  const dead = await queue.listDead({ limit: 10_000 });
  return dead.reduce((sum, job) => sum + job.heldBack, 0);
}
