/**
 * Both sandboxes as processes for the end-to-end tests, started empty (ttsync's records are the
 * only ones), and the GHL sandbox's settings those tests share: its webhooks pointed at
 * `ttsync serve`, quick redeliveries, and its rate limit off.
 */
import { operatorJson, startGhlSandboxProcess, startTtSandboxProcess } from './processes.ts';
import type { GhlSandboxProcessInfo, TtSandboxProcessInfo } from './processes.ts';

/**
 * The GHL sandbox without contacts and the Tenant Turner sandbox without leads, on `surface`
 * (the sandbox's default when not given).
 */
export function startEmptySandboxProcesses(
  surface?: 'real' | 'extended',
): Promise<[GhlSandboxProcessInfo, TtSandboxProcessInfo]> {
  return Promise.all([
    startGhlSandboxProcess(['--contacts', '0']),
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
