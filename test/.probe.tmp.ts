import { startGhlSandbox } from '../sandbox/ghl/index.ts';
import { loadGhlSpecValidator } from './support/ghl-spec-validator.ts';
const [sb, v] = await Promise.all([startGhlSandbox({ port: 0, seed: 1, contacts: 30, searchDelayMs: 0, rateLimit: { enabled: false } }), loadGhlSpecValidator()]);
const token = sb.mintToken({ scopes: ['contacts.readonly'] }).accessToken;
for (const path of [`/contacts/?locationId=${sb.locationId}&limit=100`, `/contacts/?locationId=${sb.locationId}&query=zzzzzz`, `/contacts/?locationId=${sb.locationId}&limit=10`]) {
  const r = await fetch(sb.url + path, { headers: { Authorization: `Bearer ${token}`, Version: '2021-07-28' } });
  const body = await r.json() as { meta: unknown };
  const res = v.validateResponse({ method: 'GET', path, status: r.status, body });
  process.stdout.write(`${path} ${r.status} ${JSON.stringify(body.meta)}\n  ${res.errors.join('\n  ')}\n`);
}
await sb.close();
