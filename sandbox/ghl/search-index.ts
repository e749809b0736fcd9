/**
 * What `POST /contacts/search` sees. GHL's search is eventually consistent ("updates may take a
 * few seconds to appear in search results"), so every write reaches this index only after
 * `delayMs`; GET-by-id reads the live store and is immediate.
 */
import type { ContactRecord } from './model.ts';
import { SortedContacts } from './sorted-contacts.ts';

interface PendingWrite {
  dueAt: number;
  id: string;
  /** The new version, or null for a delete. */
  record: ContactRecord | null;
}

/** A delayed copy of the contact table. */
export class SearchIndex {
  readonly #contacts = new SortedContacts();
  #pending: PendingWrite[] = [];
  /** How long a write takes to become searchable; changeable at run time. */
  delayMs: number;

  constructor(delayMs: number) {
    this.delayMs = delayMs;
  }

  /** Seed data is searchable at once. */
  load(records: readonly ContactRecord[]): void {
    this.#contacts.load(records);
  }

  /** Queues a write (or a delete, `record` null) to become visible after the delay. */
  schedule(id: string, record: ContactRecord | null, now: number): void {
    this.#pending.push({ dueAt: now + this.delayMs, id, record });
    if (this.delayMs <= 0) this.refresh(now);
  }

  /** Applies every queued write that is due, in the order written. */
  refresh(now: number): void {
    if (this.#pending.length === 0) return;
    const later: PendingWrite[] = [];
    for (const write of this.#pending) {
      if (write.dueAt > now) later.push(write);
      else if (write.record === null) this.#contacts.remove(write.id);
      else this.#contacts.put(write.record);
    }
    this.#pending = later;
  }

  /** Makes everything visible now (operator endpoint). */
  flush(): void {
    this.refresh(Number.POSITIVE_INFINITY);
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  get(id: string): ContactRecord | undefined {
    return this.#contacts.get(id);
  }

  /** The location's searchable contacts, oldest first. Call `refresh` first. */
  list(locationId: string): readonly ContactRecord[] {
    return this.#contacts.list(locationId);
  }
}
