/**
 * `ttsync serve | worker | migrate | backfill contacts`: thin wrappers over `Ttsync`.
 */
import { parseArgs } from 'node:util';
import { Ttsync } from '../app.ts';
import type { Endpoints } from '../app.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../shared/logger.ts';
import type { Logger } from '../shared/logger.ts';
import { openStore } from '../store/database.ts';
import { repairActivityOutbox } from '../store/timeline-posts.ts';
import { join } from 'node:path';
import type { BackfillProgress } from '../sync/backfill.ts';
import { stoppedExit, untilSignal } from './signals.ts';

/** The process logger for `config` (to stdout, or to `file`). */
export function processLogger(config: Config, name: string, file?: string): Logger {
  return createLogger({ level: config.LOG_LEVEL, name, ...(file ? { file } : {}) });
}

/**
 * `ttsync migrate`: brings the database schema up to date and says what it did; then puts in the
 * activity outbox any GHL-side entry an older ttsync wrote without one (`repairActivityOutbox`).
 */
export async function migrate(config: Config): Promise<number> {
  const store = await openStore({
    databaseUrl: config.DATABASE_URL,
    sqlitePath: join(config.TTSYNC_DATA_DIR, 'ttsync.db'),
  });
  try {
    const { applied, known } = store.migrations;
    console.log(
      applied.length > 0
        ? `Migrated ${store.location}: applied ${applied.join(', ')}.`
        : `${store.location} is up to date (${known.length} migration${known.length === 1 ? '' : 's'}).`,
    );
    const requeued = await repairActivityOutbox(store.db);
    if (requeued > 0) {
      console.log(
        `Put ${requeued} GHL-side timeline entr${requeued === 1 ? 'y' : 'ies'} written by an ` +
          "older ttsync in the outbox of Tenant Turner's activities; the next poll posts them.",
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** `ttsync serve [--port N] [--no-work]`: ingress, dispatcher and (unless --no-work) workers. */
export async function serve(
  config: Config,
  argv: string[],
  endpoints?: Endpoints,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, 'no-work': { type: 'boolean' } },
    strict: true,
  });
  const logger = processLogger(config, 'ttsync');
  const app = await Ttsync.open({ config, logger, ...(endpoints ? { endpoints } : {}) });
  const url = await app.serve({
    port: values.port !== undefined ? Number(values.port) : config.PORT,
    host: config.HOST,
    work: !values['no-work'],
  });
  console.log(`ttsync serving on ${url} (webhooks: ${url}/webhooks/ghl, health: ${url}/readyz)`);
  await untilSignal();
  await app.close();
  return 0;
}

/**
 * `ttsync connect ghl`: serves the OAuth routes, says which URL to open, and returns once GHL has
 * sent the user back and the token pair is stored (or on Ctrl+C).
 */
export async function connect(config: Config, argv: string[]): Promise<number> {
  if (argv[0] !== 'ghl') {
    console.error('Usage: ttsync connect ghl');
    return 2;
  }
  const logger = processLogger(config, 'ttsync-connect');
  const app = await Ttsync.open({ config, logger });
  try {
    if (!app.usesGhlOAuth) {
      console.error(
        'ttsync: GHL is not configured for OAuth: set GHL_CLIENT_ID, GHL_CLIENT_SECRET and ' +
          'GHL_LOCATION_ID (docs/configuration.md). A Private Integration token needs no connecting.',
      );
      return 1;
    }
    const startedAt = Date.now();
    const url = await app.serve({ port: config.PORT, host: config.HOST, work: false });
    console.log(
      `Open ${url}/oauth/ghl/start in a browser and choose location ${app.locationId}.
` +
        `GHL must send the user back to ${config.GHL_REDIRECT_URI ?? `${url}/oauth/ghl/callback`} ` +
        '(the redirect URI of your Marketplace app). Waiting; Ctrl+C to give up.',
    );
    const stop = new AbortController();
    void untilSignal().then(() => stop.abort());
    while (!stop.signal.aborted) {
      const row = await app.store.db
        .selectFrom('connections')
        .select('updated_at')
        .where('id', '=', `ghl:${app.locationId}`)
        .executeTakeFirst();
      if (row && row.updated_at >= startedAt) {
        console.log(`Connected: GHL location ${app.locationId}; tokens stored encrypted.`);
        return 0;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    console.error('ttsync: not connected (stopped before GHL sent the user back).');
    return 1;
  } finally {
    await app.close();
  }
}

/** `ttsync worker`: runs jobs only (PostgreSQL mode, any number of them). */
export async function worker(config: Config): Promise<number> {
  const logger = processLogger(config, 'ttsync-worker');
  const app = await Ttsync.open({ config, logger });
  await app.work();
  console.log(`ttsync worker running on ${app.store.location}; Ctrl+C to stop.`);
  await untilSignal();
  await app.close();
  return 0;
}

/** `ttsync backfill contacts [--restart] [--concurrency N]`. */
export async function backfill(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      restart: { type: 'boolean' },
      concurrency: { type: 'string' },
      'page-size': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] !== 'contacts') {
    console.error(
      'Usage: ttsync backfill contacts [--restart] [--concurrency N] [--page-size 1..500]',
    );
    return 2;
  }
  const logger = processLogger(config, 'ttsync-backfill');
  const app = await Ttsync.open({ config, logger });
  const stop = new AbortController();
  void untilSignal().then(() => stop.abort());
  try {
    const result = await app.backfill({
      ...(values.restart ? { restart: true } : {}),
      ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
      ...(values['page-size'] ? { pageLimit: Number(values['page-size']) } : {}),
      onProgress: (p) => console.log(progressLine(p)),
      signal: stop.signal,
    });
    console.log(`Backfill done: ${progressLine(result)}`);
    return 0;
  } catch (error) {
    return stoppedExit(
      stop.signal,
      error,
      'every finished page is checkpointed: run the same command to go on',
    );
  } finally {
    await app.close();
  }
}

/** One line of backfill progress. */
export function progressLine(p: BackfillProgress): string {
  const o = p.outcomes;
  const total = p.total !== undefined ? ` of ${p.total}` : '';
  const rate = p.elapsedMs > 0 ? ` (${((p.contacts * 1000) / p.elapsedMs).toFixed(0)}/s)` : '';
  return (
    `${p.contacts}${total} contacts${rate}${p.resumed ? ', resumed' : ''}: ` +
    `${o.created} created, ${o.linked_existing} linked, ${o.updated} updated, ` +
    `${o.not_applied} not applied, ${o.unchanged} unchanged, ${o.skipped} skipped, ${o.failed} queued for retry`
  );
}
