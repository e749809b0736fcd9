/**
 * The rental an appointment is a showing of: the appointment's `address` by the address matcher,
 * else its calendar's rental in the mapping's `appointments.calendarRentals`, else the rental the
 * contact's lead got from the mapping's rental rules (docs/mapping.md; a `default` rule is one of
 * them), else none. With none, the appointment is recorded on the person's timeline and the job fails
 * without retries (it lands in the dead-letter list) with a message that says which rule to add.
 */
import { AppError } from '../shared/errors.ts';
import type { Link } from '../store/links.ts';
import { getSnapshot, listTimeline, recordChanges } from '../store/records.ts';
import type { AppointmentLike, AppointmentState } from './appointment-mapping.ts';
import { appointmentHash, parseGhlTime } from './appointment-mapping.ts';
import { timelineTime } from './appointment-records.ts';
import type { ContactSyncDeps } from './contact-sync.ts';

/** The rental chosen, and how (or, without one, why not). */
export interface AppointmentRental {
  propertyId: number | undefined;
  note: string;
}

/**
 * An appointment no rule ties to a rental. Not retryable (`retryable: false`, which the queue's
 * failure policy sends straight to the dead-letter list): a retry would find the same nothing.
 */
export class NoRentalError extends AppError {
  readonly retryable = false;

  constructor(message: string, details: Record<string, unknown>) {
    super('validation_failed', message, { details });
    this.name = 'NoRentalError';
  }
}

/** The rental for `state` (of calendar `calendarId`), given the person link of its contact. */
export async function chooseRental(
  deps: ContactSyncDeps,
  person: Link,
  state: AppointmentState,
  signal?: AbortSignal,
  calendarId?: string,
): Promise<AppointmentRental> {
  const tried: string[] = [];
  if (state.address !== undefined) {
    const byAddress = await deps.rentals.resolve(
      { address: state.address, rule: 'appointment address' },
      signal,
    );
    if (byAddress.propertyId !== undefined) return byAddress;
    tried.push(byAddress.note);
  } else {
    tried.push('the appointment has no address');
  }
  const calendars = deps.mapping.appointments.calendarRentals;
  const byCalendar =
    calendarId !== undefined && Object.hasOwn(calendars, calendarId)
      ? calendars[calendarId]
      : undefined;
  if (calendarId !== undefined && byCalendar !== undefined) {
    return {
      propertyId: byCalendar,
      note: `rental ${byCalendar} of calendar ${calendarId} (mapping appointments.calendarRentals)`,
    };
  }
  tried.push(
    calendarId === undefined
      ? 'the appointment names no calendar'
      : `calendar ${calendarId} is not in the mapping's appointments.calendarRentals`,
  );
  const lead = await getSnapshot(deps.db, person.id, 'ghl');
  const propertyId = (lead?.data as { propertyId?: unknown } | undefined)?.propertyId;
  if (typeof propertyId === 'number') {
    return { propertyId, note: `rental ${propertyId} of the lead (mapping rental rules)` };
  }
  tried.push("the contact's lead has no rental from the mapping's rental rules");
  return { propertyId: undefined, note: tried.join('; ') };
}

/**
 * Records on the person's timeline that `state` has no rental (once per appointment state), and
 * returns the error to fail the job with. Like the other appointment entries, the entry sits at
 * GHL's time of the change (the appointment's own time is in the summary): the first one of the
 * appointment at its booking (`dateAdded`), one for a later state at its `dateUpdated`.
 */
export async function recordNoRental(
  deps: ContactSyncDeps,
  person: Link,
  state: AppointmentState,
  why: string,
  job: {
    contactId: string;
    trigger: string;
    eventId?: string | undefined;
    jobId?: string | undefined;
  },
  times: Pick<AppointmentLike, 'dateAdded' | 'dateUpdated'>,
): Promise<NoRentalError> {
  const { db } = deps;
  const message =
    `Appointment ${state.appointmentId} of contact ${job.contactId} matches no Tenant Turner ` +
    `rental (${why}). Add a rental rule to the mapping (docs/mapping.md "rental"), for example ` +
    '{ "default": <property id> } or a tag or custom field rule that names the rental, or map ' +
    'its calendar to a rental ("appointments": { "calendarRentals": { "<calendar id>": ' +
    '<property id> } }), or give ' +
    "the appointment an address that matches one of Tenant Turner's rentals; then run " +
    `\`ttsync jobs retry ${job.jobId ?? '<job id>'}\`.`;
  const prefix = `${state.appointmentId}:no-rental:`;
  const refId = `${prefix}${appointmentHash(state)}`;
  const seen = await listTimeline(db, person.id);
  if (!seen.some((entry) => entry.refId === refId)) {
    const later = seen.some((entry) => entry.refId.startsWith(prefix));
    const occurredRaw = later
      ? (times.dateUpdated ?? times.dateAdded)
      : (times.dateAdded ?? times.dateUpdated);
    const updated = times.dateUpdated ? parseGhlTime(times.dateUpdated)?.ms : undefined;
    await db.transaction().execute((trx) =>
      recordChanges(
        trx,
        [
          {
            linkId: person.id,
            side: 'tt',
            source: `ghl:${job.trigger}`,
            sourceEventId: job.eventId,
            sourceTs: updated,
            mappingVersion: deps.mapping.version,
            beforeHash: undefined,
            afterHash: appointmentHash(state),
            change: { appointmentId: state.appointmentId, startTime: state.startRaw },
            outcome: 'not_applied',
            note: message,
            snapshots: [],
            provenance: [],
            timeline: {
              ...timelineTime(occurredRaw, deps.clock.now()),
              source: 'ghl',
              kind: 'appointment_no_rental',
              summary: `Appointment at ${state.startRaw} not sent to Tenant Turner: no rental (${why})`,
              refId,
              data: { appointmentId: state.appointmentId, address: state.address ?? null },
            },
            audit: {
              actor: 'sync',
              action: 'tt.showing.skip',
              targetId: undefined,
              after: { appointmentId: state.appointmentId, address: state.address ?? null },
              result: 'skipped',
              detail: message,
              jobId: job.jobId,
            },
          },
        ],
        deps.clock.now(),
      ),
    );
  }
  return new NoRentalError(message, {
    appointmentId: state.appointmentId,
    contactId: job.contactId,
    why,
  });
}
