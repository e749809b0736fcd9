/**
 * Both sandboxes as processes for the end-to-end tests, started empty (ttsync's records are the
 * only ones), and the GHL sandbox's settings those tests share: its webhooks pointed at
 * `ttsync serve`, quick redeliveries, and its rate limit off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  operatorJson,
  runTtsync,
  startGhlSandboxProcess,
  startTtSandboxProcess,
  ttsyncEnv,
} from './processes.ts';
import type { GhlSandboxProcessInfo, RunningProcess, TtSandboxProcessInfo } from './processes.ts';

/**
 * The GHL sandbox without contacts and the Tenant Turner sandbox without leads, on `surface`
 * (the sandbox's default when not given).
 */
export function startEmptySandboxProcesses(
  surface?: 'real' | 'extended',
  ghlArgs: string[] = [],
): Promise<[GhlSandboxProcessInfo, TtSandboxProcessInfo]> {
  return Promise.all([
    startGhlSandboxProcess(['--contacts', '0', ...ghlArgs]),
    startTtSandboxProcess([...(surface ? ['--surface', surface] : []), '--leads', '0']),
  ]);
}

/**
 * Turns the GHL sandbox's rate limit off: the test's own GHL calls share the location's budget
 * with ttsync; limits have their own tests.
 */
export async function ghlRateLimitOff(ghl: GhlSandboxProcessInfo): Promise<void> {
  await operatorJson(`${ghl.url}/__sandbox/rate-limit`, 'POST', { enabled: false });
}

/**
 * Points the GHL sandbox's webhooks at ttsync serving on `url` (`/webhooks/ghl`), redelivers a
 * failed one after 300 ms, and turns the rate limit off.
 */
export async function wireGhlToTtsync(ghl: GhlSandboxProcessInfo, url: string): Promise<void> {
  await operatorJson(`${ghl.url}/__sandbox/webhooks/subscriptions`, 'POST', {
    url: `${url}/webhooks/ghl`,
  });
  await operatorJson(`${ghl.url}/__sandbox/settings`, 'POST', { webhookRetryIntervalMs: 300 });
  await ghlRateLimitOff(ghl);
}

/**
 * Runs `ttsync serve` against the sandboxes (GHL with `ghl.token`) in a fresh data directory
 * named after `prefix`, with `extra` environment; once it listens, wires GHL's webhooks to it
 * (`wireGhlToTtsync`). `close` stops ttsync and both sandboxes and removes `dataDir`.
 */
export async function startWiredServe(
  ghl: GhlSandboxProcessInfo,
  tt: TtSandboxProcessInfo,
  prefix: string,
  extra: Record<string, string> = {},
): Promise<{
  ttsync: RunningProcess;
  url: string;
  dataDir: string;
  env: Record<string, string>;
  close: () => Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const env = ttsyncEnv(ghl, tt, dataDir, extra);
  const ttsync = runTtsync(['serve'], env);
  const [, url = ''] = await ttsync.waitFor(/ttsync serving on (\S+) /);
  await wireGhlToTtsync(ghl, url);
  const close = async () => {
    await Promise.all([ttsync.stop(), ghl.process.stop(), tt.process.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { ttsync, url, dataDir, env, close };
}
