/**
 * `node sandbox/ghl/cli.ts [--port N] [--seed S] [--contacts N] [--search-delay-ms N]
 * [--rate-window-ms N]`: starts the GHL sandbox, prints how to use it and runs until SIGINT or
 * SIGTERM.
 */
import { parseArgs } from 'node:util';
import { intFlag, runMain, untilStopSignal } from '../shared/cli.ts';
import { startGhlSandbox } from './index.ts';
import { ALL_SCOPES } from './tokens.ts';
import type { GhlSandboxOptions } from './index.ts';
import { OPERATOR_ENDPOINTS } from './operator-control-routes.ts';

function optionsFrom(argv: string[]): GhlSandboxOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      contacts: { type: 'string' },
      'search-delay-ms': { type: 'string' },
      'rate-window-ms': { type: 'string' },
    },
    strict: true,
  });
  const options: GhlSandboxOptions = {};
  const port = intFlag('port', values.port);
  const seed = intFlag('seed', values.seed);
  const contacts = intFlag('contacts', values.contacts);
  const searchDelayMs = intFlag('search-delay-ms', values['search-delay-ms']);
  const windowMs = intFlag('rate-window-ms', values['rate-window-ms']);
  if (port !== undefined) options.port = port;
  if (values.host !== undefined) options.host = values.host;
  if (seed !== undefined) options.seed = seed;
  if (contacts !== undefined) options.contacts = contacts;
  if (searchDelayMs !== undefined) options.searchDelayMs = searchDelayMs;
  if (windowMs !== undefined) options.rateLimit = { windowMs };
  return options;
}

/** Runs the sandbox until SIGINT/SIGTERM, then closes it. */
export async function runGhlSandboxCli(argv: string[]): Promise<void> {
  const started = Date.now();
  const sandbox = await startGhlSandbox(optionsFrom(argv));
  // Every API scope but the agency-only oauth.*: what ttsync needs for contacts, tasks,
  // appointments and users.
  const apiScopes = ALL_SCOPES.filter((scope) => !scope.startsWith('oauth.'));
  const readWrite = sandbox.mintToken({ scopes: apiScopes });
  const readOnly = sandbox.mintToken({ scopes: ['contacts.readonly'] });
  console.log(`GHL sandbox listening on ${sandbox.url} (started in ${Date.now() - started} ms)`);
  console.log(`  location id         ${sandbox.locationId}`);
  console.log(
    `  other location id   ${sandbox.otherLocationId} (tokens for it are 403 on the main location)`,
  );
  console.log(`  company id          ${sandbox.companyId}`);
  console.log(`  PIT read+write      ${readWrite.accessToken}  (${apiScopes.join(' ')})`);
  console.log(`  PIT read-only       ${readOnly.accessToken}  (contacts.readonly)`);
  console.log(`  OAuth client id     ${sandbox.clientId}`);
  console.log(`  OAuth client secret ${sandbox.clientSecret}`);
  console.log(
    `  authorize           ${sandbox.url}/oauth/chooselocation?response_type=code&client_id=${sandbox.clientId}&redirect_uri=<url>&scope=contacts.readonly%20contacts.write`,
  );
  console.log('  webhook public key (Ed25519, verifies x-ghl-signature):');
  console.log(sandbox.webhookPublicKeyPem.trimEnd().replace(/^/gm, '    '));
  console.log('  operator endpoints:');
  for (const line of OPERATOR_ENDPOINTS) console.log(`    ${line}`);
  console.log('Press Ctrl+C to stop.');
  await untilStopSignal();
  await sandbox.close();
  console.log('GHL sandbox stopped.');
}

if (import.meta.main) runMain(runGhlSandboxCli);
