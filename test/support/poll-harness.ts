/**
 * Shared setup of the int tests of a child poll (tasks, appointments): per test, both sandboxes
 * on one Tenant Turner surface, a store, a queue with the sync handlers, and waits on the jobs
 * the poll hands over; plus a queue that crashes inside the poll's transaction (its jobs must
 * roll back).
 */
import { afterEach, beforeEach } from 'node:test';
import type { ContactSyncDeps } from '../../src/sync/contact-types.ts';
import type { JobQueue } from '../../src/queue/index.ts';
import type { Store } from '../../src/store/database.ts';
import { registerSyncHandlers } from '../../src/sync/jobs.ts';
import { QueueHarness } from './queue-harness.ts';
import type { StoreFactory } from './stores.ts';
import type { Sandboxes } from './sync-harness.ts';
import { startSandboxes, syncDeps } from './sync-harness.ts';

/** One test's parts: sandboxes, store, sync dependencies and queue. */
export interface PollRig {
  boxes: Sandboxes;
  store: Store;
  deps: ContactSyncDeps;
  queue: JobQueue;
  locationId: string;
}

export interface PollSuite {
  /**
   * A fresh store named `name` and a queue on it (not started); the sync handlers are
   * registered on it unless `handlers` is false.
   */
  open: (name: string, options?: { handlers?: boolean }) => Promise<PollRig>;
  /** Resolves once `count` jobs of the suite's job name have completed in the test, in total. */
  synced: (count: number) => Promise<unknown>;
}

/**
 * Call inside a `describeEachDialect` suite: starts the sandboxes (`surface`, no contacts) before
 * each test and stops its queues and sandboxes after it. `jobName` is the job the poll enqueues.
 */
export function pollSuite(
  stores: StoreFactory,
  surface: 'extended' | 'real',
  jobName: string,
): PollSuite {
  let boxes: Sandboxes;
  let queues: QueueHarness;
  beforeEach(async () => {
    queues = new QueueHarness();
    boxes = await startSandboxes({ surface }, 0);
  });
  afterEach(async () => {
    await queues.stopAll();
    await boxes.close();
  });
  return {
    open: async (name, { handlers = true } = {}) => {
      const store = await stores.open(name);
      const deps = syncDeps(store, boxes);
      const queue = queues.open(store);
      if (handlers) registerSyncHandlers(queue, deps);
      return { boxes, store, deps, queue, locationId: boxes.ghlBox.locationId };
    },
    synced: (count) =>
      queues.outcomes.wait(
        (o) => o.name === jobName && o.outcome === 'completed',
        `${count} ${jobName} jobs completed`,
        count,
      ),
  };
}

/**
 * `queue`, except that its `crashAt`-th `enqueueMany` writes its jobs (in the poll's
 * transaction) and then throws `crash`, as if the process died there.
 */
export function crashingQueue(queue: JobQueue, crashAt: number): JobQueue {
  let enqueues = 0;
  return new Proxy(queue, {
    get(target, prop) {
      if (prop !== 'enqueueMany') return Reflect.get(target, prop, target) as unknown;
      return async (...args: Parameters<JobQueue['enqueueMany']>) => {
        const written = await target.enqueueMany(...args);
        if (++enqueues === crashAt) throw new Error('crash');
        return written;
      };
    },
  });
}
