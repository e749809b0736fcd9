/**
 * Reconciliation's write-back of a task or note that someone changed or deleted in Tenant Turner
 * (`reconcile-tt-children.ts`): the heal runs the ordinary task or note sync with trigger
 * `TT_RESTORE_TRIGGER`, and its records say what happened. Nothing changed in GHL, so the
 * timeline entry is ttsync's (source `ttsync`, at the time of the heal), not a GHL event that
 * would be posted to Tenant Turner's activities as one.
 */
import type { ChangeRecord } from '../store/records.ts';

/** The trigger of a heal that writes ttsync's version back over a Tenant Turner-side change. */
export const TT_RESTORE_TRIGGER = 'reconcile-tt';

/** The timeline entry of a write-back of `child` (`what`: its title or an excerpt). */
export function restoredTimeline(
  child: 'task' | 'note',
  what: string,
  ttId: string | undefined,
  hash: string,
  now: number,
): ChangeRecord['timeline'] {
  const noun = child === 'task' ? 'Task' : 'Note';
  return {
    occurredAt: now,
    source: 'ttsync',
    kind: `${child}_restored`,
    summary: `${noun} ${what} written back to Tenant Turner (${child} ${ttId ?? '?'}): it had been changed or deleted there`,
    refId: `restored:${hash}@${now}`,
  };
}
