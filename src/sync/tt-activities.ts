/**
 * GHL-side timeline entries → Tenant Turner's activity timeline (the modeled `activities`
 * extension, tenant-turner-api.md §2.2), as a follow-up of the records rather than inside each
 * sync: every entry of source `ghl` (notes, tasks, appointments) whose person has a lead is
 * posted once, found through the outbox its entry was written with (`timeline-posts.ts`), with
 * `ExternalId` `ttsync-timeline-<entry id>`. Tenant Turner answers a repeat of that id with the
 * first activity, so a crash between the post and its record, or two posters at once, never
 * makes a second activity. What became of each entry is recorded (`timeline_posts`): `posted`
 * with the activity id; `not_applied` on an account without activities (the real surface:
 * nothing is sent, and `ttsync timeline` says so); `failed` when Tenant Turner refuses the entry
 * for good (a 4xx other than 429). A retryable failure ends the round and the entry is tried
 * again next time.
 */
import { HttpError } from '../shared/errors.ts';
import { recordTimelinePost, unpostedEntries } from '../store/timeline-posts.ts';
import type { UnpostedEntry } from '../store/timeline-posts.ts';
import type { TtPollDeps } from './tt-poll.ts';

/** Why nothing reached Tenant Turner on its real surface. */
export const NO_ACTIVITIES = 'not posted: Tenant Turner has no activity timeline';
/** The source name ttsync posts under. */
export const ACTIVITY_SOURCE = 'GHL';

/** What one round of posting did. */
export interface ActivityPostResult {
  /** New activities. */
  posted: number;
  /** Entries Tenant Turner already had (a retried post). */
  alreadyPosted: number;
  /** Entries recorded as not posted: the account has no activities. */
  notApplied: number;
  /** Entries Tenant Turner refused for good. */
  failed: number;
}

/** The `ExternalId` of an entry's activity. */
export function activityExternalId(timelineId: number): string {
  return `ttsync-timeline-${timelineId}`;
}

/** Posts every GHL-side entry not posted yet, in entry order; resolves with what it did. */
export async function postTimelineActivities(
  deps: TtPollDeps,
  options: { batchSize?: number; signal?: AbortSignal | undefined } = {},
): Promise<ActivityPostResult> {
  const result: ActivityPostResult = { posted: 0, alreadyPosted: 0, notApplied: 0, failed: 0 };
  const batchSize = options.batchSize ?? 100;
  let afterId = 0;
  for (;;) {
    const entries = await unpostedEntries(deps.db, afterId, batchSize);
    if (entries.length === 0) return result;
    const supported = await deps.tt.supports('activities', options.signal);
    for (const entry of entries) {
      if (supported) await post(deps, entry, result, options.signal);
      else {
        await recordTimelinePost(
          deps.db,
          entry.id,
          { state: 'not_applied', activityId: undefined, detail: NO_ACTIVITIES },
          deps.clock.now(),
        );
        result.notApplied++;
      }
      afterId = entry.id;
    }
  }
}

async function post(
  deps: TtPollDeps,
  entry: UnpostedEntry,
  result: ActivityPostResult,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    const created = await deps.tt.activities.create(
      entry.applicationId,
      {
        type: entry.kind,
        occurredAt: new Date(entry.occurredAt),
        summary: entry.summary,
        source: ACTIVITY_SOURCE,
        externalId: activityExternalId(entry.id),
      },
      signal ? { signal } : {},
    );
    await recordTimelinePost(
      deps.db,
      entry.id,
      { state: 'posted', activityId: String(created.activityId), detail: undefined },
      deps.clock.now(),
    );
    if (created.alreadyExisted) result.alreadyPosted++;
    else result.posted++;
  } catch (error) {
    if (!(error instanceof HttpError) || error.retryable || error.status === undefined) throw error;
    deps.logger.warn(
      { timelineId: entry.id, applicationId: entry.applicationId, err: error },
      'Tenant Turner refused a timeline activity; recorded as failed',
    );
    await recordTimelinePost(
      deps.db,
      entry.id,
      { state: 'failed', activityId: undefined, detail: error.message },
      deps.clock.now(),
    );
    result.failed++;
  }
}
