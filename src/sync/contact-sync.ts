/**
 * GHL contact → Tenant Turner lead, effectively once (ARCHITECTURE.md §1.3, §5):
 * - link before write: a `pending` link is committed before the lead is created;
 * - the create is safe to repeat: Tenant Turner refuses a second lead with the same email or
 *   phone and answers with the first (the client resolves that 409 to the existing lead), and
 *   the modeled surface returns the record already made for the same `ExternalId`; so a retry
 *   after a timeout, a 5xx or a crash between the create and the commit finds the first lead;
 * - no-op writes cost nothing: the mapped lead's hash is compared with the last synced one;
 * - every applied change records snapshot, version, provenance, timeline and audit in one
 *   transaction; a repeated job finds the hash unchanged and writes nothing.
 */
import type { Kysely, Transaction } from 'kysely';
import type { GhlClient } from '../ghl/client.ts';
import type { Lane } from '../ghl/rate-limiter.ts';
import type { Clock } from '../shared/clock.ts';
import { HttpError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { ensurePendingLink, findLinkByGhlId, findLinkByTtId, updateLink } from '../store/links.ts';
import type { Link } from '../store/links.ts';
import { getSnapshot, putSnapshot, recordChange } from '../store/records.ts';
import type { ChangeRecord } from '../store/records.ts';
import type { Database } from '../store/schema.ts';
import type { TenantTurnerClient } from '../tenant-turner/client.ts';
import type { Lead } from '../tenant-turner/resources.ts';
import { contentHash, mapContact } from './contact-mapping.ts';
import type { ContactLike, LeadFields } from './contact-mapping.ts';
import type { Mapping } from './mapping-config.ts';
import type { RentalDirectory } from './rental-directory.ts';

/** What the handler needs. */
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

/** Brings one GHL contact to Tenant Turner; see the module comment for the guarantees. */
export async function syncContact(
  deps: ContactSyncDeps,
  job: ContactSyncJob,
  signal?: AbortSignal,
): Promise<ContactSyncOutcome> {
  if (job.trigger === 'ContactDelete') return unlinkContact(deps, job);
  let contact = job.contact;
  if (!contact) {
    try {
      contact = await deps.ghl
        .location(job.locationId, job.lane ?? 'webhook')
        .getContact(job.contactId, signal ? { signal } : {});
    } catch (error) {
      // Deleted after the event was sent: the same as a delete.
      if (error instanceof HttpError && error.code === 'not_found') return unlinkContact(deps, job);
      throw error;
    }
  }
  const draft = mapContact(contact, deps.mapping);
  if (!draft.fields.email || !draft.fields.phone) {
    return skip(deps, job, `contact ${job.contactId}: ${draft.problems.join('; ')}`);
  }
  const rental = await deps.rentals.resolve(draft.rental, signal);
  const lead: LeadState = {
    ...draft.fields,
    ...(rental.propertyId !== undefined ? { propertyId: rental.propertyId } : {}),
  };
  const hash = contentHash(lead);
  const notes = [rental.note, ...draft.problems];
  const sourceTs = contact.dateUpdated ? Date.parse(contact.dateUpdated) : undefined;
  const base = { deps, job, lead, hash, notes, sources: draft.sources, sourceTs };

  const existing = await findLinkByGhlId(deps.db, 'person', job.locationId, job.contactId);
  if (existing?.state === 'active' && existing.ttId !== undefined) {
    return updateLead({ ...base, link: existing, applicationId: Number(existing.ttId) });
  }
  return createLead(base, signal);
}

interface Step {
  deps: ContactSyncDeps;
  job: ContactSyncJob;
  lead: LeadState;
  hash: string;
  notes: string[];
  sources: Record<keyof LeadFields, string>;
  sourceTs: number | undefined;
}

async function createLead(step: Step, signal?: AbortSignal): Promise<ContactSyncOutcome> {
  const { deps, job, lead } = step;
  const now = deps.clock.now();
  // Link before write: committed before Tenant Turner hears of the lead.
  const link = await ensurePendingLink(deps.db, 'person', job.locationId, job.contactId, now);
  const { record, alreadyExisted } = await deps.tt.leads.create(lead, signal ? { signal } : {});
  const applicationId = record.applicationId;
  const owner = await findLinkByTtId(deps.db, 'person', String(applicationId));
  if (owner && owner.id !== link.id) {
    return skip(
      deps,
      job,
      `Tenant Turner lead ${applicationId} (same email or phone) is already linked to GHL contact ` +
        `${owner.ghlId ?? '?'}; merge the duplicate contacts in GHL, or give this one its own email and phone`,
    );
  }
  if (!alreadyExisted) {
    await deps.db.transaction().execute(async (trx) => {
      await updateLink(trx, link.id, { ttId: String(applicationId), state: 'active' }, now);
      await recordChange(
        trx,
        change(step, link, {
          applicationId,
          beforeHash: undefined,
          fields: Object.keys(lead),
          outcome: 'applied',
          kind: 'lead_created',
          summary: `Lead ${applicationId} created in Tenant Turner for ${name(lead)}`,
          action: 'tt.lead.create',
        }),
        now,
      );
      await job.inTransaction?.(trx);
    });
    return { kind: 'created', applicationId };
  }
  // Tenant Turner already had this person (an earlier attempt, or another channel): link to it,
  // take its fields as the other side's snapshot, then bring it up to date like any update.
  const theirs = leadStateOf(record);
  await deps.db.transaction().execute(async (trx) => {
    await updateLink(trx, link.id, { ttId: String(applicationId), state: 'active' }, now);
    await putSnapshot(trx, link.id, { side: 'tt', data: theirs, hash: contentHash(theirs) }, now);
  });
  const outcome = await updateLead({
    ...step,
    link: { ...link, ttId: String(applicationId), state: 'active' },
    applicationId,
  });
  return outcome.kind === 'unchanged' ? { kind: 'linked_existing', applicationId } : outcome;
}

async function updateLead(
  step: Step & { link: Link; applicationId: number },
): Promise<ContactSyncOutcome> {
  const { deps, link, lead, hash, applicationId } = step;
  const [seen, written] = await Promise.all([
    getSnapshot(deps.db, link.id, 'ghl'),
    getSnapshot(deps.db, link.id, 'tt'),
  ]);
  if (seen?.hash === hash) return { kind: 'unchanged', applicationId };
  const before = (written?.data ?? {}) as Partial<LeadState>;
  const fields = (Object.keys(lead) as (keyof LeadState)[]).filter((k) => before[k] !== lead[k]);
  const now = deps.clock.now();
  if (fields.length === 0) {
    await putSnapshot(deps.db, link.id, { side: 'ghl', data: lead, hash }, now);
    return { kind: 'unchanged', applicationId };
  }
  const patch = Object.fromEntries(fields.map((k) => [k, lead[k]]));
  if (!(await deps.tt.supports('lead-update'))) {
    await deps.db.transaction().execute(async (trx) => {
      await recordChange(
        trx,
        change(step, link, {
          applicationId,
          beforeHash: written?.hash,
          fields,
          outcome: 'not_applied',
          kind: 'lead_update_not_applied',
          summary: `${fields.join(', ')} changed in GHL; ${NO_LEAD_UPDATE}`,
          action: 'tt.lead.update',
        }),
        now,
      );
      await step.job.inTransaction?.(trx);
    });
    deps.logger.info(
      { contactId: step.job.contactId, applicationId, fields },
      'lead change not applied: Tenant Turner has no lead update',
    );
    return { kind: 'not_applied', applicationId, fields, reason: NO_LEAD_UPDATE };
  }
  await deps.tt.leads.update(applicationId, patch);
  await deps.db.transaction().execute(async (trx) => {
    await recordChange(
      trx,
      change(step, link, {
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
      now,
    );
    await step.job.inTransaction?.(trx);
  });
  return { kind: 'updated', applicationId, fields };
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
function change(step: Step, link: Link, facts: ChangeFacts): ChangeRecord {
  const { job, lead, hash } = step;
  const written = facts.patch ?? lead;
  const applied = facts.outcome === 'applied';
  return {
    linkId: link.id,
    side: 'tt',
    source: `ghl:${job.trigger}`,
    sourceEventId: job.eventId,
    sourceTs: step.sourceTs,
    mappingVersion: step.deps.mapping.version,
    beforeHash: facts.beforeHash,
    afterHash: hash,
    change: Object.fromEntries(facts.fields.map((k) => [k, lead[k as keyof LeadState]])),
    outcome: facts.outcome,
    note: applied ? step.notes.join('; ') : NO_LEAD_UPDATE,
    snapshots: [
      { side: 'ghl', data: lead, hash, sourceUpdatedAt: step.sourceTs },
      ...(applied ? [{ side: 'tt' as const, data: lead, hash }] : []),
    ],
    provenance: facts.fields.map((field) => ({
      field,
      sourceField: field === 'propertyId' ? 'rental rule' : step.sources[field as keyof LeadFields],
      valueHash: contentHash(lead[field as keyof LeadState] ?? null),
    })),
    timeline: {
      occurredAt: step.sourceTs ?? step.deps.clock.now(),
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
      after: written,
      result: applied ? 'ok' : 'not_applied',
      detail: step.notes.join('; ') || undefined,
      jobId: job.jobId,
    },
  };
}

async function unlinkContact(
  deps: ContactSyncDeps,
  job: ContactSyncJob,
): Promise<ContactSyncOutcome> {
  const link = await findLinkByGhlId(deps.db, 'person', job.locationId, job.contactId);
  if (!link || link.state === 'unlinked') return { kind: 'unlinked' };
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await updateLink(trx, link.id, { state: 'unlinked' }, now);
    await recordChange(
      trx,
      {
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
      now,
    );
    await job.inTransaction?.(trx);
  });
  return { kind: 'unlinked' };
}

async function skip(
  deps: ContactSyncDeps,
  job: ContactSyncJob,
  reason: string,
): Promise<ContactSyncOutcome> {
  await deps.db
    .insertInto('audit')
    .values({
      at: deps.clock.now(),
      actor: 'sync',
      action: 'tt.lead.skip',
      target_side: 'tt',
      target_id: null,
      before: null,
      after: JSON.stringify({ contactId: job.contactId, locationId: job.locationId }),
      result: 'skipped',
      detail: reason,
      job_id: job.jobId ?? null,
    })
    .execute();
  deps.logger.warn({ contactId: job.contactId, reason }, 'contact not synced');
  return { kind: 'skipped', reason };
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
