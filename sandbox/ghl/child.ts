/**
 * The child side of `spawn.ts`: starts a GHL sandbox from the options in argv[2] (JSON), reports
 * how to reach it over IPC, and closes when the parent disconnects.
 */
import { startGhlSandbox } from './index.ts';
import type { GhlSandboxOptions } from './index.ts';
import { ALL_SCOPES } from './tokens.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as GhlSandboxOptions;
const box = await startGhlSandbox(options);
const token = box.mintToken({ scopes: [...ALL_SCOPES], kind: 'pit' });
process.send?.({ url: box.url, locationId: box.locationId, token: token.accessToken });
process.on('disconnect', () => {
  void box.close().then(() => process.exit(0));
});
