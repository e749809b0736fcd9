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
import type { Kysely, Transaction } from 'kysely';
import type { GhlClient } from '../ghl/client.ts';
import type { Lane } from '../ghl/rate-limiter.ts';
import type { Clock } from '../shared/clock.ts';
import { HttpError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import {
  ensurePendingLinks,
  findLinkByGhlId,
  findLinksByTtIds,
  updateLink,
} from '../store/links.ts';
import type { Link } from '../store/links.ts';
import { getSnapshot, insertAudit, putSnapshots, recordChanges } from '../store/records.ts';
import type { AuditEntry, ChangeRecord, SnapshotWrite } from '../store/records.ts';
import type { Database } from '../store/schema.ts';
import type { TenantTurnerClient } from '../tenant-turner/client.ts';
import type { Lead } from '../tenant-turner/resources.ts';
import { contentHash, mapContact } from './contact-mapping.ts';
import type { ContactLike, LeadFields } from './contact-mapping.ts';
import type { Mapping } from './mapping-config.ts';
import type { RentalDirectory } from './rental-directory.ts';

/** What the sync needs. */
export interface ContactSyncDeps {
  db: Kysely<Database>;
  ghl: GhlClient;
  tt: TenantTurnerClient;
  mapping: Mapping;
  rentals: RentalDirectory;
  clock: Clock;
  logger: Logger;
}

/** One contact to bring across. */
export interface ContactSyncJob {
  locationId: string;
  contactId: string;
  /** What asked: a webhook event type, or `backfill`, `poll`, `reconcile`. */
  trigger: string;
  eventId?: string | undefined;
  /** The contact as already read (a backfill page), to spare a GHL call. */
  contact?: ContactLike | undefined;
  lane?: Lane | undefined;
  jobId?: string | undefined;
  /**
   * Called inside the transaction that records the outcome, so the caller's own bookkeeping
   * (the queue completing the job) commits with it.
   */
  inTransaction?: ((trx: Transaction<Database>) => Promise<void>) | undefined;
}

/** The lead as ttsync writes it: mapped fields plus the rental. */
export type LeadState = LeadFields & { propertyId?: number };

/** What happened to the contact. */
export type ContactSyncOutcome =
  | { kind: 'created'; applicationId: number }
  | { kind: 'linked_existing'; applicationId: number }
  | { kind: 'updated'; applicationId: number; fields: string[] }
  | { kind: 'not_applied'; applicationId: number; fields: string[]; reason: string }
  | { kind: 'unchanged'; applicationId: number }
  | { kind: 'unlinked' }
  | { kind: 'skipped'; reason: string };

const NO_LEAD_UPDATE = 'not applied: Tenant Turner has no lead update';

/** The mapped contact, ready to compare or write. */
interface Mapped {
  job: ContactSyncJob;
  lead: LeadState;
  hash: string;
  notes: string[];
  sources: Record<keyof LeadFields, string>;
  sourceTs: number | undefined;
}

/** What phase 1 decided. */
export type ContactPlan =
  | { kind: 'skip'; job: ContactSyncJob; reason: string }
  | { kind: 'unlink'; job: ContactSyncJob; link: Link | undefined }
  | { kind: 'unchanged'; job: ContactSyncJob; link: Link; applicationId: number; mapped: Mapped }
  | { kind: 'create'; job: ContactSyncJob; mapped: Mapped; link?: Link }
  | { kind: 'update'; job: ContactSyncJob; mapped: Mapped; link: Link; applicationId: number };

/** What phase 3 did, for phase 4 to record. */
export interface ContactEffect {
  outcome: ContactSyncOutcome;
  job: ContactSyncJob;
  /** The link to activate with this TT id, or to unlink. */
  link?: { id: string; ttId?: string; state: 'active' | 'unlinked' };
  snapshots: (SnapshotWrite & { linkId: string })[];
  change?: ChangeRecord;
  audit?: AuditEntry;
}

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

async function createEffect(
  deps: ContactSyncDeps,
  mapped: Mapped,
  pending: Link | undefined,
  signal?: AbortSignal,
): Promise<ContactEffect> {
  const { job, lead } = mapped;
  const link = pending ?? (await findLinkByGhlId(deps.db, 'person', job.locationId, job.contactId));
  if (!link) throw new Error(`no pending link for contact ${job.contactId}: phase 2 was skipped`);
  const call = signal ? { signal } : {};
  const { applicationId, alreadyExisted } = await deps.tt.leads.createId(lead, call);
  const ttId = String(applicationId);
  if (!alreadyExisted) {
    return {
      outcome: { kind: 'created', applicationId },
      job,
      link: { id: link.id, ttId, state: 'active' },
      snapshots: [],
      change: change(deps, mapped, link, {
        applicationId,
        beforeHash: undefined,
        fields: Object.keys(lead),
        outcome: 'applied',
        kind: 'lead_created',
        summary: `Lead ${applicationId} created in Tenant Turner for ${name(lead)}`,
        action: 'tt.lead.create',
      }),
    };
  }
  // Tenant Turner already had this person (an earlier attempt, or another channel): link to it
  // and bring it up to date like any update, its fields standing for the last synced state.
  const theirs = leadStateOf(await deps.tt.leads.get(applicationId, call));
  const active: Link = { ...link, ttId, state: 'active' };
  const updated = await updateEffect(deps, mapped, active, applicationId, {
    side: 'tt',
    data: theirs,
    hash: contentHash(theirs),
  });
  return {
    ...updated,
    outcome:
      updated.outcome.kind === 'unchanged'
        ? { kind: 'linked_existing', applicationId }
        : updated.outcome,
    link: { id: link.id, ttId, state: 'active' },
  };
}

async function updateEffect(
  deps: ContactSyncDeps,
  mapped: Mapped,
  link: Link,
  applicationId: number,
  theirs?: SnapshotWrite,
): Promise<ContactEffect> {
  const { job, lead, hash } = mapped;
  const written = theirs ?? (await getSnapshot(deps.db, link.id, 'tt'));
  const before = (written?.data ?? {}) as Partial<LeadState>;
  const fields = (Object.keys(lead) as (keyof LeadState)[]).filter((k) => before[k] !== lead[k]);
  const seenSnapshot = { linkId: link.id, side: 'ghl' as const, data: lead, hash };
  const theirSnapshot = theirs ? [{ linkId: link.id, ...theirs }] : [];
  if (fields.length === 0) {
    return {
      outcome: { kind: 'unchanged', applicationId },
      job,
      snapshots: [...theirSnapshot, seenSnapshot],
    };
  }
  const patch = Object.fromEntries(fields.map((k) => [k, lead[k]]));
  if (!(await deps.tt.supports('lead-update'))) {
    return {
      outcome: { kind: 'not_applied', applicationId, fields, reason: NO_LEAD_UPDATE },
      job,
      snapshots: theirSnapshot,
      change: change(deps, mapped, link, {
        applicationId,
        beforeHash: written?.hash,
        fields,
        outcome: 'not_applied',
        kind: 'lead_update_not_applied',
        summary: `${fields.join(', ')} changed in GHL; ${NO_LEAD_UPDATE}`,
        action: 'tt.lead.update',
      }),
    };
  }
  await deps.tt.leads.update(applicationId, patch);
  return {
    outcome: { kind: 'updated', applicationId, fields },
    job,
    snapshots: [],
    change: change(deps, mapped, link, {
      applicationId,
      beforeHash: written?.hash,
      fields,
      outcome: 'applied',
      kind: 'lead_updated',
      summary: `Lead ${applicationId} updated: ${fields.join(', ')}`,
      action: 'tt.lead.update',
      patch,
      before: Object.fromEntries(fields.map((k) => [k, before[k]])),
    }),
  };
}

interface ChangeFacts {
  applicationId: number;
  beforeHash: string | undefined;
  fields: string[];
  outcome: 'applied' | 'not_applied';
  kind: string;
  summary: string;
  action: string;
  patch?: Record<string, unknown>;
  before?: Record<string, unknown>;
}

/** The records of one change to the lead. */
function change(
  deps: ContactSyncDeps,
  mapped: Mapped,
  link: Link,
  facts: ChangeFacts,
): ChangeRecord {
  const { job, lead, hash } = mapped;
  const applied = facts.outcome === 'applied';
  return {
    linkId: link.id,
    side: 'tt',
    source: `ghl:${job.trigger}`,
    sourceEventId: job.eventId,
    sourceTs: mapped.sourceTs,
    mappingVersion: deps.mapping.version,
    beforeHash: facts.beforeHash,
    afterHash: hash,
    change: Object.fromEntries(facts.fields.map((k) => [k, lead[k as keyof LeadState]])),
    outcome: facts.outcome,
    note: applied ? mapped.notes.join('; ') : NO_LEAD_UPDATE,
    snapshots: [
      { side: 'ghl', data: lead, hash, sourceUpdatedAt: mapped.sourceTs },
      ...(applied ? [{ side: 'tt' as const, data: lead, hash }] : []),
    ],
    provenance: facts.fields.map((field) => ({
      field,
      sourceField:
        field === 'propertyId' ? 'rental rule' : mapped.sources[field as keyof LeadFields],
      valueHash: contentHash(lead[field as keyof LeadState] ?? null),
    })),
    timeline: {
      occurredAt: mapped.sourceTs ?? deps.clock.now(),
      source: 'ttsync',
      kind: facts.kind,
      summary: facts.summary,
      refId: hash,
      data: { applicationId: facts.applicationId, fields: facts.fields },
    },
    audit: {
      actor: 'sync',
      action: facts.action,
      targetId: String(facts.applicationId),
      before: facts.before,
      after: facts.patch ?? lead,
      result: applied ? 'ok' : 'not_applied',
      detail: mapped.notes.join('; ') || undefined,
      jobId: job.jobId,
    },
  };
}

function unlinkEffect(
  deps: ContactSyncDeps,
  job: ContactSyncJob,
  link: Link | undefined,
): ContactEffect {
  if (!link || link.state === 'unlinked')
    return { outcome: { kind: 'unlinked' }, job, snapshots: [] };
  const now = deps.clock.now();
  return {
    outcome: { kind: 'unlinked' },
    job,
    link: { id: link.id, state: 'unlinked' },
    snapshots: [],
    change: {
      linkId: link.id,
      side: 'tt',
      source: `ghl:${job.trigger}`,
      sourceEventId: job.eventId,
      mappingVersion: deps.mapping.version,
      beforeHash: undefined,
      afterHash: 'unlinked',
      change: {},
      outcome: 'not_applied',
      note: 'GHL contact deleted: unlinked; the Tenant Turner lead is kept (ttsync never deletes there)',
      snapshots: [],
      provenance: [],
      timeline: {
        occurredAt: now,
        source: 'ttsync',
        kind: 'contact_deleted',
        summary: `GHL contact ${job.contactId} deleted; lead ${link.ttId ?? '(none)'} kept and unlinked`,
        refId: job.eventId ?? `delete:${now}`,
      },
      audit: {
        actor: 'sync',
        action: 'link.unlink',
        targetId: link.ttId,
        result: 'ok',
        jobId: job.jobId,
      },
    },
  };
}

function skipEffect(job: ContactSyncJob, reason: string): ContactEffect {
  return {
    outcome: { kind: 'skipped', reason },
    job,
    snapshots: [],
    audit: {
      actor: 'sync',
      action: 'tt.lead.skip',
      targetSide: 'tt',
      targetId: undefined,
      after: { contactId: job.contactId, locationId: job.locationId },
      result: 'skipped',
      detail: reason,
      jobId: job.jobId,
    },
  };
}

function sharedLeadEffect(job: ContactSyncJob, ttId: string): ContactEffect {
  return skipEffect(
    job,
    `Tenant Turner lead ${ttId} (same email or phone) is already linked to another GHL contact; ` +
      'merge the duplicate contacts in GHL, or give this one its own email and phone',
  );
}

function leadStateOf(lead: Lead): LeadState {
  return {
    firstName: lead.firstName ?? '',
    lastName: lead.lastName ?? '',
    email: (lead.email ?? '').toLowerCase(),
    phone: lead.phone ?? '',
    source: lead.source ?? '',
    externalId: lead.externalId ?? '',
    externalSource: lead.externalSource ?? '',
    ...(lead.propertyId !== undefined ? { propertyId: lead.propertyId } : {}),
  };
}

function name(lead: LeadState): string {
  return [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || lead.phone;
}
