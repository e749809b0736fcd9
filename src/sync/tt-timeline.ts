/**
 * Tenant Turner lead and showing changes → the person's timeline, shared by the poll
 * (`tt-poll.ts`) and the webhook job (`tt-event-job.ts`), so the two never make two entries for
 * one change:
 * - an entry's `ref_id` is `lead:<ApplicationId>@<DateUpdated ms>:<state hash>` (or
 *   `showing:<ShowingId>@…`): what Tenant Turner stamped, not how ttsync learned of it. The
 *   timeline's unique key (link, source, kind, ref_id) keeps the first of two writers;
 * - a change is an entry only when the followed fields (`tt-observation.ts`) differ from the
 *   entity's previous entry, so a `DateUpdated` bumped by something else (a showing touching its
 *   lead) adds nothing;
 * - only leads linked to a GHL contact (an active person link) have a timeline; others are
 *   counted as `unlinked` and left alone;
 * - time is Tenant Turner's `DateUpdated`, kept as Tenant Turner wrote it (UTC).
 */
import type { Kysely, Transaction } from 'kysely';
import { findLinksByTtIds } from '../store/links.ts';
import type { Database } from '../store/schema.ts';
import { insertTimelineEntries, previousTimelineEntry } from '../store/timeline-entries.ts';
import type { TimelineEntryWrite } from '../store/timeline-entries.ts';
import { describeObservation, observationHash } from './tt-observation.ts';
import type { LeadTrack, ShowingTrack, TtObservation } from './tt-observation.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The timeline source of Tenant Turner's own changes. */
export const TT_TIMELINE_SOURCE = 'tt';
/** Entry kinds: one per entity, so the unique key never depends on the words. */
export const TT_LEAD_KIND = 'tt_lead';
export const TT_SHOWING_KIND = 'tt_showing';

/** What recording a batch of observations did. */
export interface TtRecordCounts {
  /** New timeline entries. */
  recorded: number;
  /** Observations whose change was already on the timeline, or changed nothing followed. */
  unchanged: number;
  /** Observations of leads no GHL contact is linked to. */
  unlinked: number;
}

/** The data kept with an entry (the next change is described against `state`). */
interface EntryData {
  entity: TtObservation['entity'];
  ttId: number;
  applicationId: number;
  hash: string;
  state: LeadTrack | ShowingTrack;
  via: TtObservation['via'];
  eventType?: string | undefined;
  eventId?: string | undefined;
}

/** The stable id of an observation's entry. */
export function ttRefId(observation: TtObservation): string {
  return `${refPrefix(observation)}${observation.updatedMs}:${observationHash(observation).slice(0, 16)}`;
}

function refPrefix(observation: TtObservation): string {
  return `${observation.entity}:${observation.ttId}@`;
}

/** Records `observations` on their persons' timelines; call inside the caller's transaction. */
export async function recordTtObservations(
  db: Db,
  observations: readonly TtObservation[],
  now: number,
): Promise<TtRecordCounts> {
  const counts: TtRecordCounts = { recorded: 0, unchanged: 0, unlinked: 0 };
  if (observations.length === 0) return counts;
  const persons = await findLinksByTtIds(db, 'person', [
    ...new Set(observations.map((o) => String(o.applicationId))),
  ]);
  const entries: TimelineEntryWrite[] = [];
  for (const observation of observations) {
    const person = persons.get(String(observation.applicationId));
    if (person?.state !== 'active') {
      counts.unlinked++;
      continue;
    }
    const entry = await entryFor(db, person.id, observation);
    if (entry) entries.push(entry);
    else counts.unchanged++;
  }
  const inserted = await insertTimelineEntries(db, entries, now);
  counts.recorded += inserted.length;
  counts.unchanged += entries.length - inserted.length;
  return counts;
}

/** The entry for `observation`, or undefined when its followed state did not change. */
async function entryFor(
  db: Db,
  linkId: string,
  observation: TtObservation,
): Promise<TimelineEntryWrite | undefined> {
  const kind = observation.entity === 'lead' ? TT_LEAD_KIND : TT_SHOWING_KIND;
  const hash = observationHash(observation);
  const refId = ttRefId(observation);
  const previous = await previousTimelineEntry(db, {
    linkId,
    source: TT_TIMELINE_SOURCE,
    kind,
    refPrefix: refPrefix(observation),
    atOrBefore: observation.updatedMs,
    exceptRefId: refId,
  });
  const before = previous?.data as EntryData | undefined;
  if (before?.hash === hash) return undefined;
  const data: EntryData = {
    entity: observation.entity,
    ttId: observation.ttId,
    applicationId: observation.applicationId,
    hash,
    state: observation.state,
    via: observation.via,
    eventType: observation.eventType,
    eventId: observation.eventId,
  };
  return {
    linkId,
    occurredAt: observation.updatedMs,
    occurredRaw: observation.updatedRaw,
    source: TT_TIMELINE_SOURCE,
    kind,
    summary: describeObservation(observation, before?.state),
    refId,
    data,
  };
}
