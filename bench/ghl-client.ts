/**
 * What the GHL client costs on top of a bare `fetch` loop (issue: at most 15% of its throughput).
 * The sandbox runs in its own process with limits too high to bind (a billion per 1 ms window),
 * so the client's budget still runs on every call (acquire, header resync) without throttling;
 * both loops make the same calls
 * (GET /contacts/{id} over seeded contacts) at the same concurrency, alternating rounds so that
 * machine noise hits both. Prints calls/s and p50/p99 latency for each, and the overhead.
 *
 *   npm run bench:ghl-client                 # full: 5 rounds of 10,000 calls
 *   BENCH_CALLS=2000 BENCH_ROUNDS=2 npm run bench:ghl-client
 */
import { PrivateIntegrationAuth } from '../src/ghl/auth.ts';
import { GhlClient } from '../src/ghl/client.ts';
import { spawnGhlSandbox } from '../sandbox/ghl/spawn.ts';

const CALLS = Number(process.env['BENCH_CALLS'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);

interface Round {
  callsPerSec: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function run(call: (i: number) => Promise<unknown>): Promise<Round> {
  const latencies = new Array<number>(CALLS);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < CALLS; i = next++) {
        const t0 = performance.now();
        await call(i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    callsPerSec: CALLS / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const box = await spawnGhlSandbox({
  contacts: 500,
  seed: 7,
  rateLimit: { max: 1_000_000_000, windowMs: 1, daily: 1_000_000_000 },
  searchDelayMs: 0,
});
try {
  const client = new GhlClient({
    auth: new PrivateIntegrationAuth({ token: box.token }),
    baseUrl: box.url,
    // Learns the sandbox's limits from the first response's headers.
  });
  const ghl = client.location(box.locationId);
  const ids: string[] = [];
  for await (const contact of ghl.searchContacts({ pageLimit: 500 })) ids.push(contact.id);
  const pick = (i: number): string => ids[i % ids.length] ?? '';

  const viaClient = (i: number) => ghl.getContact(pick(i));
  const bare = async (i: number): Promise<unknown> => {
    const response = await fetch(`${box.url}/contacts/${pick(i)}`, {
      headers: {
        Authorization: `Bearer ${box.token}`,
        Version: '2021-07-28',
        Accept: 'application/json',
      },
    });
    if (!response.ok) throw new Error(`bare fetch got ${response.status}`);
    return ((await response.json()) as { contact: unknown }).contact;
  };

  await run(viaClient);
  await run(bare);
  const results: { client: Round[]; bare: Round[] } = { client: [], bare: [] };
  for (let round = 0; round < ROUNDS; round++) {
    results.bare.push(await run(bare));
    results.client.push(await run(viaClient));
  }
  const median = (rounds: Round[], key: keyof Round): number => {
    const values = rounds.map((r) => r[key]).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? Number.NaN;
  };
  const row = (name: string, rounds: Round[]): string =>
    `${name.padEnd(12)} ${median(rounds, 'callsPerSec').toFixed(0).padStart(8)} calls/s   p50 ${median(rounds, 'p50').toFixed(2)} ms   p99 ${median(rounds, 'p99').toFixed(2)} ms`;
  console.log(
    `GHL client vs bare fetch: ${ROUNDS} rounds × ${CALLS} calls, concurrency ${CONCURRENCY}, GET /contacts/{id}, limits too high to bind (medians)`,
  );
  console.log(row('bare fetch', results.bare));
  console.log(row('ttsync client', results.client));
  const overhead = 1 - median(results.client, 'callsPerSec') / median(results.bare, 'callsPerSec');
  console.log(
    `client overhead: ${(overhead * 100).toFixed(1)}% of bare-loop throughput (target ≤ 15%)`,
  );
  client.stop();
} finally {
  await box.stop();
}
