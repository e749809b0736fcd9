/**
 * The `tt-timeline` job: one stored Tenant Turner lead or viewing event → the person's timeline,
 * through the code the poll uses (`tt-timeline.ts`), so an event seen by both makes one entry.
 * The entry is the state in the event's `Data` (read with a `GET` when `Data` does not read),
 * stamped with its `DateUpdated` exactly as Tenant Turner wrote it; it commits with the job's
 * completion. A lead no GHL contact is linked to is left alone, except one whose contact's link
 * is still pending (Tenant Turner announces a lead ttsync creates before ttsync has committed the
 * link): that job fails and is retried, so the lead's creation reaches the timeline.
 */
import type { JobQueue } from '../queue/index.ts';
import { AppError } from '../shared/errors.ts';
import { findLinksByTtIds } from '../store/links.ts';
import { personLinkPending } from '../store/timeline-entries.ts';
import { parseTtWebhook } from '../tenant-turner/webhook-events.ts';
import type { ContactSyncDeps } from './contact-types.ts';
import type { FromJob } from './sync-job.ts';
import { registerSyncJob } from './sync-job.ts';
import { leadObservation, showingObservation } from './tt-observation.ts';
import type { TtObservation } from './tt-observation.ts';
import { recordTtObservations } from './tt-timeline.ts';
import type { TtRecordCounts } from './tt-timeline.ts';

/** Records one Tenant Turner webhook event on the timeline. */
export const TT_TIMELINE_JOB = 'tt-timeline';

/** Payload of `tt-timeline`: the delivery as stored in the inbox. */
export interface TtTimelinePayload {
  eventId: string;
  /** The raw body (already verified when it was stored). */
  body: string;
}

/** What the job did. */
export type TtTimelineOutcome =
  ({ kind: 'recorded' } & TtRecordCounts) | { kind: 'skipped'; reason: string };

/** The value of `key` in `record`, whatever its case (Tenant Turner binds case-insensitively). */
function field(record: unknown, key: string): unknown {
  if (typeof record !== 'object' || record === null) return undefined;
  const found = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : (record as Record<string, unknown>)[found];
}

/** Brings one stored event to the timeline. */
export async function recordTtEvent(
  deps: ContactSyncDeps,
  job: TtTimelinePayload & Partial<FromJob>,
  signal?: AbortSignal,
): Promise<TtTimelineOutcome> {
  const parsed = parseTtWebhook(JSON.parse(job.body) as unknown);
  if (!parsed.ok) return { kind: 'skipped', reason: parsed.error.message };
  const event = parsed.value;
  const call = signal ? { signal } : {};
  const rawUpdated = field(field(event.payload, 'Data'), 'DateUpdated');
  const meta = {
    raw: typeof rawUpdated === 'string' ? rawUpdated : undefined,
    eventType: event.eventType,
    eventId: event.eventId,
  };
  let observation: TtObservation;
  if (event.kind === 'lead' && event.applicationId !== undefined) {
    const lead = event.data ?? (await deps.tt.leads.get(event.applicationId, call));
    observation = leadObservation(lead, 'webhook', event.data ? meta : { ...meta, raw: undefined });
    await awaitLinking(deps, lead.applicationId, lead.externalId);
  } else if (event.kind === 'showing' && (event.data || event.showingId !== undefined)) {
    const showing = event.data ?? (await deps.tt.showings.get(Number(event.showingId), call));
    observation = showingObservation(
      showing,
      'webhook',
      event.data ? meta : { ...meta, raw: undefined },
    );
  } else {
    return { kind: 'skipped', reason: `${event.eventType} names no lead or showing` };
  }
  const counts = await deps.db.transaction().execute(async (trx) => {
    const recorded = await recordTtObservations(trx, [observation], deps.clock.now());
    await job.inTransaction?.(trx);
    return recorded;
  });
  return { kind: 'recorded', ...counts };
}

/**
 * Throws (a retryable failure) while the lead is not linked yet but its GHL contact's link is
 * pending: the contact sync that created the lead has not committed it.
 */
async function awaitLinking(
  deps: ContactSyncDeps,
  applicationId: number,
  contactId: string | undefined,
): Promise<void> {
  if (contactId === undefined) return;
  const linked = await findLinksByTtIds(deps.db, 'person', [String(applicationId)]);
  if (linked.get(String(applicationId))?.state === 'active') return;
  if (await personLinkPending(deps.db, contactId)) {
    throw new AppError(
      'unexpected',
      `Tenant Turner lead ${applicationId} is being linked to GHL contact ${contactId}; ` +
        'the event is retried once the link is committed.',
    );
  }
}

/** Registers the `tt-timeline` handler on `queue`. */
export function registerTtTimelineHandler(queue: JobQueue, deps: ContactSyncDeps): void {
  registerSyncJob<TtTimelinePayload, TtTimelineOutcome>(
    queue,
    TT_TIMELINE_JOB,
    deps,
    recordTtEvent,
    (payload, outcome) => ({ eventId: payload.eventId, ...outcome }),
    'Tenant Turner event recorded on the timeline',
  );
}
