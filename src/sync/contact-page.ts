/**
 * Phases 1–3 of the contact sync for a whole page of GHL contacts (a backfill or poll page):
 * plan every contact with one link query, commit every pending link in one transaction before
 * any lead is written, then the Tenant Turner writes. The caller commits the effects (phase 4)
 * with its own cursor. A contact that throws is set aside for the job queue, or, without a
 * queue, stops the run.
 */
import type { Lane } from '../ghl/rate-limiter.ts';
import type { GhlSearchContact } from '../ghl/types.ts';
import type { JobQueue } from '../queue/index.ts';
import { ensurePendingLinks, findLinksByGhlIds } from '../store/links.ts';
import { applyPlan, pendingLinksOf, planContact } from './contact-sync.ts';
import type {
  ContactEffect,
  ContactPlan,
  ContactSyncDeps,
  ContactSyncJob,
  ContactSyncOutcome,
} from './contact-sync.ts';
import { CONTACT_SYNC_JOB, personKey } from './jobs.ts';
import type { ContactSyncPayload } from './jobs.ts';

export interface ContactPageOptions {
  locationId: string;
  /** `backfill` or `poll`: recorded as the source of every change. */
  trigger: string;
  lane: Lane;
  /** Contacts planned and written at once. */
  concurrency: number;
  /** Where failed contacts go; without one, the first failure is thrown. */
  queue?: JobQueue | undefined;
  signal?: AbortSignal | undefined;
}

/** A run's contacts (backfill or poll) by outcome; `failed`: handed to the job queue. */
export type ContactOutcomeCounts = Record<ContactSyncOutcome['kind'] | 'failed', number>;

/** Every outcome at zero, for a run that has synced nothing yet. */
export function noContactOutcomes(): ContactOutcomeCounts {
  return {
    created: 0,
    linked_existing: 0,
    updated: 0,
    not_applied: 0,
    unchanged: 0,
    unlinked: 0,
    skipped: 0,
    failed: 0,
  };
}

/** A contact the page could not sync, and why. */
export interface PageFailure {
  job: ContactSyncJob;
  error: unknown;
}

/** Plans and writes a page; resolves with the effects to commit and the contacts set aside. */
export async function planAndApplyPage(
  deps: ContactSyncDeps,
  contacts: readonly GhlSearchContact[],
  options: ContactPageOptions,
): Promise<{ effects: ContactEffect[]; failed: PageFailure[] }> {
  const { locationId, signal } = options;
  const failed: PageFailure[] = [];
  const jobs: ContactSyncJob[] = contacts.map((contact) => ({
    locationId,
    contactId: contact.id,
    trigger: options.trigger,
    contact,
    lane: options.lane,
  }));
  if (jobs.length === 0) return { effects: [], failed };
  const ids = jobs.map((job) => job.contactId);
  const known = await findLinksByGhlIds(deps.db, 'person', locationId, ids);
  const planned = await settleEach(
    jobs,
    options,
    failed,
    (job) => job,
    (job) => planContact(deps, job, signal, known.get(job.contactId) ?? null),
  );
  let plans = planned;
  const pendingLinks = pendingLinksOf(planned);
  if (pendingLinks.length > 0) {
    await deps.db
      .transaction()
      .execute((trx) => ensurePendingLinks(trx, 'person', pendingLinks, deps.clock.now()));
    const pending = await findLinksByGhlIds(deps.db, 'person', locationId, ids);
    plans = planned.map((plan): ContactPlan => {
      const link = pending.get(plan.job.contactId);
      return plan.kind === 'create' && link ? { ...plan, link } : plan;
    });
  }
  const effects = await settleEach(
    plans,
    options,
    failed,
    (plan) => plan.job,
    (plan) => applyPlan(deps, plan, signal).then((effect) => ({ ...effect, job: plan.job })),
  );
  return { effects, failed };
}

/**
 * Failed contacts become `contact-sync` jobs (retries, then the dead-letter list). Call before
 * committing a cursor past them, so a crash in between replays the page instead of losing them.
 */
export async function handOverFailures(
  deps: ContactSyncDeps,
  queue: JobQueue | undefined,
  failed: readonly PageFailure[],
  trigger: string,
): Promise<void> {
  for (const { job, error } of failed) {
    deps.logger.warn(
      { contactId: job.contactId, trigger, err: error },
      'could not sync a contact; handed to the job queue',
    );
    const payload: ContactSyncPayload = {
      locationId: job.locationId,
      contactId: job.contactId,
      trigger,
    };
    await queue?.enqueue(CONTACT_SYNC_JOB, payload, {
      key: personKey(job.locationId, job.contactId),
      coalesceKey: 'contact',
    });
  }
}

/** Runs `fn` over `items` at the page's concurrency, setting aside the ones that throw. */
async function settleEach<T, R>(
  items: readonly T[],
  options: ContactPageOptions,
  failed: PageFailure[],
  jobOf: (item: T) => ContactSyncJob,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i] as T;
      try {
        results.push(await fn(item));
      } catch (error) {
        if (!options.queue) throw error;
        failed.push({ job: jobOf(item), error });
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, options.concurrency), items.length) }, worker),
  );
  return results;
}
