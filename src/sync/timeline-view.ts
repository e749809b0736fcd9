/**
 * One person's timeline as the user reads it (`ttsync timeline <email|contactId>`): the entries
 * of the person link and of its child links (notes, tasks, appointments), from both sides (GHL
 * and ttsync's own entries, and Tenant Turner's lead and showing changes), merged oldest first,
 * each with its original timestamp as the source wrote it (time zone kept) where there is one,
 * and, for GHL-side entries, what became of them on Tenant Turner's activity timeline.
 */
import type { Kysely } from 'kysely';
import { getLink, listChildLinks } from '../store/links.ts';
import type { Link } from '../store/links.ts';
import type { Database } from '../store/schema.ts';
import { listEntriesWithPosts } from '../store/timeline-entries.ts';
import type { TimelinePost } from '../store/timeline-entries.ts';

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
  /** For a GHL-side entry: posted to Tenant Turner's activities, not posted, or not yet (undefined). */
  post: TimelinePost | undefined;
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
  const kindOf = new Map(links.map((link) => [link.id, link.kind]));
  // One query for all links, oldest first; entries at one instant stay in recorded order.
  const entries = await listEntriesWithPosts(
    db,
    links.map((link) => link.id),
  );
  const rows: TimelineRow[] = entries.map((entry) => ({
    occurredAt: entry.occurredAt,
    when: entry.occurredRaw ?? new Date(entry.occurredAt).toISOString(),
    original: entry.occurredRaw !== undefined,
    source: entry.source,
    kind: entry.kind,
    summary: entry.summary,
    record: kindOf.get(entry.linkId) ?? 'person',
    post: entry.post,
  }));
  return { person, rows };
}
