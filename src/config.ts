/**
 * ttsync's configuration: one zod schema, parsed once, every bad variable reported at once,
 * frozen. The only module that reads `process.env` (ARCHITECTURE.md §3).
 * Precedence: command-line flag (passed as `overrides`), environment, default.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from './shared/errors.ts';

const intFrom = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);

const csv = z.string().transform((value) =>
  value
    .split(/,(?![^-]*-----END)/)
    .map((part) => part.trim().replace(/\\n/g, '\n'))
    .filter(Boolean),
);

const schema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  PORT: intFrom(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  GHL_BASE_URL: z.url().default('https://services.leadconnectorhq.com'),
  GHL_AUTHORIZE_BASE_URL: z.url().default('https://marketplace.gohighlevel.com'),
  GHL_LOCATION_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{20}$/, 'must be a 20-character GHL location id')
    .optional(),
  GHL_PRIVATE_TOKEN: z
    .string()
    .min(10, 'is too short to be a Private Integration token')
    .optional(),
  GHL_CLIENT_ID: z.string().min(1).optional(),
  GHL_CLIENT_SECRET: z.string().min(1).optional(),
  GHL_REDIRECT_URI: z.url().optional(),
  GHL_WEBHOOK_PUBLIC_KEYS: csv.optional(),
  GHL_WEBHOOK_MAX_SKEW_MS: intFrom(1000).default(5 * 60_000),
  GHL_RATE_LIMIT_MAX: intFrom(1).default(100),
  GHL_RATE_LIMIT_WINDOW_MS: intFrom(1).default(10_000),
  GHL_RATE_LIMIT_DAILY: intFrom(1).default(200_000),
  GHL_TIMEOUT_MS: intFrom(100).default(30_000),
  GHL_MAX_RETRIES: intFrom(0, 20).default(5),
  TT_BASE_URL: z.url().default('https://api.tenantturner.com'),
  TT_API_KEY: z.string().min(8, 'is too short to be a Tenant Turner API key').optional(),
  TT_CAPABILITIES: z.enum(['probe', 'real', 'extended']).default('probe'),
  TT_REQUESTS_PER_SECOND: z.coerce.number().min(0).default(5),
  TT_WEBHOOK_SIGNING_KEY: z.string().min(8).optional(),
  TT_POLL_INTERVAL_MS: intFrom(0).default(60_000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave it unset for SQLite)')
    .optional(),
  TTSYNC_DATA_DIR: z.string().min(1).default('./data'),
  TTSYNC_SECRET_KEY: z.string().min(32, 'must be 32 bytes as hex or base64').optional(),
  TTSYNC_MAPPING_FILE: z.string().min(1).optional(),
  TTSYNC_WORKER_CONCURRENCY: intFrom(1, 64).default(4),
  TTSYNC_POLL_INTERVAL_MS: intFrom(0).default(60_000),
  TTSYNC_TASK_POLL_INTERVAL_MS: intFrom(0).default(300_000),
  TTSYNC_APPOINTMENT_POLL_INTERVAL_MS: intFrom(0).default(300_000),
  TTSYNC_POLL_BUDGET_SHARE: z.coerce.number().gt(0).max(1).default(0.2),
  TTSYNC_APPOINTMENT_POLL_DAYS_BACK: intFrom(0, 3650).default(30),
  TTSYNC_APPOINTMENT_POLL_DAYS_AHEAD: intFrom(1, 3650).default(90),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  SQLITE_BUSY_TIMEOUT_MS: intFrom(0).default(5_000),
  /** Scheduled reconcile in `ttsync serve` (docs/reconcile.md); 0 turns it off. */
  TTSYNC_RECONCILE_INTERVAL_MS: intFrom(0).default(6 * 3_600_000),
  TTSYNC_RECONCILE_MAX_UNLINK_SHARE: z.coerce.number().min(0).max(1).default(0.05),
  /** Days a dispatched webhook stays in the inbox (docs/sync.md); 0 keeps them for ever. */
  TTSYNC_INBOX_RETENTION_DAYS: intFrom(0, 3650).default(30),
});

/** Rules across variables, checked on the raw input so they are reported with every other problem. */
function crossFieldProblems(input: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const has = (key: string): boolean => input[key] !== undefined;
  if (has('GHL_CLIENT_ID') !== has('GHL_CLIENT_SECRET')) {
    const missing = has('GHL_CLIENT_ID') ? 'GHL_CLIENT_SECRET' : 'GHL_CLIENT_ID';
    problems.push(`  ${missing}: GHL OAuth needs both GHL_CLIENT_ID and GHL_CLIENT_SECRET`);
  }
  const hasGhl = has('GHL_PRIVATE_TOKEN') || has('GHL_CLIENT_ID');
  if (hasGhl !== has('TT_API_KEY')) {
    const missing = hasGhl ? 'TT_API_KEY' : 'GHL_PRIVATE_TOKEN';
    problems.push(
      `  ${missing}: syncing real accounts needs both GHL_PRIVATE_TOKEN and TT_API_KEY (set neither to run against the sandboxes)`,
    );
  }
  if (has('GHL_PRIVATE_TOKEN') && !has('GHL_LOCATION_ID')) {
    problems.push(
      '  GHL_LOCATION_ID: is required with GHL_PRIVATE_TOKEN (the sub-account the token belongs to)',
    );
  }
  return problems;
}

/** Rules across parsed values (defaults applied); checked once every variable parses. */
function valueProblems(config: z.output<typeof schema>): string[] {
  const problems: string[] = [];
  // The inbox forgets an event id after the retention; the skew check must refuse a replay
  // before that (docs/sync.md).
  const retentionDays = config.TTSYNC_INBOX_RETENTION_DAYS;
  if (retentionDays > 0 && config.GHL_WEBHOOK_MAX_SKEW_MS >= retentionDays * 86_400_000) {
    problems.push(
      `  GHL_WEBHOOK_MAX_SKEW_MS: must be shorter than TTSYNC_INBOX_RETENTION_DAYS (${retentionDays} days), ` +
        'or a replayed webhook whose id the inbox has forgotten would be processed again',
    );
  }
  return problems;
}

/** The parsed, frozen configuration. */
export type Config = Readonly<z.output<typeof schema>>;

/** Names of every setting, for docs and error messages. */
export const CONFIG_KEYS = Object.keys(schema.shape) as (keyof z.input<typeof schema>)[];

/**
 * Parses configuration from `env` (default `process.env`) with `overrides` (flags) on top.
 * Throws one `AppError('config_invalid')` whose message lists every bad variable.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Record<string, string | number | undefined> = {},
): Config {
  const input: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = overrides[key] ?? env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map(
          (issue) => `  ${issue.path.join('.') || '(config)'}: ${issue.message}`,
        )),
    ...crossFieldProblems(input),
    ...(parsed.success ? valueProblems(parsed.data) : []),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new AppError(
      'config_invalid',
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}); fix these variables and start again:\n${problems.join('\n')}`,
      { details: { problems } },
    );
  }
  return Object.freeze(parsed.data);
}

/** The folder of `TTSYNC_DATA_DIR` where `ttsync start` without credentials keeps its data. */
export function sandboxDataDir(config: Config): string {
  return join(config.TTSYNC_DATA_DIR, 'sandbox');
}

/**
 * The SQLite file the store-only commands (`ttsync timeline`, `ttsync jobs`) read: ttsync's own
 * under `TTSYNC_DATA_DIR`; or, when no GHL credentials are configured and there is no such file
 * but `ttsync start` has run the sandboxes, that run's (`sandbox: true`). A real database is
 * never passed over for the sandboxes'. `problem` says what to do when there is no file to read
 * (these commands do not create one).
 */
export function storeFileFor(config: Config): {
  path: string;
  sandbox: boolean;
  problem?: string | undefined;
} {
  const own = join(config.TTSYNC_DATA_DIR, 'ttsync.db');
  const sandbox = join(sandboxDataDir(config), 'ttsync.db');
  if (config.DATABASE_URL) return { path: own, sandbox: false };
  if (existsSync(own)) return { path: own, sandbox: false };
  if (ghlAuthMode(config) === 'sandbox' && existsSync(sandbox)) {
    return { path: sandbox, sandbox: true };
  }
  return {
    path: own,
    sandbox: false,
    problem:
      `there is no ttsync database at ${own} yet: ttsync creates it when it first runs ` +
      '(`npm start`, which without credentials runs against the sandboxes, or `ttsync serve`); ' +
      'set TTSYNC_DATA_DIR (or DATABASE_URL) if it lives elsewhere.',
  };
}

/** Which GHL auth the configuration selects, or 'sandbox' when no credentials are set. */
export function ghlAuthMode(config: Config): 'pit' | 'oauth' | 'sandbox' {
  if (config.GHL_PRIVATE_TOKEN) return 'pit';
  if (config.GHL_CLIENT_ID) return 'oauth';
  return 'sandbox';
}
