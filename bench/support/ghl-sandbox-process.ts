/**
 * Runs a GHL sandbox in its own process (so it does not share the event loop with what is being
 * measured) and reports how to reach it over IPC.
 */
import { startGhlSandbox } from '../../sandbox/ghl/index.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof startGhlSandbox>[0];
const box = await startGhlSandbox(options);
const token = box.mintToken({
  scopes: [
    'contacts.readonly',
    'contacts.write',
    'users.readonly',
    'locations/tasks.readonly',
    'calendars/events.readonly',
  ],
  kind: 'pit',
});
process.send?.({ url: box.url, locationId: box.locationId, token: token.accessToken });
process.on('disconnect', () => {
  void box.close().then(() => process.exit(0));
});
