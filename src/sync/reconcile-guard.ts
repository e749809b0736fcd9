/**
 * The mass-delete guard of `ttsync reconcile --heal`: when the heal would unlink (and, for
 * tasks and notes on the extended surface, delete in Tenant Turner, or make again what Tenant
 * Turner says is deleted there) more than a share of the active links of any kind (people,
 * tasks, notes, appointments), nothing at all is done. A GHL or Tenant Turner outage that
 * answers 404 for everything looks like a mass delete; this is what keeps it from becoming one.
 */
import type { LinkKind } from '../store/links.ts';
import type { DriftReport } from './reconcile.ts';
import { CHILD_KINDS } from './reconcile-sources.ts';

/** Default share of active links a heal may unlink, per kind. */
export const DEFAULT_MAX_UNLINK_SHARE = 0.05;

/** One kind's part of the guard. */
export interface KindGuard {
  kind: LinkKind;
  /** Links of this kind the heal would unlink. */
  unlink: number;
  /** Active links of this kind. */
  active: number;
  /** Most it may unlink: `floor(share × active)`. */
  limit: number;
  tripped: boolean;
}

/** Whether a heal may unlink what the report calls gone. */
export interface UnlinkGuard {
  /** Links the heal would unlink, all kinds. */
  unlink: number;
  /** Most it may unlink, all kinds (each kind is held to its own limit). */
  limit: number;
  share: number;
  tripped: boolean;
  kinds: KindGuard[];
  /** Why it tripped, in words a user can act on. */
  reason: string | undefined;
}

const NOUNS: Record<LinkKind, string> = {
  person: 'linked people',
  task: 'linked tasks',
  note: 'linked notes',
  appointment: 'linked appointments',
};

/** Checks the mass-delete guard for `report`. */
export function checkUnlinkGuard(
  report: DriftReport,
  share: number = DEFAULT_MAX_UNLINK_SHARE,
): UnlinkGuard {
  const kinds: KindGuard[] = [kindGuard('person', report.counts.extra, report.activeLinks, share)];
  const children = report.children;
  if (children) {
    // A record "deleted in Tenant Turner" is made again by the heal: an outage that answers 404
    // on that side would make every one of them look deleted, so they count here too.
    const goneInTt = (kind: LinkKind): number =>
      children.items.filter(
        (item) => item.child === kind && item.kind === 'different' && item.deletedInTt === true,
      ).length;
    for (const kind of CHILD_KINDS) {
      const unlink = children.counts[kind].extra + goneInTt(kind);
      kinds.push(kindGuard(kind, unlink, children.activeLinks[kind], share));
    }
  }
  const tripped = kinds.filter((k) => k.tripped);
  const percent = `${(share * 100).toFixed(1)}%`;
  return {
    unlink: kinds.reduce((sum, k) => sum + k.unlink, 0),
    limit: kinds.reduce((sum, k) => sum + k.limit, 0),
    share,
    tripped: tripped.length > 0,
    kinds,
    reason:
      tripped.length > 0
        ? `${tripped
            .map((k) => `${k.unlink} of ${k.active} ${NOUNS[k.kind]} (limit ${k.limit})`)
            .join(', ')} would be unlinked (or made again in Tenant Turner), more than ` +
          `${percent} of their kind; refusing to ` +
          'heal, nothing was changed. This is what a GHL or Tenant Turner outage answering 404 ' +
          'looks like: check the GHL location and the Tenant Turner account, then run ' +
          '`ttsync reconcile --dry-run` again; if the deletions are real, heal with a higher ' +
          '--max-unlink-share (TTSYNC_RECONCILE_MAX_UNLINK_SHARE for the scheduled reconcile).'
        : undefined,
  };
}

function kindGuard(kind: LinkKind, unlink: number, active: number, share: number): KindGuard {
  const limit = Math.floor(share * active);
  return { kind, unlink, active, limit, tripped: unlink > limit };
}
