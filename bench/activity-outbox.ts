/**
 * What the Tenant Turner activity poster pays each round to find its work, as the timeline grows
 * (`ttsync serve` runs a round every minute, and on SQLite the query holds the event loop). A
 * SQLite store (synchronous=FULL, as ttsync opens it) gets N GHL-side timeline entries, 5 per
 * person, every one already posted but those of W persons without a lead, which wait in the
 * outbox. Prints, over 5 runs each, the median time of:
 *
 * - the outbox read ttsync makes (`unpostedEntries`, migration 0004), and
 * - the scan it replaced: every GHL-side entry, looking for one without a post row.
 *
 *   npm run bench:activity-outbox                    # 100,000 and 500,000 entries
 *   BENCH_ENTRIES=1000000 BENCH_WAITING=1000 npm run bench:activity-outbox
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore } from '../src/store/database.ts';
import type { Store } from '../src/store/database.ts';
import { unpostedEntries } from '../src/store/timeline-posts.ts';

const COUNTS = (process.env['BENCH_ENTRIES'] ?? '100000,500000').split(',').map(Number);
/** Persons whose lead is not linked: their entries stay in the outbox, read every round. */
const WAITING = Number(process.env['BENCH_WAITING'] ?? 200);
const PER_PERSON = 5;
const RUNS = 5;

/** Fills `store` with `entries` posted GHL-side entries, and the waiting persons' in the outbox. */
async function fill(store: Store, entries: number): Promise<void> {
  const people = Math.ceil(entries / PER_PERSON);
  await store.db.transaction().execute(async (trx) => {
    for (let first = 0; first < people; first += 500) {
      const persons = Array.from({ length: Math.min(500, people - first) }, (_, k) => first + k);
      await trx
        .insertInto('links')
        .values(
          persons.map((p) => ({
            id: `person-${p}`,
            kind: 'person',
            location_id: 'bench',
            ghl_id: `contact-${p}`,
            tt_id: p < WAITING ? null : String(p),
            parent_id: null,
            state: 'active',
            created_at: 0,
            updated_at: 0,
          })),
        )
        .execute();
      const rows = persons.flatMap((p) =>
        Array.from({ length: PER_PERSON }, (_, n) => ({
          link_id: `person-${p}`,
          occurred_at: p * PER_PERSON + n,
          occurred_raw: null,
          source: 'ghl',
          kind: 'note_created',
          summary: 'Note added',
          ref_id: `note-${p}-${n}`,
          data: null,
          recorded_at: 0,
        })),
      );
      for (let i = 0; i < rows.length; i += 200) {
        const stored = await trx
          .insertInto('timeline')
          .values(rows.slice(i, i + 200))
          .returning(['id', 'link_id'])
          .execute();
        const waiting = stored.filter((r) => Number(r.link_id.slice(7)) < WAITING);
        const posted = stored.filter((r) => Number(r.link_id.slice(7)) >= WAITING);
        if (waiting.length > 0) {
          await trx
            .insertInto('timeline_outbox')
            .values(waiting.map((r) => ({ timeline_id: r.id })))
            .execute();
        }
        if (posted.length > 0) {
          await trx
            .insertInto('timeline_posts')
            .values(posted.map((r) => ({ timeline_id: r.id, state: 'posted', at: 0 })))
            .execute();
        }
      }
    }
  });
}

/** The poster's lookup before the outbox: the whole timeline, for entries without a post row. */
async function scanWithoutOutbox(store: Store): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    select timeline.id from timeline
    join links own on own.id = timeline.link_id
    left join links parent on parent.id = own.parent_id
    left join timeline_posts on timeline_posts.timeline_id = timeline.id
    where timeline.source = 'ghl' and timeline.id > 0 and timeline_posts.timeline_id is null
      and ((own.kind = 'person' and own.tt_id is not null)
        or (parent.kind = 'person' and parent.tt_id is not null))
    order by timeline.id limit 100`.execute(store.db);
  return rows.length;
}

async function medianMs(work: () => Promise<number>): Promise<{ ms: number; found: number }> {
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    found = await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(RUNS / 2)] ?? Number.NaN, found };
}

console.log(
  `Finding the entries to post to Tenant Turner activities, SQLite, ${PER_PERSON} entries a ` +
    `person, ${WAITING} persons without a lead (${WAITING * PER_PERSON} entries waiting), ` +
    `median of ${RUNS}`,
);
for (const entries of COUNTS) {
  const dir = mkdtempSync(join(tmpdir(), 'ttsync-bench-outbox-'));
  const store = await openStore({ sqlitePath: join(dir, 'ttsync.db') });
  try {
    const filling = performance.now();
    await fill(store, entries);
    const fillSeconds = (performance.now() - filling) / 1000;
    const outbox = await medianMs(async () => (await unpostedEntries(store.db, 0, 100)).length);
    const scan = await medianMs(() => scanWithoutOutbox(store));
    if (outbox.found !== 0 || scan.found !== 0) {
      throw new Error(`expected nothing to post, found ${outbox.found} / ${scan.found}`);
    }
    console.log(
      `${String(entries).padStart(9)} entries (filled in ${fillSeconds.toFixed(1)} s): ` +
        `outbox read ${outbox.ms.toFixed(2)} ms, whole-timeline scan ${scan.ms.toFixed(1)} ms`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
