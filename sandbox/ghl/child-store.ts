/**
 * Tasks, notes and appointments: records that belong to one contact, looked up by id and listed
 * per contact in creation order.
 */

interface ChildRecord {
  readonly id: string;
  readonly contactId: string;
  readonly locationId: string;
}

/** Records by id plus an ordered id list per contact. */
export class ChildStore<T extends ChildRecord> {
  readonly #byId = new Map<string, T>();
  readonly #byContact = new Map<string, string[]>();

  get(id: string): T | undefined {
    return this.#byId.get(id);
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Inserts a new record or replaces an existing one (same contact). */
  put(record: T): void {
    if (!this.#byId.has(record.id)) {
      const ids = this.#byContact.get(record.contactId);
      if (ids === undefined) this.#byContact.set(record.contactId, [record.id]);
      else ids.push(record.id);
    }
    this.#byId.set(record.id, record);
  }

  remove(id: string): T | undefined {
    const record = this.#byId.get(id);
    if (record === undefined) return undefined;
    this.#byId.delete(id);
    const ids = this.#byContact.get(record.contactId);
    if (ids !== undefined) {
      const next = ids.filter((existing) => existing !== id);
      if (next.length === 0) this.#byContact.delete(record.contactId);
      else this.#byContact.set(record.contactId, next);
    }
    return record;
  }

  /** The contact's records, oldest first. */
  forContact(contactId: string): T[] {
    const ids = this.#byContact.get(contactId) ?? [];
    const out: T[] = [];
    for (const id of ids) {
      const record = this.#byId.get(id);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  /** Removes every record of a contact (the contact was deleted). */
  removeForContact(contactId: string): void {
    for (const id of this.#byContact.get(contactId) ?? []) this.#byId.delete(id);
    this.#byContact.delete(contactId);
  }

  all(): IterableIterator<T> {
    return this.#byId.values();
  }

  /** Records of one location, in insertion order. */
  forLocation(locationId: string): T[] {
    const out: T[] = [];
    for (const record of this.#byId.values())
      if (record.locationId === locationId) out.push(record);
    return out;
  }
}
