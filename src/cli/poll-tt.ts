/**
 * `ttsync poll tt [--page-size N] [--lookback-ms N]`: one cycle of the Tenant Turner side: leads
 * and showings changed since the last poll onto the linked persons' timelines, then the GHL-side
 * timeline entries not posted yet onto Tenant Turner's activities (where the account has them).
 * Prints what each part did.
 */
import { parseArgs } from 'node:util';
import { Ttsync } from '../app.ts';
import type { Config } from '../config.ts';
import type { ActivityPostResult } from '../sync/tt-activities.ts';
import type { TtStreamResult } from '../sync/tt-poll.ts';
import { ttCycle } from '../sync/tt-poller.ts';
import { processLogger } from './commands.ts';
import { stoppedExit, untilSignal } from './signals.ts';

const USAGE = 'Usage: ttsync poll tt [--page-size 1..100] [--lookback-ms N]';

/** Runs the command; resolves with the exit code. */
export async function pollTt(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'page-size': { type: 'string' }, 'lookback-ms': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const pageSize = values['page-size'];
  const lookback = values['lookback-ms'];
  if (positionals.length > 0) {
    console.error(USAGE);
    return 2;
  }
  if ([pageSize, lookback].some((v) => v !== undefined && !/^\d+$/.test(v))) {
    console.error(`ttsync: --page-size and --lookback-ms take whole numbers.\n${USAGE}`);
    return 2;
  }
  const logger = processLogger(config, 'ttsync-poll');
  const app = await Ttsync.open({ config, logger });
  const stop = new AbortController();
  void untilSignal().then(() => stop.abort());
  try {
    const result = await ttCycle(app.deps, {
      signal: stop.signal,
      ...(pageSize !== undefined ? { pageSize: Number(pageSize) } : {}),
      ...(lookback !== undefined ? { lookbackMs: Number(lookback) } : {}),
    });
    console.log(streamLine('leads', result.poll.leads));
    console.log(streamLine('showings', result.poll.showings));
    console.log(activitiesLine(result.activities));
    return 0;
  } catch (error) {
    return stoppedExit(
      stop.signal,
      error,
      'each page that finished is kept with its cursor: run it again to go on',
    );
  } finally {
    await app.close();
  }
}

/** One line saying what a stream's poll did. */
export function streamLine(name: string, r: TtStreamResult): string {
  const since =
    r.since === undefined ? 'the earliest date allowed' : new Date(r.since).toISOString();
  const cursor = r.cursor === undefined ? 'none yet' : new Date(r.cursor).toISOString();
  return (
    `Polled Tenant Turner ${name} updated since ${since}: ${r.seen} found ` +
    `(${r.alreadySeen} already seen) on ${r.pages} page${r.pages === 1 ? '' : 's'}: ` +
    `${r.recorded} recorded on the timeline, ${r.unchanged} unchanged, ` +
    `${r.unlinked} not linked to a GHL contact; cursor ${cursor}`
  );
}

/** One line saying what the activity posting did. */
export function activitiesLine(r: ActivityPostResult): string {
  return (
    `Timeline activities: ${r.posted} posted to Tenant Turner, ${r.alreadyPosted} already there, ` +
    `${r.notApplied} not posted (the account has no activity timeline), ${r.failed} refused`
  );
}
