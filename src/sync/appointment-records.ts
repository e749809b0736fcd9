/**
 * What an appointment's sync leaves behind, committed in one transaction with the job's
 * completion: the appointment link's state and showing id, the snapshots of both sides, a
 * `versions` row (applied, or not applied with the reason), provenance, a timeline entry at
 * GHL's time of the change (as GHL wrote it, time zone kept), and an audit row.
 */
import type { Transaction } from 'kysely';
import { updateLink } from '../store/links.ts';
import type { LinkState } from '../store/links.ts';
import { recordChanges } from '../store/records.ts';
import type { ChangeRecord } from '../store/records.ts';
import type { Database } from '../store/schema.ts';
import type { AppointmentState } from './appointment-mapping.ts';
import { parseGhlTime } from './appointment-mapping.ts';
import { contentHash } from './contact-mapping.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

/** Recorded when Tenant Turner cannot change a showing. */
export const NO_SHOWING_UPDATE = 'not applied: Tenant Turner has no showing update';

/** The job fields the records need. */
export interface AppointmentJobRef {
  appointmentId: string;
  trigger: string;
  eventId?: string | undefined;
  /** The webhook's `timestamp` as GHL wrote it. */
  occurredRaw?: string | undefined;
  jobId?: string | undefined;
  inTransaction?: ((trx: Transaction<Database>) => Promise<void>) | undefined;
}

/** One outcome to record for an appointment link. */
export interface AppointmentEffect {
  linkId: string;
  /** The link's new state and showing id. */
  link: { state: LinkState; ttId?: string | undefined };
  kind:
    'showing_created' | 'showing_updated' | 'showing_update_not_applied' | 'appointment_deleted';
  showingId: number | undefined;
  propertyId: number | undefined;
  state: AppointmentState | undefined;
  hash: string;
  beforeHash: string | undefined;
  sourceTs: number | undefined;
  /**
   * GHL's time of this change as GHL wrote it (zone kept): the appointment's `dateAdded` for the
   * showing's creation, its `dateUpdated` for a change, the webhook's `timestamp` for a delete.
   */
  occurredRaw: string | undefined;
  /** Steps applied to the showing, and steps that could not be. */
  applied: string[];
  notApplied: string[];
  /** Why `notApplied` was not applied (no showing update, or a closed showing). */
  notAppliedReason: string | undefined;
  /** The showing as it now is in Tenant Turner. */
  showing: { status: string; scheduledMs: number | undefined } | undefined;
  notes: string[];
  summary: string;
}

/** The effect of a delete that came before anything of the appointment was synced. */
export function earlyDelete(linkId: string, occurredRaw: string | undefined): AppointmentEffect {
  return {
    linkId,
    link: { state: 'unlinked' },
    kind: 'appointment_deleted',
    showingId: undefined,
    propertyId: undefined,
    state: undefined,
    hash: 'deleted',
    beforeHash: undefined,
    sourceTs: undefined,
    occurredRaw,
    applied: [],
    notApplied: [],
    notAppliedReason: undefined,
    showing: undefined,
    notes: [],
    summary: 'GHL appointment deleted before ttsync synced it; no showing booked',
  };
}

/**
 * Where an appointment's timeline entry sits: at `occurredRaw`, GHL's time of the change as GHL
 * wrote it (zone kept), or, without a readable GHL time, at `now` (when ttsync learned of it).
 */
export function timelineTime(
  occurredRaw: string | undefined,
  now: number,
): { occurredAt: number; occurredRaw: string | undefined } {
  const at = occurredRaw === undefined ? undefined : parseGhlTime(occurredRaw);
  return at === undefined
    ? { occurredAt: now, occurredRaw: undefined }
    : { occurredAt: at.ms, occurredRaw };
}

/** Records `effect` and completes the job (through `job.inTransaction`) in one transaction. */
export async function commitAppointment(
  deps: ContactSyncDeps,
  job: AppointmentJobRef,
  effect: AppointmentEffect,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const { state, ttId } = effect.link;
    await updateLink(trx, effect.linkId, { state, ...(ttId !== undefined ? { ttId } : {}) }, now);
    await recordChanges(trx, [changeOf(deps, job, effect)], now);
    await job.inTransaction?.(trx);
  });
}

function changeOf(
  deps: ContactSyncDeps,
  job: AppointmentJobRef,
  effect: AppointmentEffect,
): ChangeRecord {
  const { state } = effect;
  const applied = effect.notApplied.length === 0;
  const reason = applied ? [] : [effect.notAppliedReason ?? NO_SHOWING_UPDATE];
  const note = [...reason, ...effect.notes].join('; ');
  const theirs =
    effect.showing && effect.showingId !== undefined
      ? { showingId: effect.showingId, propertyId: effect.propertyId, ...effect.showing }
      : undefined;
  const change = {
    showingId: effect.showingId ?? null,
    ...(state ? { status: state.status, goal: state.goal, startTime: state.startRaw } : {}),
    applied: effect.applied,
    notApplied: effect.notApplied,
  };
  const created = effect.kind === 'showing_created';
  return {
    linkId: effect.linkId,
    side: 'tt',
    source: `ghl:${job.trigger}`,
    sourceEventId: job.eventId,
    sourceTs: effect.sourceTs,
    mappingVersion: deps.mapping.version,
    beforeHash: effect.beforeHash,
    afterHash: effect.hash,
    change,
    outcome: applied ? 'applied' : 'not_applied',
    note: note || undefined,
    snapshots: [
      ...(state
        ? [
            {
              side: 'ghl' as const,
              data: state,
              hash: effect.hash,
              sourceUpdatedAt: effect.sourceTs,
            },
          ]
        : []),
      ...(theirs ? [{ side: 'tt' as const, data: theirs, hash: contentHash(theirs) }] : []),
    ],
    provenance: state
      ? [
          {
            field: 'requestedTimes',
            sourceField: 'startTime',
            valueHash: contentHash(state.startMs),
          },
          { field: 'status', sourceField: 'appointmentStatus', valueHash: contentHash(state.goal) },
        ]
      : [],
    timeline: {
      // Each entry sits where GHL says the change happened (the appointment's own time is in
      // the summary); without a GHL time, when ttsync learned of it.
      ...timelineTime(effect.occurredRaw, deps.clock.now()),
      source: 'ttsync',
      kind: effect.kind,
      summary: effect.summary,
      refId: `${job.appointmentId}:${effect.hash}`,
      data: { appointmentId: job.appointmentId, ...change },
    },
    audit: {
      actor: 'sync',
      action: created
        ? 'tt.showing.create'
        : effect.kind === 'appointment_deleted'
          ? 'link.unlink'
          : 'tt.showing.update',
      targetId: effect.showingId === undefined ? undefined : String(effect.showingId),
      after: change,
      result: applied ? 'ok' : 'not_applied',
      detail: note || undefined,
      jobId: job.jobId,
    },
  };
}
