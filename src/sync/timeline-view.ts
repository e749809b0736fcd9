/**
 * One person's timeline as the user reads it (`ttsync timeline <email|contactId>`): the entries
 * of the person link and of its child links (notes, tasks, appointments), oldest first, each
 * with its original timestamp as the source wrote it (time zone kept) where there is one.
 */
import type { Kysely } from 'kysely';
import { getLink, listChildLinks } from '../store/links.ts';
import type { Link } from '../store/links.ts';
import { listTimeline } from '../store/records.ts';
import type { Database } from '../store/schema.ts';

/** One line of the timeline. */
export interface TimelineRow {
  /** Epoch ms, the sort key. */
  occurredAt: number;
  /** The source's own timestamp string (its time zone kept), else the instant in UTC. */
  when: string;
  /** Whether `when` is the source's original string. */
  original: boolean;
  source: string;
  kind: string;
  summary: string;
  /** The kind of record the entry belongs to: person, note, task, appointment. */
  record: Link['kind'];
}

/** A person and their timeline. */
export interface PersonTimeline {
  person: Link;
  rows: TimelineRow[];
}

/**
 * The person `who` names: a GHL contact id, or an email found in the last synced GHL snapshot
 * of a person (case does not matter). Undefined when there is none.
 */
export async function findPerson(db: Kysely<Database>, who: string): Promise<Link | undefined> {
  const wanted = who.trim();
  if (wanted.includes('@')) {
    const email = wanted.toLowerCase();
    const candidates = await db
      .selectFrom('snapshots')
      .innerJoin('links', 'links.id', 'snapshots.link_id')
      .select(['links.id as id', 'snapshots.data as data'])
      .where('links.kind', '=', 'person')
      .where('snapshots.side', '=', 'ghl')
      .where('snapshots.data', 'like', `%${email}%`)
      .execute();
    const match = candidates.find((row) => {
      const data = JSON.parse(row.data) as { email?: unknown };
      return typeof data.email === 'string' && data.email.toLowerCase() === email;
    });
    return match ? getLink(db, match.id) : undefined;
  }
  const row = await db
    .selectFrom('links')
    .select('id')
    .where('kind', '=', 'person')
    .where('ghl_id', '=', wanted)
    .executeTakeFirst();
  return row ? getLink(db, row.id) : undefined;
}

/** The timeline of the person `who` names (see `findPerson`), oldest first. */
export async function personTimeline(
  db: Kysely<Database>,
  who: string,
): Promise<PersonTimeline | undefined> {
  const person = await findPerson(db, who);
  if (!person) return undefined;
  const links = [person, ...(await listChildLinks(db, person.id))];
  const rows: TimelineRow[] = [];
  for (const link of links) {
    for (const entry of await listTimeline(db, link.id)) {
      rows.push({
        occurredAt: entry.occurredAt,
        when: entry.occurredRaw ?? new Date(entry.occurredAt).toISOString(),
        original: entry.occurredRaw !== undefined,
        source: entry.source,
        kind: entry.kind,
        summary: entry.summary,
        record: link.kind,
      });
    }
  }
  // Stable: entries at the same instant keep their per-link recorded order.
  rows.sort((a, b) => a.occurredAt - b.occurredAt);
  return { person, rows };
}
