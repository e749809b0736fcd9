/**
 * Contacts of each location kept sorted oldest → newest by (dateAdded, id), so listing,
 * cursor seeks and "newest first" paging are binary searches and slices, never a full sort.
 */
import type { ContactRecord } from './model.ts';

/** The ordering key of a contact. */
export interface ContactOrderKey {
  dateAddedMs: number;
  id: string;
}

/** Compares two keys in ascending (oldest first) order. */
export function compareOrderKeys(a: ContactOrderKey, b: ContactOrderKey): number {
  if (a.dateAddedMs !== b.dateAddedMs) return a.dateAddedMs - b.dateAddedMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Index of the first element not less than `key` in an ascending array. */
export function lowerBound(sorted: readonly ContactOrderKey[], key: ContactOrderKey): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareOrderKeys(sorted[mid] as ContactOrderKey, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Contacts by id, plus one ascending array per location. */
export class SortedContacts {
  readonly #byId = new Map<string, ContactRecord>();
  readonly #byLocation = new Map<string, ContactRecord[]>();

  /** Loads many records at once (seed): one sort per location instead of n inserts. */
  load(records: Iterable<ContactRecord>): void {
    for (const record of records) {
      this.#byId.set(record.id, record);
      this.#list(record.locationId).push(record);
    }
    for (const list of this.#byLocation.values()) list.sort(compareOrderKeys);
  }

  get(id: string): ContactRecord | undefined {
    return this.#byId.get(id);
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Inserts or replaces a record (its dateAdded never changes). */
  put(record: ContactRecord): void {
    const list = this.#list(record.locationId);
    const index = lowerBound(list, record);
    if (this.#byId.has(record.id) && list[index]?.id === record.id) list[index] = record;
    else list.splice(index, 0, record);
    this.#byId.set(record.id, record);
  }

  /** Removes a record; returns it when it existed. */
  remove(id: string): ContactRecord | undefined {
    const record = this.#byId.get(id);
    if (record === undefined) return undefined;
    this.#byId.delete(id);
    const list = this.#list(record.locationId);
    const index = lowerBound(list, record);
    if (list[index]?.id === id) list.splice(index, 1);
    return record;
  }

  /** The location's contacts, oldest first. Do not mutate. */
  list(locationId: string): readonly ContactRecord[] {
    return this.#byLocation.get(locationId) ?? [];
  }

  /** Every contact of every location. */
  all(): IterableIterator<ContactRecord> {
    return this.#byId.values();
  }

  #list(locationId: string): ContactRecord[] {
    let list = this.#byLocation.get(locationId);
    if (list === undefined) {
      list = [];
      this.#byLocation.set(locationId, list);
    }
    return list;
  }
}
