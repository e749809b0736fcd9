/**
 * All records of a running Tenant Turner sandbox, the numeric id counters (each resource has its
 * own range, so ids are recognisable and deterministic) and the lookups the API needs: a lead by
 * contact information, a lead's showings, tasks, notes and activities, a child by ExternalId.
 */
import type {
  ActivityRecord,
  LeadRecord,
  NoteRecord,
  PropertyRecord,
  ShowingRecord,
  TaskRecord,
} from './model.ts';

/** First id of each resource. */
const ID_BASE = {
  property: 10_001,
  lead: 200_001,
  showing: 300_001,
  task: 400_001,
  note: 500_001,
  activity: 600_001,
} as const;

export type IdKind = keyof typeof ID_BASE;

/** Records keyed by id, plus an index of them by owning lead. */
export class LeadChildren<
  T extends { id: number; applicationId: number; externalId: string | null },
> {
  readonly byId = new Map<number, T>();
  readonly #byLead = new Map<number, Set<number>>();

  put(record: T): void {
    this.byId.set(record.id, record);
    let ids = this.#byLead.get(record.applicationId);
    if (ids === undefined) this.#byLead.set(record.applicationId, (ids = new Set()));
    ids.add(record.id);
  }

  get(id: number): T | undefined {
    return this.byId.get(id);
  }

  delete(record: T): void {
    this.byId.delete(record.id);
    this.#byLead.get(record.applicationId)?.delete(record.id);
  }

  /** The lead's records, in id order. */
  of(applicationId: number): T[] {
    const ids = [...(this.#byLead.get(applicationId) ?? [])].sort((a, b) => a - b);
    return ids.flatMap((id) => this.byId.get(id) ?? []);
  }

  /** The lead's record carrying `externalId`, if any. */
  byExternalId(applicationId: number, externalId: string): T | undefined {
    return this.of(applicationId).find((record) => record.externalId === externalId);
  }

  get size(): number {
    return this.byId.size;
  }
}

/** Email compared trimmed and lower-cased. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** Phone compared by digits, a leading US country code dropped. */
export function phoneKey(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}

export class TtState {
  readonly properties = new Map<number, PropertyRecord>();
  /** Read freely; add with `putLead` and change contact details with `setContact`. */
  readonly leads = new Map<number, LeadRecord>();
  readonly showings = new LeadChildren<ShowingRecord>();
  readonly tasks = new LeadChildren<TaskRecord>();
  readonly notes = new LeadChildren<NoteRecord>();
  readonly activities = new LeadChildren<ActivityRecord>();
  readonly #next: Record<IdKind, number> = { ...ID_BASE };
  /** Normalised email and phone → lead id (contact information is unique). */
  readonly #byEmail = new Map<string, number>();
  readonly #byPhone = new Map<string, number>();

  /** The next id of a kind. */
  newId(kind: IdKind): number {
    return this.#next[kind]++;
  }

  /** Adds a lead and indexes its contact information. */
  putLead(lead: LeadRecord): void {
    this.leads.set(lead.id, lead);
    this.#index(lead, true);
  }

  /** Changes a lead's email and phone, keeping the contact index right. */
  setContact(lead: LeadRecord, email: string | null, phone: string | null): void {
    this.#index(lead, false);
    lead.email = email;
    lead.phone = phone;
    this.#index(lead, true);
  }

  /** Another lead with the same email or phone, if any (`exceptId` excluded). */
  duplicateOf(
    contact: { email: string | null; phone: string | null },
    exceptId?: number,
  ): LeadRecord | undefined {
    const ids = [
      contact.email === null ? undefined : this.#byEmail.get(emailKey(contact.email)),
      contact.phone === null ? undefined : this.#byPhone.get(phoneKey(contact.phone)),
    ];
    const id = ids.find((candidate) => candidate !== undefined && candidate !== exceptId);
    return id === undefined ? undefined : this.leads.get(id);
  }

  #index(lead: LeadRecord, add: boolean): void {
    const entries: [Map<string, number>, string | null][] = [
      [this.#byEmail, lead.email === null ? null : emailKey(lead.email)],
      [this.#byPhone, lead.phone === null ? null : phoneKey(lead.phone)],
    ];
    for (const [index, key] of entries) {
      if (key === null || key === '') continue;
      if (add) index.set(key, lead.id);
      else if (index.get(key) === lead.id) index.delete(key);
    }
  }

  /** Showings that take place at a rental, in id order. */
  showingsAt(propertyId: number): ShowingRecord[] {
    return [...this.showings.byId.values()].filter((s) => s.propertyId === propertyId);
  }

  counts(): Record<string, number> {
    return {
      properties: this.properties.size,
      leads: this.leads.size,
      showings: this.showings.size,
      tasks: this.tasks.size,
      notes: this.notes.size,
      activities: this.activities.size,
    };
  }
}
