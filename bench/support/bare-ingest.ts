/**
 * The bare floor of `bench/ingest.ts`: plain `node:http`, Ed25519 verification of the raw body,
 * and one SQLite insert per event with the same durability as ttsync (WAL, synchronous=FULL),
 * then 200. No framework, no parsing beyond the event id, no logging.
 *
 *   node bench/support/bare-ingest.ts <sqlite file> <public key PEM, base64>
 */
import { createPublicKey, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseSync } from 'node:sqlite';

const [file = '', keyText = ''] = process.argv.slice(2);
const key = createPublicKey(Buffer.from(keyText, 'base64').toString('utf8'));
const db = new DatabaseSync(file);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
db.exec('create table if not exists inbox (event_id text primary key, payload text not null)');
const insert = db.prepare('insert or ignore into inbox (event_id, payload) values (?, ?)');

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const signature = String(request.headers['x-ghl-signature'] ?? '');
    if (!verify(null, body, key, Buffer.from(signature, 'base64'))) {
      response.writeHead(401).end();
      return;
    }
    const { webhookId } = JSON.parse(body.toString('utf8')) as { webhookId: string };
    insert.run(webhookId, body.toString('utf8'));
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"stored"}');
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
