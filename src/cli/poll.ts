/**
 * `ttsync poll contacts [--lookback-ms N] [--page-size N]`: one incremental poll of the GHL
 * contacts changed since the last poll (the first one looks back from now), synced to Tenant
 * Turner; prints what it synced. A contact that fails is handed to the job queue, as in a backfill.
 */
import { parseArgs } from 'node:util';
import { Ttsync } from '../app.ts';
import type { Config } from '../config.ts';
import { pollContacts } from '../sync/contact-poll.ts';
import type { PollResult } from '../sync/contact-poll.ts';
import { processLogger } from './commands.ts';
import { pollTt } from './poll-tt.ts';
import { untilSignal } from './signals.ts';

const USAGE = 'Usage: ttsync poll contacts [--lookback-ms N] [--page-size 1..500]';

/** Runs the command; resolves with the exit code. */
export async function poll(config: Config, argv: string[]): Promise<number> {
  if (argv[0] === 'tt') return pollTt(config, argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'lookback-ms': { type: 'string' }, 'page-size': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] !== 'contacts' || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const lookback = values['lookback-ms'];
  const pageSize = values['page-size'];
  if ([lookback, pageSize].some((v) => v !== undefined && !/^\d+$/.test(v))) {
    console.error(`ttsync: --lookback-ms and --page-size take whole numbers.\n${USAGE}`);
    return 2;
  }
  const logger = processLogger(config, 'ttsync-poll');
  const app = await Ttsync.open({ config, logger });
  const stop = new AbortController();
  void untilSignal().then(() => stop.abort());
  try {
    const result = await pollContacts(app.deps, {
      locationId: app.locationId,
      queue: app.queue,
      signal: stop.signal,
      ...(lookback !== undefined ? { lookbackMs: Number(lookback) } : {}),
      ...(pageSize !== undefined ? { pageLimit: Number(pageSize) } : {}),
    });
    console.log(pollLine(result));
    return 0;
  } finally {
    await app.close();
  }
}

/** One line saying what a poll did. */
export function pollLine(r: PollResult): string {
  const o = r.outcomes;
  const cursor = r.cursor === undefined ? 'none yet' : new Date(r.cursor).toISOString();
  return (
    `Polled contacts updated since ${new Date(r.since).toISOString()}: ${r.seen} found ` +
    `(${r.alreadySeen} already seen) on ${r.pages} page${r.pages === 1 ? '' : 's'}: ` +
    `${o.created} created, ${o.linked_existing} linked, ${o.updated} updated, ` +
    `${o.not_applied} not applied, ${o.unchanged} unchanged, ${o.unlinked} unlinked, ` +
    `${o.skipped} skipped, ${o.failed} queued for retry; cursor ${cursor}`
  );
}
