/**
 * What the three child phases of `ttsync backfill` (tasks, appointments, notes) share: their
 * progress, the checkpoint committed after each page's records (stream
 * `backfill:<phase>:<locationId>`: the position to resume from plus the counts so far), and the
 * batch runner that syncs a page's children through the same sync functions the webhook jobs
 * run, a few at a time, handing any child that fails to the job queue (retries, then the
 * dead-letter list) before the checkpoint moves past it.
 *
 * Each child's records commit with its own sync (the *-sync modules); the checkpoint commits
 * after the whole page. A crash in between replays the page: what was synced finds its hash
 * unchanged, and a child caught between its Tenant Turner write and its commit is found again
 * by its `pending` link and `ExternalId`, so a replay makes no duplicate.
 */
import type { JobQueue } from '../queue/index.ts';
import { deleteCursor, getCursor, putCursor } from '../store/cursors.ts';
import { findLinksByGhlIds } from '../store/links.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { personKey } from './jobs.ts';

export type ChildPhase = 'tasks' | 'appointments' | 'notes';

/** What happened to the children of a phase, by kind. */
export interface ChildOutcomes {
  created: number;
  updated: number;
  unchanged: number;
  not_applied: number;
  deleted: number;
  skipped: number;
  /** Children of a contact that has no lead (the contacts phase skipped it). */
  no_lead: number;
  /** Handed to the job queue for retries. */
  failed: number;
}

/** One child phase's counts so far. */
export interface ChildPhaseProgress {
  phase: ChildPhase;
  locationId: string;
  /** Pages done: task search pages, calendar windows, or batches of contacts. */
  pages: number;
  /** Children read from GHL. */
  records: number;
  /** GHL calls this phase made. */
  calls: number;
  /** GHL calls still to come, as far as known (the task search has no total: at least one). */
  remainingCalls: number;
  /** Notes only: contacts whose notes were read, and those skipped as not needed. */
  contactsRead: number;
  contactsSkipped: number;
  outcomes: ChildOutcomes;
  resumed: boolean;
  done: boolean;
  elapsedMs: number;
}

/** Options every child phase takes. */
export interface ChildPhaseOptions {
  locationId: string;
  /** Children synced at once (read again for each page); default 16. */
  concurrency?: number | (() => number) | undefined;
  /** Ignore the checkpoint (and, for notes, what earlier backfills read). */
  restart?: boolean | undefined;
  /** Failed children go here as jobs; without a queue a failure stops the phase. */
  queue?: JobQueue | undefined;
  onProgress?: ((progress: ChildPhaseProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Sync nothing before this settles (the contacts phase, whose leads the children need); the
   * phase reads ahead meanwhile, up to `READ_AHEAD` children.
   */
  gate?: Promise<unknown> | undefined;
}

export const DEFAULT_CHILD_CONCURRENCY = 16;

/** Children a gated phase reads ahead at most (a few MB). */
export const READ_AHEAD = 5_000;

export function emptyOutcomes(): ChildOutcomes {
  return {
    created: 0,
    updated: 0,
    unchanged: 0,
    not_applied: 0,
    deleted: 0,
    skipped: 0,
    no_lead: 0,
    failed: 0,
  };
}

/** A copy for a progress callback (the phase goes on changing its own). */
export function snapshot(progress: ChildPhaseProgress): ChildPhaseProgress {
  return { ...progress, outcomes: { ...progress.outcomes } };
}

/** A phase's checkpoint: where to resume, and the counts to resume with. */
export class PhaseCheckpoint<P> {
  readonly stream: string;
  readonly #deps: ContactSyncDeps;

  constructor(deps: ContactSyncDeps, phase: ChildPhase, locationId: string) {
    this.#deps = deps;
    this.stream = `backfill:${phase}:${locationId}`;
  }

  /** The saved position and progress, or a fresh progress (also on `restart`). */
  async start(
    phase: ChildPhase,
    options: ChildPhaseOptions,
  ): Promise<{ position: P | undefined; progress: ChildPhaseProgress }> {
    if (options.restart) await deleteCursor(this.#deps.db, this.stream);
    const saved = await getCursor(this.#deps.db, this.stream);
    const state = saved?.pageToken
      ? (JSON.parse(saved.pageToken) as { position: P; progress: ChildPhaseProgress })
      : undefined;
    const progress: ChildPhaseProgress = state
      ? { ...state.progress, resumed: true, done: false, elapsedMs: 0 }
      : {
          phase,
          locationId: options.locationId,
          pages: 0,
          records: 0,
          calls: 0,
          remainingCalls: 1,
          contactsRead: 0,
          contactsSkipped: 0,
          outcomes: emptyOutcomes(),
          resumed: false,
          done: false,
          elapsedMs: 0,
        };
    return { position: state?.position, progress };
  }

  /** Commits `position` (after the page's records) with the counts so far. */
  async save(position: P, progress: ChildPhaseProgress): Promise<void> {
    await putCursor(
      this.#deps.db,
      this.stream,
      {
        value: String(progress.pages),
        tieBreak: [],
        pageToken: JSON.stringify({ position, progress }),
      },
      this.#deps.clock.now(),
    );
  }

  /** Forgets the checkpoint (the phase finished). */
  async clear(): Promise<void> {
    await deleteCursor(this.#deps.db, this.stream);
  }
}

/** A child to sync, and the job that syncs it later if it fails now. */
export interface ChildItem {
  contactId: string;
  /** Syncs the child; resolves with its outcome kind. */
  sync: () => Promise<string>;
  /** The job for the queue: name, payload and the child's coalesce key. */
  retry: { name: string; payload: object; coalesceKey: string };
}

/** A child that failed, for the queue. */
export interface ChildFailure {
  item: ChildItem;
  error: unknown;
}

/**
 * Syncs `items` (one page), `concurrency` at a time, counting outcomes into `progress`. A child
 * whose contact has no active lead is counted `no_lead` and not synced (the sync would have to
 * sync the contact inline, one more GHL call, to find what the contacts phase already found).
 * Failed children go to the queue before this resolves; without a queue the first one throws.
 */
export async function syncChildren(
  deps: ContactSyncDeps,
  items: readonly ChildItem[],
  options: ChildPhaseOptions,
  progress: ChildPhaseProgress,
): Promise<void> {
  const linked = await findLinksByGhlIds(deps.db, 'person', options.locationId, [
    ...new Set(items.map((item) => item.contactId)),
  ]);
  const ready = items.filter((item) => {
    const person = linked.get(item.contactId);
    const ok = person?.state === 'active' && person.ttId !== undefined;
    if (!ok) progress.outcomes.no_lead++;
    return ok;
  });
  const failed: ChildFailure[] = [];
  await eachAtOnce(ready, options, (item) => syncChild(item, options, progress, failed));
  await handOver(deps, failed, options, progress);
}

/** The phase's concurrency now. */
export function widthOf(options: Pick<ChildPhaseOptions, 'concurrency'>): number {
  const width = options.concurrency;
  return (typeof width === 'function' ? width() : width) ?? DEFAULT_CHILD_CONCURRENCY;
}

/** Runs `fn` over `items`, `options.concurrency` at a time; the first error stops the rest. */
export async function eachAtOnce<T>(
  items: readonly T[],
  options: Pick<ChildPhaseOptions, 'concurrency' | 'signal'>,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let stop: unknown;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length && stop === undefined; i = next++) {
      options.signal?.throwIfAborted();
      try {
        await fn(items[i] as T);
      } catch (error) {
        stop ??= error;
        throw error;
      }
    }
  };
  const width = Math.max(1, widthOf(options));
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** Syncs one child and counts its outcome; a failure is set aside (thrown without a queue). */
export async function syncChild(
  item: ChildItem,
  options: ChildPhaseOptions,
  progress: ChildPhaseProgress,
  failed: ChildFailure[],
): Promise<void> {
  try {
    const kind = await item.sync();
    const key = (kind in progress.outcomes ? kind : 'skipped') as keyof ChildOutcomes;
    progress.outcomes[key]++;
  } catch (error) {
    if (!options.queue || options.signal?.aborted) throw error;
    failed.push({ item, error });
  }
}

/** Hands the failed children to the queue (call before the checkpoint moves past them). */
export async function handOver(
  deps: ContactSyncDeps,
  failed: readonly ChildFailure[],
  options: ChildPhaseOptions,
  progress: ChildPhaseProgress,
): Promise<void> {
  for (const { item, error } of failed) {
    deps.logger.warn(
      { phase: progress.phase, job: item.retry.name, err: error },
      'backfill could not sync a child; handed to the job queue',
    );
    await options.queue?.enqueue(item.retry.name, item.retry.payload, {
      key: personKey(options.locationId, item.contactId),
      coalesceKey: item.retry.coalesceKey,
    });
    progress.outcomes.failed++;
  }
}

/**
 * Reads `source` ahead of its consumer, up to `limit` (by `sizeOf`) items buffered: a phase
 * started before the contacts finish spends the otherwise idle GHL budget reading its pages, and
 * syncs them once its `gate` opens. A read error reaches the consumer in order.
 */
export async function* readAhead<T>(
  source: AsyncIterator<T>,
  limit: number,
  sizeOf: (item: T) => number,
): AsyncGenerator<T, void, undefined> {
  const buffer: T[] = [];
  let size = 0;
  let finished = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wakeConsumer = (): void => {};
  let wakePump = (): void => {};
  const pump = async (): Promise<void> => {
    try {
      while (!stopped) {
        if (size >= limit) {
          await new Promise<void>((resolve) => (wakePump = resolve));
          continue;
        }
        const next = await source.next();
        if (next.done) break;
        buffer.push(next.value);
        size += sizeOf(next.value);
        wakeConsumer();
      }
    } catch (error) {
      failure = { error };
    }
    finished = true;
    wakeConsumer();
  };
  void pump();
  try {
    for (;;) {
      const item = buffer.shift();
      if (item !== undefined) {
        size -= sizeOf(item);
        wakePump();
        yield item;
        continue;
      }
      if (failure) throw failure.error;
      if (finished) return;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } finally {
    stopped = true;
    wakePump();
  }
}
