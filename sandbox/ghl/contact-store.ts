/**
 * The live contact table: what GET-by-id, the deprecated list, duplicate checks and upsert see
 * immediately after a write. Email and phone lookups are indexed (upsert matching must stay O(1)
 * during 25k-contact backfills).
 */
import type { ContactRecord } from './model.ts';
import { SortedContacts } from './sorted-contacts.ts';

type Index = Map<string, string[]>;

function indexKey(locationId: string, value: string): string {
  return `${locationId}|${value.toLowerCase()}`;
}

function addTo(index: Index, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) index.set(key, [id]);
  else if (!ids.includes(id)) ids.push(id);
}

function removeFrom(index: Index, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) return;
  const next = ids.filter((existing) => existing !== id);
  if (next.length === 0) index.delete(key);
  else index.set(key, next);
}

/** Contacts with email (primary and additional) and phone indexes. */
export class ContactStore {
  readonly #contacts = new SortedContacts();
  readonly #emails: Index = new Map();
  readonly #phones: Index = new Map();

  load(records: readonly ContactRecord[]): void {
    this.#contacts.load(records);
    for (const record of records) this.#index(record);
  }

  get(id: string): ContactRecord | undefined {
    return this.#contacts.get(id);
  }

  get size(): number {
    return this.#contacts.size;
  }

  put(record: ContactRecord): void {
    const previous = this.#contacts.get(record.id);
    if (previous !== undefined) this.#unindex(previous);
    this.#contacts.put(record);
    this.#index(record);
  }

  remove(id: string): ContactRecord | undefined {
    const removed = this.#contacts.remove(id);
    if (removed !== undefined) this.#unindex(removed);
    return removed;
  }

  /** The location's contacts, oldest first. */
  list(locationId: string): readonly ContactRecord[] {
    return this.#contacts.list(locationId);
  }

  all(): IterableIterator<ContactRecord> {
    return this.#contacts.all();
  }

  /** Contacts whose primary or additional email equals `email` (case-insensitive), oldest first. */
  findByEmail(locationId: string, email: string): ContactRecord[] {
    return this.#resolve(this.#emails.get(indexKey(locationId, email)));
  }

  /** Contacts whose phone equals the normalized `phone`, oldest first. */
  findByPhone(locationId: string, phone: string): ContactRecord[] {
    return this.#resolve(this.#phones.get(indexKey(locationId, phone)));
  }

  #resolve(ids: string[] | undefined): ContactRecord[] {
    if (ids === undefined) return [];
    const found: ContactRecord[] = [];
    for (const id of ids) {
      const record = this.#contacts.get(id);
      if (record !== undefined) found.push(record);
    }
    return found.sort((a, b) => a.dateAddedMs - b.dateAddedMs);
  }

  #index(record: ContactRecord): void {
    if (record.email !== undefined)
      addTo(this.#emails, indexKey(record.locationId, record.email), record.id);
    for (const email of record.additionalEmails) {
      addTo(this.#emails, indexKey(record.locationId, email), record.id);
    }
    if (record.phone !== undefined)
      addTo(this.#phones, indexKey(record.locationId, record.phone), record.id);
  }

  #unindex(record: ContactRecord): void {
    if (record.email !== undefined) {
      removeFrom(this.#emails, indexKey(record.locationId, record.email), record.id);
    }
    for (const email of record.additionalEmails) {
      removeFrom(this.#emails, indexKey(record.locationId, email), record.id);
    }
    if (record.phone !== undefined) {
      removeFrom(this.#phones, indexKey(record.locationId, record.phone), record.id);
    }
  }
}
