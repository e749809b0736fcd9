/**
 * End-to-end wiring: the two sandboxes and ttsync as separate processes, started through the
 * `ttsync` command as a user would, their addresses and credentials read from what they print.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export { operatorJson } from './operator.ts';

const BIN = fileURLToPath(new URL('../../bin/ttsync.ts', import.meta.url));

/** A running `ttsync …` process and everything it printed so far. */
export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output (waiting for it). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM (or `signal`), then waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `ttsync <args>` with `env` added to the environment. */
export function runTtsync(args: string[], env: Record<string, string> = {}): RunningProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = text.match(pattern);
          if (match) {
            done();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; output:\n${text}`));
        }, timeoutMs);
        const onExit = (): void => {
          done();
          reject(new Error(`process exited before ${String(pattern)}; output:\n${text}`));
        };
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A GHL sandbox process. */
export interface GhlSandboxProcessInfo {
  process: RunningProcess;
  url: string;
  locationId: string;
  token: string;
  webhookPublicKey: string;
}

/** Starts `ttsync sandbox ghl --port 0 …`. */
export async function startGhlSandboxProcess(args: string[] = []): Promise<GhlSandboxProcessInfo> {
  const proc = runTtsync(['sandbox', 'ghl', '--port', '0', ...args]);
  const [, url = ''] = await proc.waitFor(/GHL sandbox listening on (\S+)/);
  const [, locationId = ''] = await proc.waitFor(/location id\s+(\S+)/);
  const [, token = ''] = await proc.waitFor(/PIT read\+write\s+(\S+)/);
  const [, pem = ''] = await proc.waitFor(
    /(-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----)/,
  );
  return {
    process: proc,
    url,
    locationId,
    token,
    webhookPublicKey: pem.replace(/^\s+/gm, ''),
  };
}

/** A Tenant Turner sandbox process. */
export interface TtSandboxProcessInfo {
  process: RunningProcess;
  url: string;
  apiKey: string;
}

/** Starts `ttsync sandbox tt --port 0 …`. */
export async function startTtSandboxProcess(args: string[] = []): Promise<TtSandboxProcessInfo> {
  const proc = runTtsync(['sandbox', 'tt', '--port', '0', ...args]);
  const [, url = ''] = await proc.waitFor(/Tenant Turner sandbox listening on (\S+)/);
  const [, apiKey = ''] = await proc.waitFor(/API key\s+(\S+)/);
  return { process: proc, url, apiKey };
}

/** The environment that points ttsync at two sandbox processes. */
export function ttsyncEnv(
  ghl: GhlSandboxProcessInfo,
  tt: TtSandboxProcessInfo,
  dataDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    GHL_BASE_URL: ghl.url,
    GHL_PRIVATE_TOKEN: ghl.token,
    GHL_LOCATION_ID: ghl.locationId,
    GHL_WEBHOOK_PUBLIC_KEYS: ghl.webhookPublicKey.replace(/\n/g, '\\n'),
    TT_BASE_URL: tt.url,
    TT_API_KEY: tt.apiKey,
    TT_REQUESTS_PER_SECOND: '0',
    TTSYNC_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PORT: '0',
    ...extra,
  };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
