/**
 * `ttsync reconcile`: compares GHL contacts with Tenant Turner leads through the person links
 * and reports drift. GHL contacts are streamed from search (500 a page); the leads are read in
 * bulk from Tenant Turner's change list once, with a GET only for a linked lead the list did not
 * return. Nothing is written here; `reconcile-heal.ts` fixes what this finds.
 *
 * Kinds of drift:
 * - `missing`: a GHL contact with no active link (or a link without a lead id);
 * - `extra`: an active link whose GHL contact is confirmed gone (GET → 404) or whose lead is
 *   confirmed gone (GET → 404). A contact that search did not return but GET still finds is not
 *   drift (search lags behind writes): an empty or short search is never taken as a delete;
 * - `different`: the lead as ttsync would write it (`mapContact` + the rental) differs from the
 *   lead's current fields, listed field by field.
 */
import { AppError } from '../shared/errors.ts';
import { findLinksByGhlIds, listLinks } from '../store/links.ts';
import type { Link } from '../store/links.ts';
import type { Lead } from '../tenant-turner/resources.ts';
import { leadStateOf, mapContact } from './contact-mapping.ts';
import type { ContactLike } from './contact-mapping.ts';
import type { ContactSyncDeps, LeadState } from './contact-sync.ts';
import { scanChildren } from './reconcile-children.ts';
import type { ChildDriftReport, ChildScope } from './reconcile-children.ts';
import { countingGhl } from './reconcile-sources.ts';

/** One field that differs: what ttsync would write, and what the lead holds. */
export interface FieldDrift {
  field: string;
  expected: unknown;
  actual: unknown;
}

/** One item of drift. */
export type DriftItem =
  | { kind: 'missing'; contactId: string; reason: string }
  | {
      kind: 'extra';
      contactId: string | undefined;
      link: Link;
      gone: 'contact' | 'lead';
      reason: string;
    }
  | {
      kind: 'different';
      contactId: string;
      link: Link;
      applicationId: number;
      lead: LeadState;
      fields: FieldDrift[];
    };

/** What a reconcile scan found. */
export interface DriftReport {
  locationId: string;
  /** GHL contacts seen in search. */
  contacts: number;
  /** Active person links of the location when the scan ended. */
  activeLinks: number;
  /** Contacts ttsync never syncs (no email or phone): not drift. */
  unsyncable: number;
  /** Active links search did not return but whose contact still exists: not drift. */
  unconfirmed: number;
  counts: Record<DriftItem['kind'], number>;
  /** Every item, in the order found (the CLI prints the first N of each kind). */
  items: DriftItem[];
  /** Tasks, notes and appointments (reconcile-children.ts); absent with `children: false`. */
  children: ChildDriftReport | undefined;
  /** GHL requests the scan made. */
  ghlCalls: number;
}

/** What the scan takes. */
export interface ReconcileScanOptions {
  locationId: string;
  /** Records per GHL search page, 1..500; default 500. */
  pageLimit?: number;
  signal?: AbortSignal;
  /** Scan tasks, notes and appointments too (default true). */
  children?: boolean;
  /** Appointment window and child readers (see `ChildScope`). */
  window?: ChildScope['window'];
  readers?: ChildScope['readers'];
}

/** Scans one location and reports drift; writes nothing. */
export async function scanDrift(
  given: ContactSyncDeps,
  options: ReconcileScanOptions,
): Promise<DriftReport> {
  const { locationId, signal } = options;
  const counter = countingGhl(given.ghl);
  const deps = { ...given, ghl: counter.ghl };
  // People whose children are compared: linked now, or about to be (reported missing).
  const people = new Map<string, Link>();
  const toLink = new Set<string>();
  const call = signal ? { signal } : {};
  const report: DriftReport = {
    locationId,
    contacts: 0,
    activeLinks: 0,
    unsyncable: 0,
    unconfirmed: 0,
    counts: { missing: 0, extra: 0, different: 0 },
    items: [],
    children: undefined,
    ghlCalls: 0,
  };
  const add = (item: DriftItem): void => {
    report.counts[item.kind]++;
    report.items.push(item);
  };
  const leads = new Map<number, Lead>();
  for await (const lead of deps.tt.leads.list(call)) leads.set(lead.applicationId, lead);
  const leadOf = async (applicationId: number): Promise<Lead | undefined> => {
    const known = leads.get(applicationId);
    if (known) return known;
    // Not in the change list (older than it reaches back): ask for it; only a 404 means gone.
    const lead = await orUndefinedIfGone(() => deps.tt.leads.get(applicationId, call));
    if (lead) leads.set(applicationId, lead);
    return lead;
  };
  const seen = new Set<string>();
  const pages = deps.ghl.location(locationId, 'backfill').searchContactPages({
    pageLimit: options.pageLimit ?? 500,
    sort: [{ field: 'dateAdded', direction: 'asc' }],
    ...call,
  });
  for await (const page of pages) {
    const ids = page.contacts.map((c) => c.id);
    const links = await findLinksByGhlIds(deps.db, 'person', locationId, ids);
    for (const contact of page.contacts) {
      report.contacts++;
      const link = links.get(contact.id);
      if (link) seen.add(link.id);
      const expected = await expectedLead(deps, contact, signal);
      if (!expected) {
        report.unsyncable++;
        continue;
      }
      if (link?.state !== 'active' || link.ttId === undefined) {
        toLink.add(contact.id);
        add({
          kind: 'missing',
          contactId: contact.id,
          reason: link ? `link is ${link.state}` : 'no link',
        });
        continue;
      }
      const applicationId = Number(link.ttId);
      const lead = await leadOf(applicationId);
      if (!lead) {
        add({
          kind: 'extra',
          contactId: contact.id,
          link,
          gone: 'lead',
          reason: `Tenant Turner lead ${applicationId} no longer exists`,
        });
        continue;
      }
      people.set(contact.id, link);
      const actual = leadStateOf(lead);
      const fields = diffFields(expected, actual);
      if (fields.length > 0) {
        add({
          kind: 'different',
          contactId: contact.id,
          link,
          applicationId,
          lead: actual,
          fields,
        });
      }
    }
  }
  // Active links search did not return: gone only if GHL confirms it (GET → 404).
  const ghl = deps.ghl.location(locationId, 'backfill');
  for (let afterId: string | undefined; ;) {
    const batch = await listLinks(deps.db, 'person', {
      state: 'active',
      limit: 500,
      ...(afterId !== undefined ? { afterId } : {}),
    });
    for (const link of batch) {
      if (link.locationId !== locationId) continue;
      report.activeLinks++;
      if (seen.has(link.id) || link.ghlId === undefined) continue;
      const contact = await orUndefinedIfGone(() => ghl.getContact(link.ghlId ?? '', call));
      if (contact) {
        report.unconfirmed++;
        people.set(link.ghlId, link);
        continue;
      }
      add({
        kind: 'extra',
        contactId: link.ghlId,
        link,
        gone: 'contact',
        reason: `GHL contact ${link.ghlId} no longer exists`,
      });
    }
    if (batch.length < 500) break;
    afterId = batch.at(-1)?.id;
  }
  if (options.children !== false) {
    report.children = await scanChildren(deps, {
      locationId,
      people,
      toLink,
      window: options.window,
      readers: options.readers,
      signal,
    });
  }
  report.ghlCalls = counter.calls();
  return report;
}

/** The lead ttsync would write for `contact`, or undefined when it never syncs it. */
async function expectedLead(
  deps: ContactSyncDeps,
  contact: ContactLike,
  signal: AbortSignal | undefined,
): Promise<LeadState | undefined> {
  const draft = mapContact(contact, deps.mapping);
  if (!draft.fields.email || !draft.fields.phone) return undefined;
  const rental = await deps.rentals.resolve(draft.rental, signal);
  return {
    ...draft.fields,
    ...(rental.propertyId !== undefined ? { propertyId: rental.propertyId } : {}),
  };
}

/** Field-by-field differences between what ttsync would write and what the lead holds. */
export function diffFields(expected: LeadState, actual: LeadState): FieldDrift[] {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  const drift: FieldDrift[] = [];
  for (const field of keys) {
    const want = (expected as unknown as Record<string, unknown>)[field];
    const have = (actual as unknown as Record<string, unknown>)[field];
    // A lead with a rental ttsync did not set is not drift (Tenant Turner may assign one).
    if (want === undefined) continue;
    if (want !== have) drift.push({ field, expected: want, actual: have });
  }
  return drift;
}

/** `read()`, or undefined when the record is confirmed gone (a 404); other errors throw. */
async function orUndefinedIfGone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return undefined;
    throw error;
  }
}
