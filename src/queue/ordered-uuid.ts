/**
 * Time-ordered UUIDs (the RFC 9562 version 7 layout) that also increase within one millisecond
 * in this process. pg-boss orders a key's jobs by `created_on`, then by `id`; jobs enqueued in
 * one transaction share `created_on`, so ids that increase in enqueue order keep them in order
 * (PostgreSQL compares uuids byte by byte).
 */
import { randomBytes } from 'node:crypto';

/** Makes ids that compare in the order they were made. */
export class OrderedUuids {
  #lastMs = 0;
  #sequence = 0;

  /** The next id; `now` is epoch ms (injectable for tests). */
  next(now: number = Date.now()): string {
    if (now > this.#lastMs) {
      this.#lastMs = now;
      this.#sequence = 0;
    } else if (++this.#sequence > 0xfff) {
      // 4,096 ids in one millisecond: borrow the next millisecond rather than repeat.
      this.#lastMs += 1;
      this.#sequence = 0;
    }
    const bytes = randomBytes(16);
    let ms = this.#lastMs;
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = 0x70 | (this.#sequence >> 8);
    bytes[7] = this.#sequence & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
