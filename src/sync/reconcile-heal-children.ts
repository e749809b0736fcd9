/**
 * Heals child drift through the same per-child sync the webhooks run (`syncTask`, `syncNote`,
 * `syncAppointment`, trigger `reconcile`), so each fix commits its link and records together and
 * a child is never created twice in Tenant Turner (link before write, `ExternalId` on creates):
 * - missing / different → the child is read (an appointment comes with the scan's copy) and
 *   brought across, created or updated; on the real surface recorded as not applied;
 * - different on Tenant Turner's side (extended surface) → what Tenant Turner holds becomes the
 *   last-synced snapshot, so the sync writes ttsync's version back;
 * - extra (confirmed gone) → the sync sees the 404 and deletes the Tenant Turner task or note
 *   (cancels the showing where it can), then unlinks.
 */
import { putSnapshots } from '../store/records.ts';
import { syncAppointment } from './appointment-sync.ts';
import { contentHash } from './contact-mapping.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { syncNote } from './note-sync.ts';
import type { ChildDriftItem } from './reconcile-children.ts';
import type { ChildKind } from './reconcile-sources.ts';
import { syncTask } from './task-sync.ts';
import { TT_RESTORE_TRIGGER } from './tt-restore.ts';

/** Outcomes of a child heal, by child kind then outcome kind. */
export type ChildOutcomes = Record<ChildKind, Record<string, number>>;

/** Heals one child item; resolves with the sync's outcome kind. */
export async function healChild(
  deps: ContactSyncDeps,
  locationId: string,
  item: ChildDriftItem,
  signal: AbortSignal | undefined,
): Promise<string> {
  const restore = item.kind === 'different' && item.ttSnapshot !== undefined;
  const base = {
    locationId,
    contactId: item.contactId,
    trigger: restore ? TT_RESTORE_TRIGGER : 'reconcile',
  };
  if (restore) {
    // Changed in Tenant Turner: record what it holds as last synced, so the sync writes back.
    const data = item.ttSnapshot;
    await putSnapshots(
      deps.db,
      [{ linkId: item.link.id, side: 'ghl', data, hash: contentHash(data) }],
      deps.clock.now(),
    );
  }
  switch (item.child) {
    case 'task':
      return (await syncTask(deps, { ...base, taskId: item.ghlId, lane: 'backfill' }, signal)).kind;
    case 'note':
      return (await syncNote(deps, { ...base, noteId: item.ghlId }, signal)).kind;
    case 'appointment': {
      // A gone appointment is read again by the sync (404 → cancel and unlink).
      const appointment = item.kind === 'extra' ? undefined : item.appointment;
      const job = { ...base, appointmentId: item.ghlId, ...(appointment ? { appointment } : {}) };
      return (await syncAppointment(deps, job, signal)).kind;
    }
  }
}
