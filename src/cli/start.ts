/**
 * `ttsync start`, the main job. With credentials configured it serves and syncs the real
 * accounts (and backfills contacts once at start). Without them it starts both sandboxes,
 * points ttsync at them on a fresh embedded database, syncs the sample contacts and says where
 * to look.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Ttsync } from '../app.ts';
import type { Endpoints } from '../app.ts';
import type { Config } from '../config.ts';
import { ghlAuthMode, sandboxDataDir } from '../config.ts';
import { AppError } from '../shared/errors.ts';
import { processLogger, progressLine } from './commands.ts';
import { untilSignal } from './signals.ts';

/** The sandboxes, as the bin provides them (src never imports sandbox/). */
export interface DemoSandboxes {
  endpoints: Endpoints;
  subscribeGhlWebhooks(url: string): Promise<void>;
  subscribeTtWebhooks(url: string): void;
  close(): Promise<void>;
}

export type StartDemo = () => Promise<DemoSandboxes>;

/** Runs the main job until SIGINT/SIGTERM. */
export async function start(config: Config, startDemo: StartDemo | undefined): Promise<number> {
  const real = ghlAuthMode(config) !== 'sandbox';
  if (!real && !startDemo) {
    console.error('No credentials configured and no sandboxes in this build; see README.md.');
    return 1;
  }
  // Before anything else: a second `ttsync start` must not reset the first one's data.
  await assertPortFree(config.PORT, config.HOST);
  let demo: DemoSandboxes | undefined;
  let effective = config;
  if (!real && startDemo) {
    console.log('ttsync start: no credentials configured, so ttsync runs against the sandboxes.');
    demo = await startDemo();
    // The sandboxes start empty each time, so their ttsync database does too.
    const dataDir = sandboxDataDir(config);
    rmSync(dataDir, { recursive: true, force: true });
    // The sandbox has no budget to protect: no self-throttle toward it.
    effective = {
      ...config,
      TTSYNC_DATA_DIR: dataDir,
      DATABASE_URL: undefined,
      TT_REQUESTS_PER_SECOND: 0,
    };
  }
  // The console is for the summary; the log goes to a file next to the database.
  const logFile = join(effective.TTSYNC_DATA_DIR, 'ttsync.log');
  const logger = processLogger(effective, 'ttsync', logFile);
  const app = await Ttsync.open({
    config: effective,
    logger,
    ...(demo ? { endpoints: demo.endpoints } : {}),
  });
  try {
    // The polls start after the first backfill, so they do not race it for the same contacts.
    const url = await app.serve({
      port: effective.PORT,
      host: effective.HOST,
      work: true,
      background: false,
    });
    if (demo) {
      await demo.subscribeGhlWebhooks(`${url}/webhooks/ghl`);
      demo.subscribeTtWebhooks(`${url}/webhooks/tt`);
    }
    console.log(`ttsync serving on ${url}; backfilling contacts of location ${app.locationId}…`);
    const result = await app.backfill({ onProgress: (p) => console.log(`  ${progressLine(p)}`) });
    console.log(`Contacts synced: ${progressLine(result)}`);
    app.startBackground();
    console.log(whereToLook(url, app, demo, logFile));
    await untilSignal();
  } finally {
    await app.close();
    await demo?.close();
  }
  return 0;
}

/** Fails with what to do when `port` is taken (port 0 is always free). */
async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new AppError(
        'config_invalid',
        `Port ${port} on ${host} is already in use (another ttsync?): stop that process or set ` +
          'PORT to a free port.',
        { cause: error },
      );
    }
    throw error;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function whereToLook(
  url: string,
  app: Ttsync,
  demo: DemoSandboxes | undefined,
  logFile: string,
): string {
  const lines = [
    'Where to look:',
    `  ttsync health        ${url}/readyz`,
    `  database             ${app.store.location}`,
    `  log                  ${logFile}`,
  ];
  if (demo) {
    const ghl = demo.endpoints.ghl.baseUrl;
    const tt = demo.endpoints.tt.baseUrl;
    lines.push(
      `  GHL sandbox          ${ghl}  (location ${demo.endpoints.ghl.locationId})`,
      `  Tenant Turner leads  ${tt}/__sandbox/state`,
      '  Try a change: create a contact in the GHL sandbox and watch its lead appear:',
      `    curl -s -X POST ${ghl}/contacts/ -H 'Authorization: Bearer ${demo.endpoints.ghl.token}' \\`,
      `      -H 'Version: 2021-07-28' -H 'Content-Type: application/json' \\`,
      `      -d '{"locationId":"${demo.endpoints.ghl.locationId}","firstName":"Dana","email":"dana@example.com","phone":"+14155550199"}'`,
      "  Then, in another terminal (without credentials these read the sandboxes' database):",
      '    npx ttsync timeline dana@example.com    her timeline, both sides',
      '    npx ttsync jobs                         the job queue and any dead jobs',
    );
  }
  lines.push('Press Ctrl+C to stop.');
  return lines.join('\n');
}
