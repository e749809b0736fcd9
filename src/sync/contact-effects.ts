/**
 * Phase 3 of the contact sync (see `contact-sync.ts`): the Tenant Turner write a plan calls for,
 * and the effect that records it.
 */
import { findLinkByGhlId } from '../store/links.ts';
import type { Link } from '../store/links.ts';
import { getSnapshot } from '../store/records.ts';
import type { ChangeRecord, SnapshotWrite } from '../store/records.ts';
import { contentHash, leadStateOf } from './contact-mapping.ts';
import type { LeadFields } from './contact-mapping.ts';
import { NO_LEAD_UPDATE } from './contact-types.ts';
import type {
  ContactEffect,
  ContactSyncDeps,
  ContactSyncJob,
  LeadState,
  Mapped,
} from './contact-types.ts';

/** For a `create` plan: creates the lead, or links the one Tenant Turner already has and brings it up to date. */
export async function createEffect(
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

/** For an `update` plan: sends the changed fields, or records them as not applied on a real account. */
export async function updateEffect(
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

/** For a deleted contact: unlinks and records; the lead stays in Tenant Turner. */
export function unlinkEffect(
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

/** A contact that is not synced, with the reason in the audit row. */
export function skipEffect(job: ContactSyncJob, reason: string): ContactEffect {
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

/** A contact whose email or phone belongs to a lead already linked to another contact. */
export function sharedLeadEffect(job: ContactSyncJob, ttId: string): ContactEffect {
  return skipEffect(
    job,
    `Tenant Turner lead ${ttId} (same email or phone) is already linked to another GHL contact; ` +
      'merge the duplicate contacts in GHL, or give this one its own email and phone',
  );
}

function name(lead: LeadState): string {
  return [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || lead.phone;
}
