/**
 * `ttsync timeline <email|contactId>`: prints one person's timeline, both sides merged, oldest
 * first, with the original timestamps and time zones, and after each GHL-side entry what became
 * of it on Tenant Turner's activity timeline. Opens the store only; no GHL or Tenant Turner calls.
 */
import { storeFileFor } from '../config.ts';
import type { Config } from '../config.ts';
import { openStore } from '../store/database.ts';
import { personTimeline } from '../sync/timeline-view.ts';
import type { TimelineRow } from '../sync/timeline-view.ts';

/** Runs the command; resolves with the exit code. */
export async function timeline(config: Config, argv: string[]): Promise<number> {
  const [who, extra] = argv;
  if (!who || extra !== undefined) {
    console.error('Usage: ttsync timeline <email|contactId>');
    return 2;
  }
  const file = storeFileFor(config);
  if (file.problem) {
    console.error(`ttsync timeline: ${file.problem}`);
    return 1;
  }
  const store = await openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: file.path });
  try {
    const found = await personTimeline(store.db, who);
    if (!found) {
      console.error(
        `No synced person matches "${who}" (a GHL contact id, or an email) in ${store.location}` +
          (file.sandbox
            ? ': no credentials are configured, so this is the database `ttsync start` ran the ' +
              'sandboxes on.'
            : '.'),
      );
      return 1;
    }
    const { person, rows } = found;
    console.log(
      `Timeline of GHL contact ${person.ghlId ?? '?'} (Tenant Turner lead ${person.ttId ?? 'none'}, ` +
        `${person.state}): ${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}, oldest first`,
    );
    for (const row of rows) {
      console.log(
        `${row.when.padEnd(29)} ${row.source.padEnd(7)} ${row.kind.padEnd(24)} ${row.summary}${postNote(row)}`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** What became of a GHL-side entry on Tenant Turner's activity timeline, as a suffix. */
export function postNote(row: TimelineRow): string {
  if (row.source !== 'ghl') return '';
  const post = row.post;
  if (post === undefined) return ' [TT activity: not posted yet]';
  if (post.state === 'posted') return ` [TT activity ${post.activityId ?? '?'}]`;
  if (post.state === 'not_applied') return ` [${post.detail ?? 'not posted'}]`;
  return ` [TT activity refused: ${post.detail ?? 'see the log'}]`;
}
