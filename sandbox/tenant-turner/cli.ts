/**
 * `ttsync sandbox tt` (or `node sandbox/tenant-turner/cli.ts`) `[--port N] [--host H]
 * [--surface real|extended] [--seed S] [--rentals N] [--leads N] [--showings N]
 * [--webhook-url U]... [--webhook-retry-interval-ms N] [--archive-after-ms N]`: starts the Tenant
 * Turner sandbox, prints how to use it and runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { intFlag, runMain, untilStopSignal } from '../shared/cli.ts';
import { TT_OPERATOR_ENDPOINTS, startTtSandbox } from './index.ts';
import type { TtSandboxOptions } from './index.ts';

/** Parses the CLI flags into sandbox options; throws a readable error for a bad flag. */
export function ttSandboxOptionsFrom(argv: string[]): TtSandboxOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      surface: { type: 'string' },
      seed: { type: 'string' },
      rentals: { type: 'string' },
      leads: { type: 'string' },
      showings: { type: 'string' },
      'webhook-url': { type: 'string', multiple: true },
      'webhook-retry-interval-ms': { type: 'string' },
      'archive-after-ms': { type: 'string' },
    },
    strict: true,
  });
  const surface = values.surface;
  if (surface !== undefined && surface !== 'real' && surface !== 'extended')
    throw new Error(`--surface must be "real" or "extended", got "${surface}"`);
  for (const url of values['webhook-url'] ?? []) {
    if (!URL.canParse(url)) throw new Error(`--webhook-url must be an absolute URL, got "${url}"`);
  }
  const numbers = {
    port: intFlag('port', values.port),
    seed: intFlag('seed', values.seed),
    rentals: intFlag('rentals', values.rentals),
    leads: intFlag('leads', values.leads),
    showings: intFlag('showings', values.showings),
    webhookRetryIntervalMs: intFlag(
      'webhook-retry-interval-ms',
      values['webhook-retry-interval-ms'],
    ),
    archiveAfterMs: intFlag('archive-after-ms', values['archive-after-ms']),
  };
  const options: TtSandboxOptions = Object.fromEntries(
    Object.entries(numbers).filter(([, v]) => v !== undefined),
  );
  if (values.host !== undefined) options.host = values.host;
  if (surface !== undefined) options.surface = surface;
  if (values['webhook-url'] !== undefined) options.webhookUrls = values['webhook-url'];
  return options;
}

/** Runs the sandbox until SIGINT/SIGTERM, then closes it. */
export async function runTtSandboxCli(argv: string[]): Promise<void> {
  const started = Date.now();
  const sandbox = await startTtSandbox(ttSandboxOptionsFrom(argv));
  const state = sandbox.state();
  const counts = state['counts'] as Record<string, number>;
  console.log(
    `Tenant Turner sandbox listening on ${sandbox.url} (started in ${Date.now() - started} ms)`,
  );
  console.log(`  base URL            ${sandbox.url}   (API paths under /v1/)`);
  console.log(
    `  surface             ${sandbox.surface}${sandbox.surface === 'real' ? ' (modeled extensions answer 404)' : ' (real + modeled extensions, GET /v1/capabilities)'}`,
  );
  console.log(`  API key             ${sandbox.apiKey}`);
  console.log(`  Authorization       Basic ${Buffer.from(sandbox.apiKey).toString('base64')}`);
  console.log(
    `  webhook signing key ${sandbox.webhookSigningKey}   (X-Payload-Signature: hex HMAC-SHA256 of the raw body)`,
  );
  console.log(
    `  seeded              ${counts['properties'] ?? 0} rentals, ${counts['leads'] ?? 0} leads, ${counts['showings'] ?? 0} showings`,
  );
  for (const subscription of state['webhookSubscriptions'] as { Url: string }[])
    console.log(`  webhooks to         ${subscription.Url}`);
  console.log('  operator endpoints (no API key):');
  for (const line of TT_OPERATOR_ENDPOINTS) console.log(`    ${line}`);
  console.log('Press Ctrl+C to stop.');
  await untilStopSignal();
  await sandbox.close();
  console.log('Tenant Turner sandbox stopped.');
}

if (import.meta.main) runMain(runTtSandboxCli);
