/**
 * ttsync and both sandboxes as separate processes over HTTP, started through the `ttsync`
 * command: contacts become leads through webhooks, updates flow or are recorded as not
 * applicable, duplicated and reordered deliveries make no extra lead, and a webhook that could
 * not be stored is answered 429, redelivered by GHL and processed once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { eventually, operatorJson } from './support/processes.ts';
import { startEmptySandboxProcesses, startWiredServe } from './support/sandbox-processes.ts';
import type {
  GhlSandboxProcessInfo,
  RunningProcess,
  TtSandboxProcessInfo,
} from './support/processes.ts';

interface TtLead {
  ApplicationId: number;
  FirstName: string;
  LastName: string;
  Email: string;
  Phone: string;
  ExternalId: string;
}

interface Stack {
  ghl: GhlSandboxProcessInfo;
  tt: TtSandboxProcessInfo;
  ttsync: RunningProcess;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

async function startStack(surface: 'real' | 'extended', env: Record<string, string> = {}) {
  const [ghl, tt] = await startEmptySandboxProcesses(surface);
  const { ttsync, url, dataDir, close } = await startWiredServe(ghl, tt, 'ttsync-e2e-', env);
  const stack: Stack = {
    ghl,
    tt,
    ttsync,
    url,
    dataDir,
    close,
  };
  return stack;
}

async function ghlApi<T>(stack: Stack, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${stack.ghl.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${stack.ghl.token}`,
      Version: '2021-07-28',
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(response.ok, `${method} ${path} → ${response.status}`);
  return (await response.json()) as T;
}

async function createContact(stack: Stack, n: number): Promise<string> {
  const { contact } = await ghlApi<{ contact: { id: string } }>(stack, 'POST', '/contacts/', {
    locationId: stack.ghl.locationId,
    firstName: 'Ana',
    lastName: `Lima ${n}`,
    email: `ana.${n}@example.com`,
    phone: `+1415555${String(n).padStart(4, '0')}`,
  });
  return contact.id;
}

async function leads(stack: Stack): Promise<TtLead[]> {
  const state = await operatorJson<{ leads: TtLead[] }>(`${stack.tt.url}/__sandbox/state`);
  return state.leads;
}

async function leadOf(
  stack: Stack,
  contactId: string,
  check: (lead: TtLead) => boolean = () => true,
) {
  return eventually(async () => {
    const found = (await leads(stack)).filter((l) => l.ExternalId === contactId);
    assert.ok(found.length <= 1, `one lead per contact, got ${found.length}`);
    return found[0] && check(found[0]) ? found[0] : undefined;
  }, `the lead of contact ${contactId}`);
}

describe('end to end, extended surface', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack('extended', { SQLITE_BUSY_TIMEOUT_MS: '200' });
  });
  after(() => stack.close());

  test('a new GHL contact appears as a lead with the mapped fields, and its update follows', async () => {
    const id = await createContact(stack, 1);
    const lead = await leadOf(stack, id);
    assert.equal(lead.FirstName, 'Ana');
    assert.equal(lead.LastName, 'Lima 1');
    assert.equal(lead.Email, 'ana.1@example.com');
    assert.equal(lead.Phone, '+14155550001');
    await ghlApi(stack, 'PUT', `/contacts/${id}`, {
      lastName: 'Souza',
      email: 'ANA.S@Example.com',
    });
    const updated = await leadOf(stack, id, (l) => l.LastName === 'Souza');
    assert.equal(updated.Email, 'ana.s@example.com');
    assert.equal(updated.ApplicationId, lead.ApplicationId);
  });

  test('50 duplicated and 50 reordered webhooks make no extra lead and leave the newest state', async () => {
    await operatorJson(`${stack.ghl.url}/__sandbox/faults`, 'POST', {
      webhookDuplicateRate: 1,
      webhookReorder: true,
    });
    try {
      const ids: string[] = [];
      for (let n = 100; n < 150; n++) ids.push(await createContact(stack, n));
      for (const [i, id] of ids.entries()) {
        await ghlApi(stack, 'PUT', `/contacts/${id}`, { lastName: `Final ${i}` });
      }
      await eventually(async () => {
        const all = await leads(stack);
        const mine = all.filter((l) => ids.includes(l.ExternalId));
        return mine.length === 50 && mine.every((l) => l.LastName.startsWith('Final'))
          ? mine
          : undefined;
      }, '50 leads in their newest state');
      const all = await leads(stack);
      for (const [i, id] of ids.entries()) {
        const mine = all.filter((l) => l.ExternalId === id);
        assert.equal(mine.length, 1, `one lead for contact ${i}`);
        assert.equal(mine[0]?.LastName, `Final ${i}`);
      }
      const deliveries = await operatorJson<{ deliveries: { webhookId: string }[] }>(
        `${stack.ghl.url}/__sandbox/webhooks`,
      );
      const ids100 = deliveries.deliveries.map((d) => d.webhookId);
      assert.ok(ids100.length > new Set(ids100).size, 'GHL really sent duplicates');
    } finally {
      await operatorJson(`${stack.ghl.url}/__sandbox/faults`, 'POST', {
        webhookDuplicateRate: 0,
        webhookReorder: false,
      });
    }
  });

  test('a webhook the inbox cannot store gets a 429, GHL redelivers it, and it is processed once', async () => {
    // Another process holds the database's write lock, as a long backup or a stuck writer would.
    const db = new DatabaseSync(join(stack.dataDir, 'ttsync.db'), { timeout: 10_000 });
    db.exec('BEGIN EXCLUSIVE');
    let id: string;
    try {
      id = await createContact(stack, 7);
      await eventually(async () => {
        const { deliveries } = await operatorJson<{
          deliveries: { type: string; status: number | null }[];
        }>(`${stack.ghl.url}/__sandbox/webhooks`);
        return deliveries.some((d) => d.type === 'ContactCreate' && d.status === 429)
          ? true
          : undefined;
      }, 'a 429 answer to GHL');
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
    const lead = await leadOf(stack, id);
    assert.equal(lead.LastName, 'Lima 7');
    const inbox = new DatabaseSync(join(stack.dataDir, 'ttsync.db'), { readOnly: true });
    try {
      const rows = inbox
        .prepare(`select count(*) as n from inbox where payload like ?`)
        .get(`%${id}%`) as { n: number };
      assert.equal(rows.n, 1, 'the redelivered event is stored once');
    } finally {
      inbox.close();
    }
  });
});

describe('end to end, real surface', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack('real');
  });
  after(() => stack.close());

  test('a contact update that Tenant Turner cannot take is recorded as not applied', async () => {
    const id = await createContact(stack, 2);
    const lead = await leadOf(stack, id);
    await ghlApi(stack, 'PUT', `/contacts/${id}`, { lastName: 'Souza' });
    const note = await eventually(async () => {
      const db = new DatabaseSync(join(stack.dataDir, 'ttsync.db'), { readOnly: true });
      try {
        const row = db
          .prepare(`select outcome, note from versions where outcome = 'not_applied' limit 1`)
          .get() as { outcome: string; note: string } | undefined;
        return row?.note;
      } finally {
        db.close();
      }
    }, 'a not-applied version');
    assert.match(note, /Tenant Turner has no lead update/);
    const [same] = (await leads(stack)).filter((l) => l.ExternalId === id);
    assert.equal(same?.LastName, lead.LastName, 'the lead is unchanged');
  });
});
