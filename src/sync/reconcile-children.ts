/**
 * Reconciliation of a location's children (tasks, notes, appointments) against their child
 * links, after the contact scan (`reconcile.ts`) has said which people are linked and which are
 * about to be. GHL calls are spent deliberately: the location task search (100 a page), the
 * calendar events of each calendar by window, and the notes of each person ttsync links (GHL
 * has no location-wide note listing).
 *
 * Kinds of drift, per child:
 * - `missing`: a GHL child with no active link whose person is linked (or reported missing, so
 *   that one heal brings the person and its children across);
 * - `extra`: an active link whose GHL child is confirmed gone by a GET (404); a child a listing
 *   did not return but a GET still finds is `unconfirmed`, never drift;
 * - `different`: the child as ttsync would write it differs from what ttsync last synced (its
 *   GHL-side snapshot), field by field. Tenant Turner's real surface has no tasks or notes and no
 *   showing update, so the snapshot, not Tenant Turner, is what drift is judged against.
 */
import type { GhlTask } from '../ghl/types.ts';
import type { Link } from '../store/links.ts';
import type { AppointmentLike } from './appointment-mapping.ts';
import { appointmentHash, appointmentState } from './appointment-mapping.ts';
import { contentHash } from './contact-mapping.ts';
import type { ContactSyncDeps } from './contact-sync.ts';
import { defaultChildReaders } from './reconcile-readers.ts';
import type { ChildReaders, Window } from './reconcile-readers.ts';
import { CHILD_KINDS, childLinks, ghlSnapshots, stillThere } from './reconcile-sources.ts';
import type { ChildKind, SeenSnapshot } from './reconcile-sources.ts';
import { assigneeDirectory } from './task-assignees.ts';
import { changedTaskFields, mapTask } from './task-mapping.ts';
import { scanTtChildren } from './reconcile-tt-children.ts';
import type { FieldDrift } from './reconcile.ts';

/** One item of child drift. */
export type ChildDriftItem =
  | {
      kind: 'missing';
      child: ChildKind;
      contactId: string;
      ghlId: string;
      reason: string;
      /** The appointment as read (so the heal needs no second read). */
      appointment?: AppointmentLike | undefined;
    }
  | {
      kind: 'extra';
      child: ChildKind;
      contactId: string;
      ghlId: string;
      link: Link;
      reason: string;
    }
  | {
      kind: 'different';
      child: ChildKind;
      contactId: string;
      ghlId: string;
      link: Link;
      fields: FieldDrift[];
      appointment?: AppointmentLike | undefined;
      /**
       * Set when the drift is on Tenant Turner's side (extended surface): the record there as a
       * GHL-side snapshot, so that the heal's sync writes ttsync's version back.
       */
      ttSnapshot?: unknown;
      /** Deleted in Tenant Turner: the heal makes it again (counted by the mass-delete guard). */
      deletedInTt?: boolean | undefined;
    };

type PerKind = Record<ChildKind, number>;
const perKind = (): PerKind => ({ task: 0, note: 0, appointment: 0 });

/** What the child scan found. */
export interface ChildDriftReport {
  counts: Record<ChildKind, Record<ChildDriftItem['kind'], number>>;
  /** GHL children read. */
  seen: PerKind;
  /** Active child links of linked people. */
  activeLinks: PerKind;
  /** Children of contacts ttsync does not sync (no email or phone, or no contact): not drift. */
  skipped: PerKind;
  /** Active links a listing did not return but a GET still finds: not drift. */
  unconfirmed: PerKind;
  /** The appointment window read. */
  window: { start: number; end: number };
  /** Tenant Turner calls made to compare tasks and notes (extended surface only). */
  ttCalls: number;
  items: ChildDriftItem[];
}

/** Which people the children are compared for. */
export interface ChildScope {
  locationId: string;
  /** Active person links, by GHL contact id. */
  people: ReadonlyMap<string, Link>;
  /** Contacts the contact scan reports missing: their children are missing too. */
  toLink: ReadonlySet<string>;
  /** Appointment window; default 30 days back to 180 days ahead. */
  window?: Partial<Window> | undefined;
  signal?: AbortSignal | undefined;
  /** Where GHL's children are read from (default: the child streams). */
  readers?: ChildReaders | undefined;
}

const DAY = 86_400_000;

/** Scans the children of `scope`'s people; writes nothing. */
export async function scanChildren(
  deps: ContactSyncDeps,
  scope: ChildScope,
): Promise<ChildDriftReport> {
  const now = deps.clock.now();
  const window = {
    start: scope.window?.start ?? now - 30 * DAY,
    end: scope.window?.end ?? now + 180 * DAY,
  };
  const report: ChildDriftReport = {
    counts: {
      task: { missing: 0, extra: 0, different: 0 },
      note: { missing: 0, extra: 0, different: 0 },
      appointment: { missing: 0, extra: 0, different: 0 },
    },
    seen: perKind(),
    activeLinks: perKind(),
    skipped: perKind(),
    unconfirmed: perKind(),
    window,
    ttCalls: 0,
    items: [],
  };
  const readers = scope.readers ?? defaultChildReaders(deps, scope.locationId);
  const scan = new ChildScan(deps, scope, report);
  await scan.load();
  for await (const task of readers.tasks(scope.signal)) await scan.task(task);
  for (const contactId of [...scope.people.keys(), ...scope.toLink]) {
    for (const note of await readers.notes(contactId, scope.signal)) {
      scan.compare('note', contactId, note.id, contentHash(noteState(note)), noteState(note));
    }
    scan.listed('note', contactId);
  }
  for await (const appointment of readers.appointments(window, scope.signal)) {
    scan.appointment(appointment);
  }
  await scan.confirmUnseen(readers, window);
  await scan.compareTenantTurner();
  return report;
}

/** The note as the note sync keeps it (its GHL snapshot). */
function noteState(note: { body?: string | undefined; dateAdded?: string | undefined }): {
  body: string;
  dateAdded: string | undefined;
} {
  return { body: note.body ?? '', dateAdded: note.dateAdded };
}

class ChildScan {
  readonly #deps: ContactSyncDeps;
  readonly #scope: ChildScope;
  readonly #report: ChildDriftReport;
  readonly #links = new Map<ChildKind, Map<string, Link>>();
  readonly #seen = new Map<ChildKind, Set<string>>(CHILD_KINDS.map((k) => [k, new Set()]));
  readonly #notesListed = new Set<string>();
  readonly #peopleById = new Map<string, Link>();
  #snapshots = new Map<string, SeenSnapshot>();

  constructor(deps: ContactSyncDeps, scope: ChildScope, report: ChildDriftReport) {
    this.#deps = deps;
    this.#scope = scope;
    this.#report = report;
    for (const person of scope.people.values()) this.#peopleById.set(person.id, person);
  }

  async load(): Promise<void> {
    const ids: string[] = [];
    for (const kind of CHILD_KINDS) {
      const links = await childLinks(this.#deps, kind, this.#scope.locationId);
      this.#links.set(kind, links);
      for (const link of links.values()) {
        if (link.state !== 'active') continue;
        ids.push(link.id);
        if (this.#parentOf(link)) this.#report.activeLinks[kind]++;
      }
    }
    this.#snapshots = await ghlSnapshots(this.#deps, ids);
  }

  async task(task: GhlTask): Promise<void> {
    const contactId = task.contactId;
    if (!contactId) {
      this.#report.seen.task++;
      this.#report.skipped.task++;
      return;
    }
    const link = this.#links.get('task')?.get(task.id);
    let email: string | undefined;
    if (link?.state === 'active' && task.assignedTo) {
      email = await assigneeDirectory(this.#deps.ghl, this.#deps.clock).email(
        this.#scope.locationId,
        task.assignedTo,
        { lane: 'backfill', logger: this.#deps.logger, signal: this.#scope.signal },
      );
    }
    const mapped = mapTask(task, email);
    this.compare('task', contactId, task.id, mapped.hash, mapped.state, (before) =>
      changedTaskFields(before as Parameters<typeof changedTaskFields>[0], mapped.state),
    );
  }

  appointment(appointment: AppointmentLike): void {
    const contactId = appointment.contactId;
    const state = contactId ? appointmentState(appointment) : undefined;
    if (!contactId || state === undefined || typeof state === 'string') {
      this.#report.seen.appointment++;
      this.#report.skipped.appointment++;
      return;
    }
    const compared = {
      goal: state.goal,
      status: state.status,
      startMs: state.startMs,
      address: state.address,
    };
    this.compare(
      'appointment',
      contactId,
      appointment.id,
      appointmentHash(state),
      compared,
      undefined,
      appointment,
    );
  }

  /** Compares one GHL child with its link and snapshot. */
  compare(
    child: ChildKind,
    contactId: string,
    ghlId: string,
    hash: string,
    expected: object,
    fieldsOf?: (before: unknown) => string[],
    appointment?: AppointmentLike,
  ): void {
    const report = this.#report;
    report.seen[child]++;
    this.#seen.get(child)?.add(ghlId);
    const linked = this.#scope.people.has(contactId);
    if (!linked && !this.#scope.toLink.has(contactId)) {
      report.skipped[child]++;
      return;
    }
    const link = this.#links.get(child)?.get(ghlId);
    if (link?.state === 'unlinked') return;
    if (link?.state !== 'active') {
      const reason = !linked ? 'its contact is missing too' : link ? 'link is pending' : 'no link';
      this.#add({ kind: 'missing', child, contactId, ghlId, reason, appointment });
      return;
    }
    const seen = this.#snapshots.get(link.id);
    if (seen?.hash === hash) return;
    const fields = diffObjects(expected, seen?.data, fieldsOf);
    this.#add({ kind: 'different', child, contactId, ghlId, link, fields, appointment });
  }

  /** Notes of `contactId` have been listed: its unseen note links are GET-checked later. */
  listed(_child: 'note', contactId: string): void {
    this.#notesListed.add(contactId);
  }

  /** Active links of linked people that no listing returned: extra only when a GET says 404. */
  async confirmUnseen(readers: ChildReaders, window: Window): Promise<void> {
    for (const child of CHILD_KINDS) {
      for (const link of this.#links.get(child)?.values() ?? []) {
        if (link.state !== 'active' || link.ghlId === undefined) continue;
        if (this.#seen.get(child)?.has(link.ghlId)) continue;
        const person = this.#parentOf(link);
        if (person?.ghlId === undefined) continue;
        if (child === 'note' && !this.#notesListed.has(person.ghlId)) continue;
        if (child === 'appointment' && !inWindow(this.#snapshots.get(link.id), window)) continue;
        const exists = await stillThere(() =>
          readers.exists(child, person.ghlId ?? '', link.ghlId ?? '', this.#scope.signal),
        );
        if (exists) {
          this.#report.unconfirmed[child]++;
          continue;
        }
        this.#add({
          kind: 'extra',
          child,
          contactId: person.ghlId,
          ghlId: link.ghlId,
          link,
          reason: `GHL ${child} ${link.ghlId} no longer exists`,
        });
      }
    }
  }

  /** Linked tasks and notes whose Tenant Turner record was changed there (extended surface). */
  async compareTenantTurner(): Promise<void> {
    const flagged = new Set(
      this.#report.items.flatMap((item) => ('link' in item ? [item.link.id] : [])),
    );
    const { drift, calls } = await scanTtChildren(
      this.#deps,
      {
        task: this.#links.get('task')?.values() ?? [],
        note: this.#links.get('note')?.values() ?? [],
      },
      this.#peopleById,
      this.#snapshots,
      this.#scope.signal,
    );
    this.#report.ttCalls = calls;
    for (const found of drift) {
      if (flagged.has(found.link.id) || found.person.ghlId === undefined) continue;
      this.#add({
        kind: 'different',
        child: found.child,
        contactId: found.person.ghlId,
        ghlId: found.link.ghlId ?? '',
        link: found.link,
        fields: found.fields,
        ttSnapshot: found.asSnapshot,
        deletedInTt: found.deleted,
      });
    }
  }

  #parentOf(link: Link): Link | undefined {
    return link.parentId === undefined ? undefined : this.#peopleById.get(link.parentId);
  }

  #add(item: ChildDriftItem): void {
    this.#report.counts[item.child][item.kind]++;
    this.#report.items.push(item);
  }
}

/** Whether an appointment snapshot's start lies in `window` (outside it, no listing covers it). */
function inWindow(seen: SeenSnapshot | undefined, window: Window): boolean {
  const startMs = (seen?.data as { startMs?: unknown } | undefined)?.startMs;
  return typeof startMs === 'number' && startMs >= window.start && startMs < window.end;
}

/** Field-by-field differences of `expected` from `before` (the snapshot's data). */
function diffObjects(
  expected: object,
  before: unknown,
  fieldsOf?: (before: unknown) => string[],
): FieldDrift[] {
  const want = expected as Record<string, unknown>;
  const have = (before ?? {}) as Record<string, unknown>;
  const fields = fieldsOf
    ? fieldsOf(before)
    : Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(have[k]));
  return fields.map((field) => ({ field, expected: want[field], actual: have[field] }));
}
