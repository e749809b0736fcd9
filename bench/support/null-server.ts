/**
 * The load generator's own floor in `bench/ingest.ts`: a `node:http` server that answers every
 * POST 200 as soon as its body has arrived, with no verification and no storage. What the
 * generator measures against it is the part of every figure that is not the server's.
 *
 *   node bench/support/null-server.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"stored"}');
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
