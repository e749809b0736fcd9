/**
 * A Tenant Turner lead or showing as the timeline sees it (pure, no I/O): the part of its state
 * that makes a timeline entry when it changes, the instant Tenant Turner stamped the change
 * (`DateUpdated`, as Tenant Turner wrote it), and the words for a change. The poll and the
 * webhook both turn what they read into an observation, so the same change gives the same entry.
 */
import type { Lead, Showing } from '../tenant-turner/resources.ts';
import { contentHash } from './contact-mapping.ts';

/** Where an observation came from. */
export type TtVia = 'poll' | 'webhook';

/** One state of a lead or showing, stamped by Tenant Turner. */
export interface TtObservation {
  entity: 'lead' | 'showing';
  /** `ApplicationId` of a lead, `ShowingId` of a showing. */
  ttId: number;
  /** The lead the entity belongs to (the person). */
  applicationId: number;
  /** `DateUpdated`, the entry's time. */
  updatedMs: number;
  /** `DateUpdated` as Tenant Turner wrote it (UTC, `Z`). */
  updatedRaw: string;
  /** Whether this is the entity's first state (`DateCreated` = `DateUpdated`). */
  first: boolean;
  /** The fields whose change is an entry. */
  state: LeadTrack | ShowingTrack;
  via: TtVia;
  eventType?: string | undefined;
  eventId?: string | undefined;
}

/** The lead fields the timeline follows. */
export interface LeadTrack {
  qualification: string;
  disposition: string;
  tenantSelected: boolean;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  propertyId: number | null;
}

/** The showing fields the timeline follows. */
export interface ShowingTrack {
  status: string;
  scheduledAt: string | null;
  requestedAt: string | null;
  cancellationSource: string | null;
  rescheduled: boolean;
  feedback: string | null;
  propertyId: number;
}

/**
 * A Tenant Turner time as the service writes it (`2026-11-28T15:04:05Z`, whole seconds without
 * a fraction), for a `Date` the client decoded; `raw`, when the wire string is at hand, wins.
 */
export function ttTimestamp(date: Date, raw?: string): string {
  if (raw !== undefined && Date.parse(raw) === date.getTime()) return raw;
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/** A lead read from a list, a `GET` or a webhook's `Data`. */
export function leadObservation(
  lead: Lead,
  via: TtVia,
  event: { raw?: string | undefined; eventType?: string; eventId?: string } = {},
): TtObservation {
  const state: LeadTrack = {
    qualification: lead.qualificationStatus,
    disposition: lead.disposition,
    tenantSelected: lead.tenantSelected,
    firstName: lead.firstName ?? null,
    lastName: lead.lastName ?? null,
    email: lead.email?.toLowerCase() ?? null,
    phone: lead.phone ?? null,
    propertyId: lead.propertyId ?? null,
  };
  return {
    entity: 'lead',
    ttId: lead.applicationId,
    applicationId: lead.applicationId,
    updatedMs: lead.dateUpdated.getTime(),
    updatedRaw: ttTimestamp(lead.dateUpdated, event.raw),
    first: lead.dateCreated.getTime() === lead.dateUpdated.getTime(),
    state,
    via,
    eventType: event.eventType,
    eventId: event.eventId,
  };
}

/** A showing read from a list, a `GET` or a webhook's `Data`. */
export function showingObservation(
  showing: Showing,
  via: TtVia,
  event: { raw?: string | undefined; eventType?: string; eventId?: string } = {},
): TtObservation {
  const requested = showing.requestedTimes[0];
  const state: ShowingTrack = {
    status: showing.status,
    scheduledAt: showing.scheduledTime ? ttTimestamp(showing.scheduledTime) : null,
    requestedAt: requested ? ttTimestamp(requested) : null,
    cancellationSource: showing.cancellationSource ?? null,
    rescheduled: showing.rescheduled,
    feedback: showing.feedback ?? null,
    propertyId: showing.propertyId,
  };
  return {
    entity: 'showing',
    ttId: showing.showingId,
    applicationId: showing.applicationId,
    updatedMs: showing.dateUpdated.getTime(),
    updatedRaw: ttTimestamp(showing.dateUpdated, event.raw),
    first: showing.dateCreated.getTime() === showing.dateUpdated.getTime(),
    state,
    via,
    eventType: event.eventType,
    eventId: event.eventId,
  };
}

/** The hash that says whether the followed state changed. */
export function observationHash(observation: TtObservation): string {
  return contentHash(observation.state);
}

/** The words for `after`, given the state seen before it (undefined: the first one seen). */
export function describeObservation(
  observation: TtObservation,
  before: LeadTrack | ShowingTrack | undefined,
): string {
  return observation.entity === 'lead'
    ? describeLead(observation.state as LeadTrack, before as LeadTrack | undefined, observation)
    : describeShowing(
        observation.state as ShowingTrack,
        before as ShowingTrack | undefined,
        observation,
      );
}

const QUALIFICATION_WORDS: Record<string, string> = {
  Qualified: 'qualified',
  Disqualified: 'disqualified',
  Pending: 'back to pending',
};

function describeLead(
  after: LeadTrack,
  before: LeadTrack | undefined,
  observation: TtObservation,
): string {
  const standing = `${after.qualification}, ${after.disposition}${after.tenantSelected ? ', tenant selected' : ''}`;
  if (before === undefined) {
    return observation.first
      ? `Lead created in Tenant Turner (${standing})`
      : `Lead seen in Tenant Turner: ${standing}`;
  }
  const parts: string[] = [];
  if (after.qualification !== before.qualification) {
    parts.push(QUALIFICATION_WORDS[after.qualification] ?? after.qualification.toLowerCase());
  }
  if (after.disposition !== before.disposition) {
    parts.push(
      after.disposition === 'Active'
        ? before.disposition === 'Archived'
          ? 'unarchived'
          : 'active again'
        : after.disposition.toLowerCase(),
    );
  }
  if (after.tenantSelected !== before.tenantSelected) {
    parts.push(after.tenantSelected ? 'selected as tenant' : 'no longer the selected tenant');
  }
  const contact = (['firstName', 'lastName', 'email', 'phone'] as const).filter(
    (field) => after[field] !== before[field],
  );
  if (contact.length > 0) parts.push(`contact info updated (${contact.join(', ')})`);
  if (after.propertyId !== before.propertyId) {
    parts.push(`rental changed to ${after.propertyId ?? 'none'}`);
  }
  return `Lead ${parts.length > 0 ? parts.join(', ') : 'updated'} in Tenant Turner (${standing})`;
}

function showingStatusWords(state: ShowingTrack): string {
  switch (state.status) {
    case 'Requested':
      return `requested for ${state.requestedAt ?? 'no time'}`;
    case 'Scheduled':
      return `${state.rescheduled ? 'rescheduled' : 'scheduled'} for ${state.scheduledAt ?? '?'}`;
    case 'Confirmed':
      return `confirmed for ${state.scheduledAt ?? '?'}`;
    case 'Cancelled':
      return `cancelled${state.cancellationSource ? ` (by ${state.cancellationSource})` : ''}`;
    case 'NoShow':
      return 'marked no-show';
    default:
      return state.status;
  }
}

function describeShowing(
  after: ShowingTrack,
  before: ShowingTrack | undefined,
  observation: TtObservation,
): string {
  const parts: string[] = [];
  if (
    before === undefined ||
    after.status !== before.status ||
    after.scheduledAt !== before.scheduledAt
  ) {
    parts.push(showingStatusWords(after));
  }
  if (after.feedback !== null && after.feedback !== before?.feedback) {
    parts.push(`feedback: ${after.feedback}`);
  }
  if (before !== undefined && after.propertyId !== before.propertyId) {
    parts.push(`rental changed to ${after.propertyId}`);
  }
  const what = parts.length > 0 ? parts.join('; ') : 'updated';
  return `Viewing ${what} in Tenant Turner (showing ${observation.ttId}, rental ${after.propertyId})`;
}
