/**
 * Batch commands (`backfill`, `reconcile`, `poll`) run in a worker thread whose V8 heap is
 * bounded (`resourceLimits`), so they keep to a small host's memory with Node's own defaults.
 * Left alone, V8 sizes its heap from the machine's memory: on a 24 GB host a 100,000-contact
 * backfill, whose live data is about 50 MB, grew to 430 MB of mostly uncollected garbage
 * (docs/sync.md#memory). The main thread only relays Ctrl+C / SIGTERM and the exit code.
 */
import { Worker } from 'node:worker_threads';

/** The default old-generation limit of a batch command's heap, in MB. */
export const DEFAULT_BATCH_HEAP_MB = 160;
/** The young generation: small, so each scavenge copies little and the heap stays compact. */
const YOUNG_GENERATION_MB = 24;

/**
 * The heap limit from `TTSYNC_BATCH_HEAP_MB`: a number of MB, `0` to run in the main thread
 * with Node's own heap settings; or what is wrong with the value.
 */
export function batchHeapMb(env: NodeJS.ProcessEnv = process.env): number | { error: string } {
  const raw = env['TTSYNC_BATCH_HEAP_MB'];
  if (raw === undefined || raw.trim() === '') return DEFAULT_BATCH_HEAP_MB;
  const mb = Number(raw);
  if (mb === 0) return 0;
  if (!Number.isInteger(mb) || mb < 64) {
    return {
      error:
        `TTSYNC_BATCH_HEAP_MB must be a whole number of MB, at least 64 (or 0 for Node's own ` +
        `heap settings), got "${raw}".`,
    };
  }
  return mb;
}

/** Runs `ttsync <argv>` in a worker with a `heapMb` heap; resolves with its exit code. */
export function runBounded(argv: string[], heapMb: number): Promise<number> {
  const worker = new Worker(new URL('./bounded-entry.ts', import.meta.url), {
    workerData: { argv },
    resourceLimits: {
      maxOldGenerationSizeMb: heapMb,
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
    },
  });
  // The first Ctrl+C or SIGTERM asks the command to stop at its next checkpoint; a second one
  // ends the process at once (the default action, once these listeners are gone).
  const relay = (signal: NodeJS.Signals): void => {
    process.off('SIGINT', relay);
    process.off('SIGTERM', relay);
    worker.postMessage({ signal });
  };
  process.on('SIGINT', relay);
  process.on('SIGTERM', relay);
  return new Promise((resolve) => {
    let exitCode: number | undefined;
    worker.on('message', (message: { exitCode?: unknown }) => {
      if (typeof message.exitCode === 'number') exitCode = message.exitCode;
    });
    worker.on('error', (error: NodeJS.ErrnoException) => {
      exitCode = 1;
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        console.error(
          `ttsync ${argv[0] ?? ''}: ran out of its ${heapMb} MB heap. Run it again with a ` +
            `larger one, e.g. TTSYNC_BATCH_HEAP_MB=${heapMb * 2}: it goes on from its last ` +
            'checkpoint.',
        );
      } else {
        console.error(error);
      }
    });
    worker.on('exit', () => {
      process.off('SIGINT', relay);
      process.off('SIGTERM', relay);
      resolve(exitCode ?? 1);
    });
  });
}
