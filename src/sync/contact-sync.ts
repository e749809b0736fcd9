/**
 * GHL contact → Tenant Turner lead, effectively once (ARCHITECTURE.md §1.3, §5):
 * - link before write: a `pending` link is committed before the lead is created;
 * - the create is safe to repeat: Tenant Turner refuses a second lead with the same email or
 *   phone and answers with the first (the client resolves that 409 to the existing lead), and
 *   the modeled surface returns the record already made for the same `ExternalId`; so a retry
 *   after a timeout, a 5xx or a crash between the create and the commit finds the first lead;
 * - no-op writes cost nothing: the mapped lead's hash is compared with the last synced one;
 * - every outcome records link, snapshots, version, provenance, timeline and audit in one
 *   transaction; a repeated job finds the hash unchanged and writes nothing.
 *
 * The work comes in three phases so that a backfill can run a whole page through each with one
 * commit per phase: `planContact` (reads), `ensurePendingLinks` (commit), `applyPlan` (the
 * Tenant Turner write) and `commitEffects` (commit). `syncContact` runs them for one contact.
 */
import type { Transaction } from 'kysely';
import { HttpError } from '../shared/errors.ts';
import {
  ensurePendingLinks,
  findLinkByGhlId,
  findLinksByTtIds,
  updateLink,
} from '../store/links.ts';
import type { Link } from '../store/links.ts';
import { getSnapshot, insertAudit, putSnapshots, recordChanges } from '../store/records.ts';
import type { Database } from '../store/schema.ts';
import { contentHash, mapContact } from './contact-mapping.ts';
import {
  createEffect,
  sharedLeadEffect,
  skipEffect,
  unlinkEffect,
  updateEffect,
} from './contact-effects.ts';
import type {
  ContactEffect,
  ContactPlan,
  ContactSyncDeps,
  ContactSyncJob,
  ContactSyncOutcome,
  LeadState,
  Mapped,
} from './contact-types.ts';

export type {
  ContactEffect,
  ContactPlan,
  ContactSyncDeps,
  ContactSyncJob,
  ContactSyncOutcome,
  LeadState,
} from './contact-types.ts';

/** Brings one GHL contact to Tenant Turner; see the module comment for the guarantees. */
export async function syncContact(
  deps: ContactSyncDeps,
  job: ContactSyncJob,
  signal?: AbortSignal,
): Promise<ContactSyncOutcome> {
  const plan = await planContact(deps, job, signal);
  if (plan.kind === 'create') {
    await ensurePendingLinks(deps.db, 'person', pendingLinksOf([plan]), deps.clock.now());
  }
  const effect = await applyPlan(deps, plan, signal);
  if (!needsCommit(effect)) return effect.outcome;
  const [final] = await deps.db.transaction().execute(async (trx) => {
    const done = await commitEffects(trx, deps, [effect]);
    await job.inTransaction?.(trx);
    return done;
  });
  return (final ?? effect).outcome;
}

/** Phase 1: reads the contact (unless given), maps it, and decides what to do. */
export async function planContact(
  deps: ContactSyncDeps,
  job: ContactSyncJob,
  signal?: AbortSignal,
  /** The contact's link as already read (a backfill page reads them all at once); null: none. */
  known?: Link | null,
): Promise<ContactPlan> {
  const existing =
    known === undefined
      ? await findLinkByGhlId(deps.db, 'person', job.locationId, job.contactId)
      : (known ?? undefined);
  if (job.trigger === 'ContactDelete') return { kind: 'unlink', job, link: existing };
  let contact = job.contact;
  if (!contact) {
    try {
      contact = await deps.ghl
        .location(job.locationId, job.lane ?? 'webhook')
        .getContact(job.contactId, signal ? { signal } : {});
    } catch (error) {
      // Deleted after the event was sent: the same as a delete.
      if (error instanceof HttpError && error.code === 'not_found') {
        return { kind: 'unlink', job, link: existing };
      }
      throw error;
    }
  }
  const draft = mapContact(contact, deps.mapping);
  if (!draft.fields.email || !draft.fields.phone) {
    return { kind: 'skip', job, reason: `contact ${job.contactId}: ${draft.problems.join('; ')}` };
  }
  const rental = await deps.rentals.resolve(draft.rental, signal);
  const lead: LeadState = {
    ...draft.fields,
    ...(rental.propertyId !== undefined ? { propertyId: rental.propertyId } : {}),
  };
  const mapped: Mapped = {
    job,
    lead,
    hash: contentHash(lead),
    notes: [rental.note, ...draft.problems],
    sources: draft.sources,
    sourceTs: contact.dateUpdated ? Date.parse(contact.dateUpdated) : undefined,
  };
  if (existing?.state !== 'active' || existing.ttId === undefined) {
    return { kind: 'create', job, mapped };
  }
  const applicationId = Number(existing.ttId);
  const seen = await getSnapshot(deps.db, existing.id, 'ghl');
  if (seen?.hash === mapped.hash) {
    return { kind: 'unchanged', job, link: existing, applicationId, mapped };
  }
  return { kind: 'update', job, mapped, link: existing, applicationId };
}

/**
 * Phase 2 input: the links to commit as `pending` before any lead of `plans` is written (pass
 * to `ensurePendingLinks`).
 */
export function pendingLinksOf(
  plans: readonly ContactPlan[],
): { locationId: string; ghlId: string }[] {
  return plans
    .filter((plan) => plan.kind === 'create')
    .map((plan) => ({ locationId: plan.job.locationId, ghlId: plan.job.contactId }));
}

/** Phase 3: the Tenant Turner write a plan calls for (none for skip, unlink, unchanged). */
export async function applyPlan(
  deps: ContactSyncDeps,
  plan: ContactPlan,
  signal?: AbortSignal,
): Promise<ContactEffect> {
  const { job } = plan;
  switch (plan.kind) {
    case 'skip':
      return skipEffect(job, plan.reason);
    case 'unlink':
      return unlinkEffect(deps, job, plan.link);
    case 'unchanged':
      return {
        outcome: { kind: 'unchanged', applicationId: plan.applicationId },
        job,
        snapshots: [],
      };
    case 'update':
      return updateEffect(deps, plan.mapped, plan.link, plan.applicationId);
    case 'create':
      return createEffect(deps, plan.mapped, plan.link, signal);
  }
}

/**
 * Phase 4: records the effects (one statement per table), activating or unlinking links; call
 * in the transaction that completes the work. A lead that two contacts of the batch (or a
 * contact already linked) resolved to stays with its first owner; the other is recorded as
 * skipped. Resolves with the final effects.
 */
export async function commitEffects(
  trx: Transaction<Database>,
  deps: ContactSyncDeps,
  effects: readonly ContactEffect[],
): Promise<ContactEffect[]> {
  const now = deps.clock.now();
  const ttIds = effects.flatMap((e) => (e.link?.ttId !== undefined ? [e.link.ttId] : []));
  const owners = await findLinksByTtIds(trx, 'person', ttIds);
  const claimed = new Map<string, string>();
  const final: ContactEffect[] = [];
  for (const effect of effects) {
    const ttId = effect.link?.ttId;
    if (ttId !== undefined && effect.link) {
      const owner = claimed.get(ttId) ?? owners.get(ttId)?.id;
      if (owner !== undefined && owner !== effect.link.id) {
        final.push(sharedLeadEffect(effect.job, ttId));
        continue;
      }
      claimed.set(ttId, effect.link.id);
    }
    final.push(effect);
  }
  for (const effect of final) {
    if (effect.link) {
      await updateLink(
        trx,
        effect.link.id,
        { state: effect.link.state, ...(effect.link.ttId ? { ttId: effect.link.ttId } : {}) },
        now,
      );
    }
  }
  await putSnapshots(
    trx,
    final.flatMap((e) => e.snapshots),
    now,
  );
  await recordChanges(
    trx,
    final.flatMap((e) => (e.change ? [e.change] : [])),
    now,
  );
  const audits = final.flatMap((e) => (e.audit ? [e.audit] : []));
  await insertAudit(trx, audits, now);
  for (const effect of final) {
    if (effect.outcome.kind === 'skipped') {
      deps.logger.warn(
        { contactId: effect.job.contactId, reason: effect.outcome.reason },
        'contact not synced',
      );
    } else if (effect.outcome.kind === 'not_applied') {
      deps.logger.info(
        { contactId: effect.job.contactId, fields: effect.outcome.fields },
        'lead change not applied: Tenant Turner has no lead update',
      );
    }
  }
  return final;
}

/** Whether an effect has anything to record. */
export function needsCommit(effect: ContactEffect): boolean {
  return Boolean(effect.link || effect.snapshots.length > 0 || effect.change || effect.audit);
}
