/**
 * GHL appointment → Tenant Turner showing, effectively once (the pattern of contact-sync.ts):
 * - the person comes first: a contact not yet linked to a lead is synced inline (same job key);
 * - the rental comes from the appointment's address, else the lead's rental rules, else the job
 *   fails to the dead-letter list saying which rule to add (appointment-rental.ts);
 * - link before write: a `pending` appointment link (parent: the person link) is committed
 *   before the showing is booked; a pending link found on a later run means an earlier attempt
 *   may have booked it, so the lead's showings are searched for the appointment id first;
 * - status, reschedule and cancel are `PUT /v1/showings/{id}` steps where Tenant Turner offers
 *   `showing-update`, and recorded as not applied where it does not;
 * - an appointment whose hash is unchanged (a repeat, or an older event) writes nothing.
 */
import { findLinkByGhlId } from '../store/links.ts';
import type { Link } from '../store/links.ts';
import { getSnapshot } from '../store/records.ts';
import type { Showing } from '../tenant-turner/resources.ts';
import type { AppointmentLike, AppointmentState, ShowingPlan } from './appointment-mapping.ts';
import {
  appointmentHash,
  appointmentState,
  describeStep,
  parseGhlTime,
  planShowing,
  showingNow,
} from './appointment-mapping.ts';
import { findBooked, pendingLink, readAppointment } from './appointment-lookups.ts';
import { NO_SHOWING_UPDATE, commitAppointment, earlyDelete } from './appointment-records.ts';
import type { AppointmentEffect, AppointmentJobRef } from './appointment-records.ts';
import { chooseRental, recordNoRental } from './appointment-rental.ts';
import { syncContact } from './contact-sync.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

/** One appointment to bring across. */
export interface AppointmentSyncJob extends AppointmentJobRef {
  locationId: string;
  contactId: string;
  /** The appointment as the webhook carried it; read from GHL when absent. */
  appointment?: AppointmentLike | undefined;
}

/** What happened to the appointment. */
export interface AppointmentSyncOutcome {
  kind: 'created' | 'updated' | 'not_applied' | 'unchanged' | 'deleted' | 'skipped';
  showingId?: number | undefined;
  /** Showing changes applied, and changes Tenant Turner could not take. */
  applied: string[];
  notApplied: string[];
  reason?: string | undefined;
}

const skipped = (reason: string): AppointmentSyncOutcome => ({
  kind: 'skipped',
  applied: [],
  notApplied: [],
  reason,
});

/** Brings one GHL appointment to Tenant Turner; see the module comment for the guarantees. */
export async function syncAppointment(
  deps: ContactSyncDeps,
  job: AppointmentSyncJob,
  signal?: AbortSignal,
): Promise<AppointmentSyncOutcome> {
  const person = await personLink(deps, job, signal);
  if (typeof person === 'string') return skipped(person);
  const existing = await findLinkByGhlId(deps.db, 'appointment', job.locationId, job.appointmentId);
  const appointment =
    job.trigger === 'AppointmentDelete'
      ? undefined
      : (job.appointment ?? (await readAppointment(deps, job, signal)));
  if (appointment === undefined) return deleteAppointment(deps, job, person, existing, signal);
  const state = appointmentState(appointment);
  if (typeof state === 'string') return skipped(state);
  const hash = appointmentHash(state);
  const sourceTs = appointment.dateUpdated ? parseGhlTime(appointment.dateUpdated)?.ms : undefined;
  if (existing?.state === 'unlinked') return skipped('the appointment was deleted in GHL');
  if (existing?.state === 'active' && existing.ttId !== undefined) {
    const seen = await getSnapshot(deps.db, existing.id, 'ghl');
    const older = (seen?.sourceUpdatedAt ?? -Infinity) > (sourceTs ?? Infinity);
    if (seen?.hash === hash || older) return unchanged(Number(existing.ttId));
    if (job.appointment !== undefined && sourceTs === seen?.sourceUpdatedAt) {
      // Two changes within one second of GHL's clock (`dateUpdated` has whole seconds),
      // delivered out of order: the event cannot say which is newer, so ask GHL.
      return syncAppointment(deps, { ...job, appointment: undefined }, signal);
    }
    const showing = await deps.tt.showings.get(Number(existing.ttId), signal ? { signal } : {});
    return applyAndCommit(deps, job, existing, showing, state, {
      hash,
      beforeHash: seen?.hash,
      sourceTs,
      occurredRaw: appointment.dateUpdated,
      created: false,
      notes: movedAddress(seen?.data, state),
    });
  }
  const rental = await chooseRental(deps, person, state, signal, appointment.calendarId);
  if (rental.propertyId === undefined) {
    throw await recordNoRental(deps, person, state, rental.note, job, appointment);
  }
  const link = await pendingLink(deps, job, person);
  const call = signal ? { signal } : {};
  const earlier =
    existing?.state === 'pending' ? await findBooked(deps, person, job, signal) : undefined;
  const showing =
    earlier ??
    (
      await deps.tt.showings.create(
        {
          applicationId: Number(person.ttId),
          propertyId: rental.propertyId,
          requestedTimes: [new Date(state.startMs)],
          externalId: job.appointmentId,
          ...(appointment.title ? { notes: appointment.title } : {}),
        },
        call,
      )
    ).record;
  return applyAndCommit(deps, job, link, showing, state, {
    hash,
    beforeHash: undefined,
    sourceTs,
    occurredRaw: appointment.dateAdded,
    created: true,
    notes: [rental.note],
  });
}

/** The person's active link, syncing the contact inline first when needed; or why there is none. */
async function personLink(
  deps: ContactSyncDeps,
  job: AppointmentSyncJob,
  signal?: AbortSignal,
): Promise<Link | string> {
  const find = () => findLinkByGhlId(deps.db, 'person', job.locationId, job.contactId);
  let link = await find();
  if (link?.state !== 'active' || link.ttId === undefined) {
    const outcome = await syncContact(
      deps,
      { locationId: job.locationId, contactId: job.contactId, trigger: 'parent', jobId: job.jobId },
      signal,
    );
    link = await find();
    if (link?.state !== 'active' || link.ttId === undefined) {
      const why = outcome.kind === 'skipped' ? outcome.reason : `contact ${outcome.kind}`;
      return `contact ${job.contactId} has no Tenant Turner lead (${why})`;
    }
  }
  return link;
}

interface Facts {
  hash: string;
  beforeHash: string | undefined;
  sourceTs: number | undefined;
  /** GHL's time of the change: `dateAdded` for a creation, `dateUpdated` for a change. */
  occurredRaw: string | undefined;
  created: boolean;
  notes: string[];
}

async function applyAndCommit(
  deps: ContactSyncDeps,
  job: AppointmentSyncJob,
  link: Link,
  showing: Showing,
  state: AppointmentState,
  facts: Facts,
): Promise<AppointmentSyncOutcome> {
  const now = showingNow(showing);
  const plan = planShowing(now, state.goal, state.startMs);
  const result = await applyPlan(deps, showing.showingId, plan, state.goal, now);
  const notes = [...facts.notes];
  if (state.goal === 'Attended') notes.push('attended in GHL; feedback pending in Tenant Turner');
  const applied = result.applied.join(', ');
  const refused = refusedWords(result);
  const at = state.startRaw;
  const summary = facts.created
    ? `Showing ${showing.showingId} requested in Tenant Turner for ${at}` +
      `${applied ? ` (${applied})` : ''}${refused ? `; ${refused}` : ''}`
    : refused
      ? `Appointment ${state.status} at ${at}: ${refused}`
      : `Showing ${showing.showingId} updated: ${applied || `appointment ${state.status}`}`;
  const effect: AppointmentEffect = {
    linkId: link.id,
    link: { state: 'active', ttId: String(showing.showingId) },
    kind: facts.created
      ? 'showing_created'
      : result.notApplied.length > 0
        ? 'showing_update_not_applied'
        : 'showing_updated',
    showingId: showing.showingId,
    propertyId: showing.propertyId,
    state,
    hash: facts.hash,
    beforeHash: facts.beforeHash,
    sourceTs: facts.sourceTs,
    occurredRaw: facts.occurredRaw,
    applied: result.applied,
    notApplied: result.notApplied,
    notAppliedReason: result.reason,
    showing: result.showing,
    notes,
    summary,
  };
  await commitAppointment(deps, job, effect);
  const kind = facts.created ? 'created' : result.notApplied.length > 0 ? 'not_applied' : 'updated';
  return {
    kind,
    showingId: showing.showingId,
    applied: result.applied,
    notApplied: result.notApplied,
  };
}

interface Applied {
  applied: string[];
  notApplied: string[];
  /** Why `notApplied` could not be applied. */
  reason: string | undefined;
  showing: { status: string; scheduledMs: number | undefined };
}

/**
 * Applies the plan's steps where Tenant Turner can, in order; a plan blocked by a closed showing
 * or a surface without `showing-update` is reported as not applied, with the reason.
 */
async function applyPlan(
  deps: ContactSyncDeps,
  showingId: number,
  plan: ShowingPlan,
  goal: string,
  before: { status: string; scheduledMs: number | undefined },
): Promise<Applied> {
  const words = plan.steps.map(describeStep);
  const after = { status: plan.status, scheduledMs: plan.scheduledMs };
  if (plan.blocked !== undefined) {
    const notApplied = [`status → ${goal}`];
    return { applied: [], notApplied, reason: plan.blocked, showing: before };
  }
  if (plan.steps.length === 0) {
    return { applied: [], notApplied: [], reason: undefined, showing: after };
  }
  if (!(await deps.tt.supports('showing-update'))) {
    return { applied: [], notApplied: words, reason: NO_SHOWING_UPDATE, showing: before };
  }
  for (const step of plan.steps) await deps.tt.showings.update(showingId, step);
  return { applied: words, notApplied: [], reason: undefined, showing: after };
}

async function deleteAppointment(
  deps: ContactSyncDeps,
  job: AppointmentSyncJob,
  person: Link,
  link: Link | undefined,
  signal?: AbortSignal,
): Promise<AppointmentSyncOutcome> {
  if (link?.state === 'unlinked') {
    return { kind: 'unchanged', applied: [], notApplied: [], reason: 'no showing to cancel' };
  }
  if (!link) {
    // Deleted before anything was synced (GHL may deliver the delete before the create): the
    // unlinked link remembers it, so a late AppointmentCreate books no showing.
    const tombstone = await pendingLink(deps, job, person);
    await commitAppointment(deps, job, earlyDelete(tombstone.id, job.occurredRaw));
    return { kind: 'deleted', applied: [], notApplied: [], reason: 'deleted before it was synced' };
  }
  // A pending link: an earlier attempt may have booked the showing without recording it.
  const showing =
    link.ttId !== undefined
      ? await deps.tt.showings.get(Number(link.ttId), signal ? { signal } : {})
      : await findBooked(deps, person, job, signal);
  const showingId = showing?.showingId;
  let result: Applied | undefined;
  if (showing !== undefined) {
    const now = showingNow(showing);
    const plan = planShowing(now, 'Cancelled', now.scheduledMs ?? 0);
    result = await applyPlan(deps, showing.showingId, plan, 'Cancelled', now);
  }
  const seen = await getSnapshot(deps.db, link.id, 'ghl');
  const applied = result?.applied.join(', ') ?? '';
  const refused = result ? refusedWords(result) : '';
  const words = applied || `left as it is${refused ? `: ${refused}` : ''}`;
  await commitAppointment(deps, job, {
    linkId: link.id,
    link: { state: 'unlinked' },
    kind: 'appointment_deleted',
    showingId,
    propertyId: undefined,
    state: undefined,
    hash: 'deleted',
    beforeHash: seen?.hash,
    sourceTs: undefined,
    occurredRaw: job.occurredRaw,
    applied: result?.applied ?? [],
    notApplied: result?.notApplied ?? [],
    notAppliedReason: result?.reason,
    showing: result?.showing,
    notes: [],
    summary: `GHL appointment deleted; showing ${showingId ?? '(none)'} ${words}; unlinked`,
  });
  return {
    kind: 'deleted',
    showingId,
    applied: result?.applied ?? [],
    notApplied: result?.notApplied ?? [],
  };
}

/** The steps Tenant Turner did not take, and why, for a timeline summary; '' when none. */
function refusedWords(result: Applied): string {
  if (result.notApplied.length === 0) return '';
  const why = (result.reason ?? NO_SHOWING_UPDATE).replace(/^not applied: /, '');
  return `${result.notApplied.join(', ')} not applied (${why})`;
}

/** A note when the appointment's address changed: a booked showing keeps its rental. */
function movedAddress(seen: unknown, state: AppointmentState): string[] {
  const before = (seen as { address?: string | null } | undefined)?.address ?? undefined;
  if (before === state.address) return [];
  return [
    `the appointment's address changed to "${state.address ?? ''}"; the showing keeps its rental ` +
      '(Tenant Turner cannot move a showing to another rental; cancel it and book again)',
  ];
}

function unchanged(showingId: number): AppointmentSyncOutcome {
  return { kind: 'unchanged', showingId, applied: [], notApplied: [] };
}
