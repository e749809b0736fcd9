/**
 * Showings (viewings) and their state machine (help articles 3865097, 4339483, 853923):
 * Requested → Scheduled → Confirmed; Scheduled or Confirmed → Scheduled again (Rescheduled),
 * NoShow, or attended and then Feedback; any of the first three → Cancelled, by the lead, the
 * user, a rental deactivation, or because it was never confirmed. Illegal moves are 422s. A
 * showing change also updates its lead (the lead nests `Showings[]`).
 */
import { unprocessable } from './http-errors.ts';
import { boundNumber, boundString, isoSeconds } from './input.ts';
import type { BoundBody, FieldSpecs } from './input.ts';
import type { LeadLifecycle } from './lead-lifecycle.ts';
import type { LifecycleDeps } from './lifecycle-deps.ts';
import { CANCELLATION_SOURCES, PENDING_SHOWING_STATUSES, SHOWING_STATUSES } from './model.ts';
import type { CancellationSource, ShowingRecord, ShowingStatus } from './model.ts';
import type { TtEventType } from './webhooks.ts';

/** Body of `POST /v1/showings`. */
export const SHOWING_FIELDS: FieldSpecs = {
  ApplicationId: { kind: 'integer', required: true },
  PropertyId: { kind: 'integer', required: true },
  RequestedTimes: { kind: 'dateTimes', required: true },
  Notes: { kind: 'string', maxLength: 2000 },
  ExternalId: { kind: 'string', maxLength: 100 },
};

/** Body of the modeled `PUT /v1/showings/{id}`. */
export const SHOWING_UPDATE_FIELDS: FieldSpecs = {
  ScheduledTime: { kind: 'dateTime' },
  Status: { kind: 'string', values: SHOWING_STATUSES },
  CancellationSource: { kind: 'string', values: CANCELLATION_SOURCES },
  Notes: { kind: 'string', maxLength: 2000 },
};

export type ShowingAction =
  'schedule' | 'confirm' | 'reschedule' | 'cancel' | 'no-show' | 'feedback';

export interface ShowingActionInput {
  /** Epoch ms: the time to schedule or reschedule to. */
  time?: number | undefined;
  source?: CancellationSource | undefined;
  feedback?: string | undefined;
}

const ALLOWED_FROM: Record<ShowingAction, readonly ShowingStatus[]> = {
  schedule: ['Requested'],
  confirm: ['Scheduled'],
  reschedule: ['Scheduled', 'Confirmed'],
  cancel: PENDING_SHOWING_STATUSES,
  'no-show': ['Scheduled', 'Confirmed'],
  feedback: ['Scheduled', 'Confirmed'],
};

const EVENTS: Record<ShowingAction, TtEventType> = {
  schedule: 'Viewing Scheduled',
  confirm: 'Viewing Confirmed',
  reschedule: 'Viewing Scheduled',
  cancel: 'Viewing Cancelled',
  'no-show': 'Viewing No Show',
  feedback: 'Viewing Feedback',
};

/** Why `action` is illegal for `showing` now, or null when it is allowed. */
export function showingActionError(
  showing: ShowingRecord,
  action: ShowingAction,
  input: ShowingActionInput,
): string | null {
  const allowed = ALLOWED_FROM[action];
  if (!allowed.includes(showing.status))
    return `Showing ${showing.id} is ${showing.status}; ${action} needs ${allowed.join(' or ')}.`;
  if (action === 'reschedule' && input.time === undefined)
    return 'ScheduledTime is required to reschedule.';
  if (action === 'cancel' && input.source === 'Unconfirmed' && showing.status !== 'Scheduled')
    return `Showing ${showing.id} is ${showing.status}; only a Scheduled showing is cancelled as Unconfirmed.`;
  if (action === 'feedback' && showing.feedback !== null)
    return `Showing ${showing.id} already has feedback.`;
  if (action === 'feedback' && (input.feedback ?? '').trim() === '') return 'Feedback is required.';
  return null;
}

export class ShowingLifecycle {
  readonly #deps: LifecycleDeps;
  readonly #leads: LeadLifecycle;

  constructor(deps: LifecycleDeps, leads: LeadLifecycle) {
    this.#deps = deps;
    this.#leads = leads;
  }

  /** The lead books a viewing: a Requested showing with the requested times. */
  create(body: BoundBody): ShowingRecord {
    const s = this.#deps.state();
    const applicationId = boundNumber(body, 'ApplicationId') ?? 0;
    const propertyId = boundNumber(body, 'PropertyId') ?? 0;
    const requestedTimes = (body['RequestedTimes'] as string[] | undefined) ?? [];
    const lead = s.leads.get(applicationId);
    const property = s.properties.get(propertyId);
    if (lead === undefined) throw unprocessable(`Application ${applicationId} does not exist.`);
    if (property === undefined) throw unprocessable(`Property ${propertyId} does not exist.`);
    if (requestedTimes.length === 0) throw unprocessable('RequestedTimes needs at least one time.');
    if (lead.disposition === 'Declined' || lead.qualification === 'Disqualified')
      throw unprocessable(
        `Lead ${lead.id} is ${lead.disposition === 'Declined' ? 'Declined' : 'Disqualified'} and cannot book a showing.`,
      );
    if (!property.active)
      throw unprocessable(`Property ${propertyId} is not active; showings need an active rental.`);
    this.#leads.returned(lead);
    const now = this.#deps.stamp();
    const showing: ShowingRecord = {
      id: s.newId('showing'),
      applicationId,
      propertyId,
      requestedTimes,
      scheduledMs: null,
      status: 'Requested',
      cancellationSource: null,
      rescheduled: false,
      feedback: null,
      notes: boundString(body, 'Notes') ?? null,
      externalId: boundString(body, 'ExternalId') ?? null,
      createdMs: now,
      updatedMs: now,
    };
    s.showings.put(showing);
    lead.updatedMs = now;
    this.#deps.announce.showing(
      'Viewing Requested',
      showing,
      `Viewing requested for ${requestedTimes.join(', ')}.`,
    );
    return showing;
  }

  /** A move of the state machine; 422 when it is illegal. */
  act(showing: ShowingRecord, action: ShowingAction, input: ShowingActionInput = {}): void {
    const error = showingActionError(showing, action, input);
    if (error !== null) throw unprocessable(error);
    const lead = this.#deps.state().leads.get(showing.applicationId);
    const now = this.#deps.stamp();
    let summary: string;
    switch (action) {
      case 'schedule':
      case 'reschedule': {
        const first = showing.requestedTimes[0];
        const time = input.time ?? (first === undefined ? now : Date.parse(first));
        showing.scheduledMs = time;
        showing.status = 'Scheduled';
        showing.rescheduled ||= action === 'reschedule';
        summary = `Viewing ${action}d for ${isoSeconds(time)}.`;
        break;
      }
      case 'confirm':
        showing.status = 'Confirmed';
        summary = 'Viewing confirmed by the lead.';
        break;
      case 'cancel':
        showing.status = 'Cancelled';
        showing.cancellationSource = input.source ?? 'User';
        summary = `Viewing cancelled (${showing.cancellationSource}).`;
        break;
      case 'no-show':
        showing.status = 'NoShow';
        summary = 'Lead did not show up for the viewing.';
        break;
      case 'feedback':
        showing.feedback = input.feedback ?? '';
        summary = `Viewing feedback: ${showing.feedback}`;
        break;
    }
    showing.updatedMs = now;
    if (lead !== undefined && action !== 'feedback') lead.updatedMs = now;
    this.#deps.announce.showing(EVENTS[action], showing, summary);
    const byLead = action === 'confirm' || (action === 'cancel' && input.source === 'Lead');
    if (byLead && lead !== undefined) this.#leads.returned(lead);
  }

  /**
   * Modeled `PUT /v1/showings/{id}`: Notes are set; Status and ScheduledTime become one move of
   * the state machine (schedule, reschedule, confirm, cancel, no-show), checked before anything
   * is written.
   */
  update(showing: ShowingRecord, body: BoundBody): void {
    const target = boundString(body, 'Status') as ShowingStatus | null | undefined;
    const time =
      body['ScheduledTime'] === undefined ? undefined : boundString(body, 'ScheduledTime');
    const timeMs = typeof time === 'string' ? Date.parse(time) : undefined;
    const source = (boundString(body, 'CancellationSource') ?? undefined) as
      CancellationSource | undefined;
    const action = plannedAction(showing, target ?? undefined, timeMs);
    const input: ShowingActionInput = { time: timeMs, source };
    if (action !== null) {
      const error = showingActionError(showing, action, input);
      if (error !== null) throw unprocessable(error);
    }
    const notes = boundString(body, 'Notes');
    if (notes !== undefined) {
      showing.notes = notes;
      showing.updatedMs = this.#deps.stamp();
    }
    if (action !== null) this.act(showing, action, input);
  }

  /** Cancels every showing of `showings` that can still happen, with `source`. */
  cancelPending(showings: readonly ShowingRecord[], source: CancellationSource): void {
    for (const showing of showings) {
      if (PENDING_SHOWING_STATUSES.includes(showing.status))
        this.act(showing, 'cancel', { source });
    }
  }
}

function plannedAction(
  showing: ShowingRecord,
  target: ShowingStatus | undefined,
  timeMs: number | undefined,
): ShowingAction | null {
  const moved = timeMs !== undefined && timeMs !== showing.scheduledMs;
  if (target === undefined || target === showing.status) {
    if (!moved) return null;
    return showing.status === 'Requested' ? 'schedule' : 'reschedule';
  }
  switch (target) {
    case 'Scheduled':
      return showing.status === 'Requested' ? 'schedule' : 'reschedule';
    case 'Confirmed':
      return 'confirm';
    case 'Cancelled':
      return 'cancel';
    case 'NoShow':
      return 'no-show';
    case 'Requested':
      throw unprocessable(
        `Showing ${showing.id} is ${showing.status}; it cannot go back to Requested.`,
      );
  }
}
