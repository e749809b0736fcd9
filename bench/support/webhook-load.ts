/**
 * The load generator of `bench/ingest.ts`, in its own process: signs `count` distinct GHL
 * ContactCreate events with the given Ed25519 key (before the clock starts), sends them over
 * `connections` keep-alive connections, and prints one JSON line: rate and ack latencies.
 *
 *   node bench/support/webhook-load.ts <url> <count> <connections> <private key PEM, base64>
 */
import { createPrivateKey } from 'node:crypto';
import http from 'node:http';
import { signedEvents } from './signed-events.ts';

const [url = '', countText = '10000', connectionsText = '50', keyText = ''] = process.argv.slice(2);
const count = Number(countText);
const connections = Number(connectionsText);
const key = createPrivateKey(Buffer.from(keyText, 'base64').toString('utf8'));
const target = new URL(url);

const bodies = signedEvents(count, key);

const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies = new Float64Array(count);
let next = 0;
let failures = 0;

function post(i: number): Promise<void> {
  const { body, signature } = bodies[i] ?? { body: Buffer.alloc(0), signature: '' };
  const started = performance.now();
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'x-ghl-signature': signature,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode !== 200) failures++;
          latencies[i] = performance.now() - started;
          resolve();
        });
      },
    );
    request.on('error', () => {
      failures++;
      resolve();
    });
    request.end(body);
  });
}

const started = performance.now();
await Promise.all(
  Array.from({ length: connections }, async () => {
    for (let i = next++; i < count; i = next++) await post(i);
  }),
);
const seconds = (performance.now() - started) / 1000;
const sorted = [...latencies].sort((a, b) => a - b);
const at = (p: number): number => sorted[Math.min(count - 1, Math.floor(p * count))] ?? NaN;
console.log(
  JSON.stringify({ count, failures, perSecond: count / seconds, p50: at(0.5), p99: at(0.99) }),
);
agent.destroy();
