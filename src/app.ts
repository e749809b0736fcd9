/**
 * The composition root (ARCHITECTURE.md §3): config → store → queue → clients → sync → server.
 * `Ttsync.open` builds everything from a config (plus, in sandbox mode, the sandboxes'
 * addresses and credentials); `serve`, `work` and `backfill` run the parts a command needs.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { OAuthAuth, PrivateIntegrationAuth } from './ghl/auth.ts';
import type { GhlAuth } from './ghl/auth.ts';
import { GhlClient } from './ghl/client.ts';
import { GhlWebhookVerifier } from './ghl/webhook-verify.ts';
import { createJobQueue } from './queue/index.ts';
import type { JobQueue } from './queue/index.ts';
import { buildServer } from './server/app.ts';
import type { ServerOptions } from './server/app.ts';
import { systemClock } from './shared/clock.ts';
import type { Clock } from './shared/clock.ts';
import { AppError } from './shared/errors.ts';
import type { Logger } from './shared/logger.ts';
import { SecretBox } from './shared/secret-box.ts';
import { openStore } from './store/database.ts';
import type { Store } from './store/database.ts';
import { loadSecretKey } from './store/secret-key.ts';
import { DbTokenStore } from './store/token-store.ts';
import { backfillContacts } from './sync/backfill.ts';
import type { BackfillOptions, BackfillProgress } from './sync/backfill.ts';
import { runBackfill } from './sync/backfill-run.ts';
import type { BackfillReport, FullBackfillOptions } from './sync/backfill-run.ts';
import type { ContactSyncDeps } from './sync/contact-sync.ts';
import type { Poller } from './sync/poll-loop.ts';
import { startPollers } from './sync/poll-streams.ts';
import { InboxDispatcher } from './sync/dispatcher.ts';
import { registerSyncHandlers } from './sync/jobs.ts';
import { loadMappingFile, parseMapping } from './sync/mapping-config.ts';
import { RentalDirectory } from './sync/rental-directory.ts';
import { TenantTurnerClient } from './tenant-turner/client.ts';
import { TtWebhookVerifier } from './tenant-turner/webhook-verify.ts';
import { registerTtTimelineHandler } from './sync/tt-event-job.ts';
import { startTtPoller } from './sync/tt-poller.ts';
import { startReconciler } from './sync/reconcile-schedule.ts';
import type { Reconciler } from './sync/reconcile-schedule.ts';
import type { TtPoller } from './sync/tt-poller.ts';

/** What ttsync asks GHL for when connected through OAuth (ghl-api.md §3). */
export const GHL_OAUTH_SCOPES = [
  'contacts.readonly',
  'contacts.write',
  'locations/tasks.readonly',
  'calendars.readonly',
  'calendars/events.readonly',
  'users.readonly',
];

/** Where the two services are, when they are not the ones in the config (sandbox mode). */
export interface Endpoints {
  ghl: { baseUrl: string; locationId: string; token: string; webhookPublicKeys: string[] };
  tt: { baseUrl: string; apiKey: string; webhookSigningKey?: string };
}

export interface TtsyncOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Use these instead of the config's credentials (the sandboxes of `ttsync start`). */
  endpoints?: Endpoints;
}

/** A running ttsync: store, clients, queue and sync, ready to serve, work or backfill. */
export class Ttsync {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly deps: ContactSyncDeps;
  readonly locationId: string;
  readonly #options: TtsyncOptions;
  readonly #dispatcher: InboxDispatcher;
  readonly #verifier: GhlWebhookVerifier;
  readonly #oauth: ServerOptions['ghlOAuth'];
  readonly #ttVerifier: TtWebhookVerifier | undefined;
  #ttPoller: TtPoller | undefined;
  #reconciler: Reconciler | undefined;
  #stopServer: (() => Promise<void>) | undefined;
  #poller: Poller | undefined;

  private constructor(
    options: TtsyncOptions,
    parts: {
      store: Store;
      queue: JobQueue;
      deps: ContactSyncDeps;
      locationId: string;
      verifier: GhlWebhookVerifier;
      oauth: ServerOptions['ghlOAuth'];
      ttVerifier?: TtWebhookVerifier | undefined;
    },
  ) {
    this.#ttVerifier = parts.ttVerifier;
    this.#options = options;
    this.store = parts.store;
    this.queue = parts.queue;
    this.deps = parts.deps;
    this.locationId = parts.locationId;
    this.#verifier = parts.verifier;
    this.#oauth = parts.oauth;
    this.#dispatcher = new InboxDispatcher({
      db: parts.store.db,
      queue: parts.queue,
      clock: parts.deps.clock,
      logger: options.logger.child({ part: 'dispatcher' }),
      retentionMs: options.config.TTSYNC_INBOX_RETENTION_DAYS * 86_400_000,
    });
  }

  /** Opens the database (migrating it), loads the mapping and builds the clients and queue. */
  static async open(options: TtsyncOptions): Promise<Ttsync> {
    const { config, logger } = options;
    const clock = options.clock ?? systemClock;
    const mapping = config.TTSYNC_MAPPING_FILE
      ? loadMappingFile(config.TTSYNC_MAPPING_FILE)
      : parseMapping({});
    const store = await openStore({
      databaseUrl: config.DATABASE_URL,
      sqlitePath: join(config.TTSYNC_DATA_DIR, 'ttsync.db'),
      sqliteSynchronous: config.SQLITE_SYNCHRONOUS,
      sqliteBusyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS,
    });
    try {
      const key = loadSecretKey(
        config.TTSYNC_SECRET_KEY,
        join(config.TTSYNC_DATA_DIR, 'secret.key'),
      );
      const box = new SecretBox(key.key);
      const ghlSide = ghlAuth(options, store, box, clock);
      const ghl = new GhlClient({
        auth: ghlSide.auth,
        baseUrl: options.endpoints?.ghl.baseUrl ?? config.GHL_BASE_URL,
        clock,
        logger: logger.child({ provider: 'ghl' }),
        timeoutMs: config.GHL_TIMEOUT_MS,
        maxRetries: config.GHL_MAX_RETRIES,
        rateLimit: {
          max: config.GHL_RATE_LIMIT_MAX,
          windowMs: config.GHL_RATE_LIMIT_WINDOW_MS,
          daily: config.GHL_RATE_LIMIT_DAILY,
        },
      });
      const ttKey = options.endpoints?.tt.apiKey ?? config.TT_API_KEY;
      if (!ttKey) throw missingCredentials();
      const tt = new TenantTurnerClient({
        apiKey: ttKey,
        baseUrl: options.endpoints?.tt.baseUrl ?? config.TT_BASE_URL,
        clock,
        logger,
        capabilities: config.TT_CAPABILITIES,
        requestsPerSecond: config.TT_REQUESTS_PER_SECOND,
      });
      const queue = createJobQueue({
        store,
        logger: logger.child({ part: 'queue' }),
        clock,
        concurrency: config.TTSYNC_WORKER_CONCURRENCY,
        ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
      });
      const deps: ContactSyncDeps = {
        db: store.db,
        ghl,
        tt,
        mapping,
        rentals: new RentalDirectory({ tt, clock }),
        clock,
        logger: logger.child({ part: 'sync' }),
      };
      registerSyncHandlers(queue, deps);
      registerTtTimelineHandler(queue, deps);
      const ttSigningKey = options.endpoints?.tt.webhookSigningKey ?? config.TT_WEBHOOK_SIGNING_KEY;
      const ttVerifier = ttSigningKey
        ? new TtWebhookVerifier({ signingKeys: [ttSigningKey], logger })
        : undefined;
      const verifier = new GhlWebhookVerifier({
        ...(options.endpoints
          ? { publicKeys: options.endpoints.ghl.webhookPublicKeys, legacyRsaPublicKeys: [] }
          : config.GHL_WEBHOOK_PUBLIC_KEYS
            ? { publicKeys: config.GHL_WEBHOOK_PUBLIC_KEYS }
            : {}),
        maxSkewMs: config.GHL_WEBHOOK_MAX_SKEW_MS,
        clock,
      });
      logger.info(
        {
          database: store.location,
          dialect: store.dialect,
          migrations: store.migrations.applied,
          secretKey: key.source,
          mappingVersion: mapping.version,
          ghlAuth: ghlSide.auth.kind,
        },
        'ttsync ready',
      );
      const oauth =
        ghlSide.auth instanceof OAuthAuth
          ? {
              auth: ghlSide.auth,
              scopes: GHL_OAUTH_SCOPES,
              stateKey: createHmac('sha256', key.key).update('ghl-oauth-state').digest(),
              redirectUri: config.GHL_REDIRECT_URI,
              locationId: ghlSide.locationId,
            }
          : undefined;
      return new Ttsync(options, {
        store,
        queue,
        deps,
        locationId: ghlSide.locationId,
        verifier,
        oauth,
        ttVerifier,
      });
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /**
   * Starts ingress (and, with `work`, the dispatcher and workers); resolves with the URL. Unless
   * `background` is false, the polls and the scheduled reconcile start too (`startBackground`).
   */
  async serve(options: {
    port: number;
    host: string;
    work: boolean;
    background?: boolean;
  }): Promise<string> {
    const app = buildServer({
      store: this.store,
      ghlVerifier: this.#verifier,
      ttVerifier: this.#ttVerifier,
      clock: this.deps.clock,
      logger: this.#options.logger.child({ part: 'server' }),
      onWebhookStored: () => this.#dispatcher.wake(),
      ...(this.#oauth ? { ghlOAuth: this.#oauth } : {}),
    });
    let url: string;
    try {
      url = await app.listen({ port: options.port, host: options.host });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new AppError(
          'config_invalid',
          `Port ${options.port} on ${options.host} is already in use (another ttsync?): stop ` +
            'that process or set PORT to a free port.',
          { cause: error },
        );
      }
      throw error;
    }
    this.#stopServer = () => app.close();
    this.#dispatcher.start();
    if (options.work) await this.queue.start();
    if (options.background !== false) this.startBackground();
    return url;
  }

  /**
   * The polls (GHL streams, Tenant Turner) and the scheduled reconcile. `ttsync start` calls it
   * after its first backfill, so the polls do not race the backfill for the same contacts.
   */
  startBackground(): void {
    if (this.#poller) return;
    // Catches what webhooks miss (GHL drops any delivery not answered 429; no TaskUpdate event).
    const config = this.#options.config;
    this.#poller = startPollers(this.deps, {
      locationId: this.locationId,
      queue: this.queue,
      clock: this.deps.clock,
      logger: this.#options.logger.child({ part: 'poller' }),
      settings: {
        contactsIntervalMs: config.TTSYNC_POLL_INTERVAL_MS,
        tasksIntervalMs: config.TTSYNC_TASK_POLL_INTERVAL_MS,
        appointmentsIntervalMs: config.TTSYNC_APPOINTMENT_POLL_INTERVAL_MS,
        budgetShare: config.TTSYNC_POLL_BUDGET_SHARE,
        appointmentDaysBack: config.TTSYNC_APPOINTMENT_POLL_DAYS_BACK,
        appointmentDaysAhead: config.TTSYNC_APPOINTMENT_POLL_DAYS_AHEAD,
      },
    });
    const ttIntervalMs = this.#options.config.TT_POLL_INTERVAL_MS;
    if (ttIntervalMs > 0) {
      // Tenant Turner publishes no webhook retry contract: lead and showing changes are polled.
      this.#ttPoller = startTtPoller(this.deps, {
        intervalMs: ttIntervalMs,
        clock: this.deps.clock,
        logger: this.#options.logger.child({ part: 'tt-poller' }),
      });
    }
    const reconcileMs = this.#options.config.TTSYNC_RECONCILE_INTERVAL_MS;
    if (reconcileMs > 0) {
      // Heals what webhooks and polls both missed, behind the mass-unlink guard.
      this.#reconciler = startReconciler(this.deps, {
        locationId: this.locationId,
        intervalMs: reconcileMs,
        maxUnlinkShare: this.#options.config.TTSYNC_RECONCILE_MAX_UNLINK_SHARE,
        clock: this.deps.clock,
        logger: this.#options.logger.child({ part: 'reconcile' }),
      });
    }
  }

  /** Whether GHL is connected through OAuth (so `ttsync connect ghl` applies). */
  get usesGhlOAuth(): boolean {
    return this.#oauth !== undefined;
  }

  /** Starts the workers only (`ttsync worker`, PostgreSQL mode). */
  async work(): Promise<void> {
    await this.queue.start();
  }

  /** Backfills the location's contacts (see `backfillContacts`). */
  backfill(options: Omit<BackfillOptions, 'locationId' | 'queue'> = {}): Promise<BackfillProgress> {
    return backfillContacts(this.deps, {
      ...options,
      locationId: this.locationId,
      queue: this.queue,
    });
  }

  /** `ttsync backfill`: every phase, or the ones chosen (see `runBackfill`). */
  backfillAll(
    options: Omit<FullBackfillOptions, 'locationId' | 'queue'> = {},
  ): Promise<BackfillReport> {
    return runBackfill(this.deps, { ...options, locationId: this.locationId, queue: this.queue });
  }

  /** Stops serving and working, then closes the clients and the database. */
  async close(): Promise<void> {
    await this.#reconciler?.stop();
    await this.#poller?.stop();
    await this.#ttPoller?.stop();
    await this.#stopServer?.();
    await this.#dispatcher.stop();
    await this.queue.stop();
    this.deps.ghl.stop();
    this.deps.tt.stop();
    await this.store.close();
  }
}

function ghlAuth(
  options: TtsyncOptions,
  store: Store,
  box: SecretBox,
  clock: Clock,
): { auth: GhlAuth; locationId: string } {
  const { config, endpoints } = options;
  if (endpoints) {
    return {
      auth: new PrivateIntegrationAuth({ token: endpoints.ghl.token }),
      locationId: endpoints.ghl.locationId,
    };
  }
  if (config.GHL_PRIVATE_TOKEN && config.GHL_LOCATION_ID) {
    return {
      auth: new PrivateIntegrationAuth({ token: config.GHL_PRIVATE_TOKEN }),
      locationId: config.GHL_LOCATION_ID,
    };
  }
  if (config.GHL_CLIENT_ID && config.GHL_CLIENT_SECRET && config.GHL_LOCATION_ID) {
    return {
      auth: new OAuthAuth({
        clientId: config.GHL_CLIENT_ID,
        clientSecret: config.GHL_CLIENT_SECRET,
        ...(config.GHL_REDIRECT_URI ? { redirectUri: config.GHL_REDIRECT_URI } : {}),
        baseUrl: config.GHL_BASE_URL,
        authorizeBaseUrl: config.GHL_AUTHORIZE_BASE_URL,
        store: new DbTokenStore({ db: store.db, box, clock }),
        clock,
      }),
      locationId: config.GHL_LOCATION_ID,
    };
  }
  throw missingCredentials();
}

function missingCredentials(): AppError {
  return new AppError(
    'config_invalid',
    'No GHL and Tenant Turner credentials are configured: set GHL_PRIVATE_TOKEN, GHL_LOCATION_ID ' +
      'and TT_API_KEY (docs/configuration.md), or run `npm start` to try ttsync against the sandboxes.',
  );
}
