/**
 * Scale-out on PostgreSQL: `ttsync serve --no-work` takes the webhooks and three `ttsync worker`
 * processes share the jobs. Every contact ends with exactly one lead in its newest state, and
 * every worker did part of the work. CI runs 1,000 events; `TTSYNC_FULL=1` runs the issue's
 * 5,000 (1,000 contacts, each created and then updated four times).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { eventually, operatorJson, runTtsync, ttsyncEnv } from './support/processes.ts';
import type {
  GhlSandboxProcessInfo,
  RunningProcess,
  TtSandboxProcessInfo,
} from './support/processes.ts';
import { ghlRateLimitOff, startEmptySandboxProcesses } from './support/sandbox-processes.ts';
import { postgresProblem, TEST_PG_URL } from './support/stores.ts';

const CONTACTS = process.env['TTSYNC_FULL'] ? 1_000 : 200;
const UPDATES = 4;
const WORKERS = 3;
const problem = await postgresProblem();
if (problem && process.env['CI'] === 'true') throw new Error(`${problem}; CI=true requires it.`);

describe(
  `${WORKERS} workers on PostgreSQL share ${CONTACTS * (1 + UPDATES)} events`,
  {
    skip: problem,
  },
  () => {
    const database = `ttsync_e2e_${process.pid}`;
    let ghl: GhlSandboxProcessInfo;
    let tt: TtSandboxProcessInfo;
    let dataDir: string;
    const processes: RunningProcess[] = [];
    const admin = (): pg.Client => new pg.Client({ connectionString: TEST_PG_URL });

    before(async () => {
      const client = admin();
      await client.connect();
      await client.query(`create database ${database}`);
      await client.end();
      [ghl, tt] = await startEmptySandboxProcesses();
      await ghlRateLimitOff(ghl);
      dataDir = mkdtempSync(join(tmpdir(), 'ttsync-workers-'));
    });
    after(async () => {
      await Promise.all([...processes.map((p) => p.stop()), ghl.process.stop(), tt.process.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
      const client = admin();
      await client.connect();
      await client.query(`drop database if exists ${database} with (force)`);
      await client.end();
    });

    test('each contact ends with one lead in its newest state, and every worker worked', async () => {
      const url = new URL(TEST_PG_URL);
      url.pathname = `/${database}`;
      const env = ttsyncEnv(ghl, tt, dataDir, { DATABASE_URL: url.toString(), LOG_LEVEL: 'info' });
      const server = runTtsync(['serve', '--no-work'], env);
      processes.push(server);
      const [, base = ''] = await server.waitFor(/ttsync serving on (\S+) /, 60_000);
      const workers = Array.from({ length: WORKERS }, () => runTtsync(['worker'], env));
      processes.push(...workers);
      await Promise.all(workers.map((w) => w.waitFor(/ttsync worker running/, 60_000)));
      await operatorJson(`${ghl.url}/__sandbox/webhooks/subscriptions`, 'POST', {
        url: `${base}/webhooks/ghl`,
      });

      const api = async (method: string, path: string, body: unknown) => {
        const response = await fetch(`${ghl.url}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${ghl.token}`,
            Version: '2021-07-28',
            'Content-Type': 'application/json',
          },
          body: JSON.stringify(body),
        });
        assert.ok(response.ok, `${method} ${path} → ${response.status}`);
        return (await response.json()) as { contact: { id: string } };
      };
      const ids: string[] = [];
      for (let n = 0; n < CONTACTS; n += 20) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(20, CONTACTS - n) }, (_, i) =>
            api('POST', '/contacts/', {
              locationId: ghl.locationId,
              firstName: 'Worker',
              lastName: 'Version 0',
              email: `w${n + i}@example.com`,
              phone: `+1415${String(6_000_000 + n + i).padStart(7, '0')}`,
            }),
          ),
        );
        ids.push(...batch.map((b) => b.contact.id));
      }
      for (let version = 1; version <= UPDATES; version++) {
        for (let n = 0; n < ids.length; n += 20) {
          await Promise.all(
            ids
              .slice(n, n + 20)
              .map((id) => api('PUT', `/contacts/${id}`, { lastName: `Version ${version}` })),
          );
        }
      }

      const leads = await eventually(
        async () => {
          const state = await operatorJson<{ leads: { ExternalId: string; LastName: string }[] }>(
            `${tt.url}/__sandbox/state`,
          );
          const mine = state.leads.filter((l) => ids.includes(l.ExternalId));
          return mine.length === CONTACTS && mine.every((l) => l.LastName === `Version ${UPDATES}`)
            ? state.leads
            : undefined;
        },
        'every lead in its newest state',
        240_000,
      );
      const perContact = new Map<string, number>();
      for (const lead of leads) {
        perContact.set(lead.ExternalId, (perContact.get(lead.ExternalId) ?? 0) + 1);
      }
      assert.equal(
        [...perContact.values()].filter((n) => n > 1).length,
        0,
        'no contact has two leads',
      );
      assert.equal(leads.length, CONTACTS);
      const handled = workers.map(
        (w) =>
          w
            .output()
            .split('\n')
            .filter((line) => line.includes('contact synced')).length,
      );
      assert.ok(
        handled.every((n) => n > 0),
        `every worker ran jobs: ${handled.join(', ')}`,
      );
    });
  },
);
