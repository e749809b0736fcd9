/**
 * Sync test wiring: both sandboxes on port 0, the two clients pointed at them, and the contact
 * sync's dependencies on a given store.
 */
import { PrivateIntegrationAuth } from '../../src/ghl/auth.ts';
import { GhlClient } from '../../src/ghl/client.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { systemClock } from '../../src/shared/clock.ts';
import type { Store } from '../../src/store/database.ts';
import type { InboxEntry } from '../../src/store/inbox.ts';
import type { ContactSyncDeps } from '../../src/sync/contact-sync.ts';
import { parseMapping } from '../../src/sync/mapping-config.ts';
import { RentalDirectory } from '../../src/sync/rental-directory.ts';
import { TenantTurnerClient } from '../../src/tenant-turner/client.ts';
import { startTtSandbox } from '../../sandbox/tenant-turner/index.ts';
import type { TtSandbox, TtSandboxOptions } from '../../sandbox/tenant-turner/index.ts';
import type { GhlSandbox } from '../../sandbox/ghl/index.ts';
import { READ_WRITE, sandbox } from './ghl-harness.ts';

/** A GHL sandbox and a Tenant Turner sandbox, with clients for both. */
export interface Sandboxes {
  ghlBox: GhlSandbox;
  ttBox: TtSandbox;
  ghl: GhlClient;
  tt: TenantTurnerClient;
  close(): Promise<void>;
}

/** Starts both sandboxes (TT without seeded leads, so every lead is ttsync's). */
export async function startSandboxes(tt: TtSandboxOptions = {}, contacts = 20): Promise<Sandboxes> {
  const [ghlBox, ttBox] = await Promise.all([
    sandbox({ contacts }),
    startTtSandbox({ leads: 0, showings: 0, rentals: 5, ...tt }),
  ]);
  const { accessToken } = ghlBox.mintToken({ scopes: READ_WRITE, kind: 'pit' });
  const ghl = new GhlClient({
    auth: new PrivateIntegrationAuth({ token: accessToken }),
    baseUrl: ghlBox.url,
    retryBaseMs: 5,
    retryMaxMs: 50,
  });
  const ttClient = new TenantTurnerClient({
    apiKey: ttBox.apiKey,
    baseUrl: ttBox.url,
    requestsPerSecond: 0,
    retryBaseMs: 5,
    retryMaxMs: 50,
    timeoutMs: 2_000,
  });
  return {
    ghlBox,
    ttBox,
    ghl,
    tt: ttClient,
    async close() {
      ghl.stop();
      ttClient.stop();
      await Promise.all([ghlBox.close(), ttBox.close()]);
    },
  };
}

/** The contact sync's dependencies on `store`, with the default mapping unless given. */
export function syncDeps(store: Store, boxes: Sandboxes, mapping: unknown = {}): ContactSyncDeps {
  return {
    db: store.db,
    ghl: boxes.ghl,
    tt: boxes.tt,
    mapping: parseMapping(mapping),
    rentals: new RentalDirectory({ tt: boxes.tt, clock: systemClock }),
    clock: systemClock,
    logger: silentLogger,
  };
}

/**
 * The environment a `ttsync` command run as a process needs to reach `boxes` (a PIT with
 * read-write scopes, Tenant Turner unthrottled), its SQLite store in `dataDir`, warnings only.
 */
export function cliEnv(boxes: Sandboxes, dataDir: string): Record<string, string> {
  return {
    GHL_BASE_URL: boxes.ghlBox.url,
    GHL_PRIVATE_TOKEN: boxes.ghlBox.mintToken({ scopes: READ_WRITE, kind: 'pit' }).accessToken,
    GHL_LOCATION_ID: boxes.ghlBox.locationId,
    TT_BASE_URL: boxes.ttBox.url,
    TT_API_KEY: boxes.ttBox.apiKey,
    TT_REQUESTS_PER_SECOND: '0',
    TTSYNC_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
}

/**
 * A stored GHL webhook as the dispatcher reads it from the inbox: `{ type: eventType, ...payload }`
 * as its body, `locationId` on the row only where the test sets one.
 */
export function ghlInboxEntry(
  eventType: string,
  eventId: string,
  payload: Record<string, unknown>,
  locationId?: string,
): InboxEntry {
  return {
    id: 1,
    status: 'received',
    provider: 'ghl',
    eventId,
    eventType,
    locationId,
    payload: JSON.stringify({ type: eventType, ...payload }),
    receivedAt: 0,
  };
}
