/**
 * Shared setup of the end-to-end tests of a contact's children (tasks, notes, appointments):
 * both sandboxes and `ttsync serve` as processes, the GHL sandbox's webhooks pointed at ttsync,
 * and the reads a user has: Tenant Turner's records, ttsync's store (read-only, as `sqlite3`
 * would), and `ttsync timeline` run as a process with its lines parsed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { GHL_OAUTH_SCOPES } from '../../src/app.ts';
import { eventually, operatorJson, runTtsync } from './processes.ts';
import type { GhlSandboxProcessInfo, RunningProcess, TtSandboxProcessInfo } from './processes.ts';
import { startEmptySandboxProcesses, startWiredServe } from './sandbox-processes.ts';

export type Surface = 'real' | 'extended';

/** Two sandboxes and `ttsync serve`, wired together. */
export interface ChildStack {
  surface: Surface;
  ghl: GhlSandboxProcessInfo;
  tt: TtSandboxProcessInfo;
  ttsync: RunningProcess;
  dataDir: string;
  /** The environment `ttsync` commands of this stack run with. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface ChildStackOptions {
  /** GHL sandbox fault knobs (`POST /__sandbox/faults`). */
  ghlFaults?: Record<string, unknown>;
  /** More environment for ttsync. */
  env?: Record<string, string>;
}

/**
 * Starts the stack. ttsync gets a PIT with the scopes a real install asks for (src/app.ts): the
 * CLI's default PIT has the contact scopes only.
 */
export async function startChildStack(
  surface: Surface,
  options: ChildStackOptions = {},
): Promise<ChildStack> {
  const [ghl, tt] = await startEmptySandboxProcesses(surface);
  const { accessToken } = await operatorJson<{ accessToken: string }>(
    `${ghl.url}/__sandbox/tokens`,
    'POST',
    { kind: 'pit', scopes: GHL_OAUTH_SCOPES },
  );
  const { ttsync, dataDir, env, close } = await startWiredServe(
    { ...ghl, token: accessToken },
    tt,
    `ttsync-children-${surface}-`,
    options.env,
  );
  if (options.ghlFaults) {
    await operatorJson(`${ghl.url}/__sandbox/faults`, 'POST', options.ghlFaults);
  }
  return {
    surface,
    ghl,
    tt,
    ttsync,
    dataDir,
    env,
    close,
  };
}

/** A GHL operator call (`/__sandbox/…` on the GHL sandbox): plays the GHL user, sends webhooks. */
export function ghlOperator<T = Record<string, unknown>>(
  stack: ChildStack,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return operatorJson<T>(`${stack.ghl.url}${path}`, method, body);
}

/** The location's GHL users, read with ttsync's own token (`GET /users/`). */
export async function ghlUsers(stack: ChildStack): Promise<{ id: string; email: string }[]> {
  const response = await fetch(`${stack.ghl.url}/users/?locationId=${stack.ghl.locationId}`, {
    headers: {
      Authorization: `Bearer ${stack.env['GHL_PRIVATE_TOKEN'] ?? ''}`,
      Version: '2021-07-28',
    },
  });
  assert.equal(response.status, 200, 'GET /users/');
  return ((await response.json()) as { users: { id: string; email: string }[] }).users;
}

/** Creates a GHL contact (ContactCreate goes to ttsync) and waits for its lead; the ids. */
export async function contactWithLead(
  stack: ChildStack,
  name: string,
  n: number,
): Promise<{ contactId: string; email: string; leadId: number }> {
  const email = `${name.toLowerCase()}.${n}@example.com`;
  const { contact } = await ghlOperator<{ contact: { id: string } }>(
    stack,
    'POST',
    '/__sandbox/contacts',
    {
      firstName: name,
      lastName: `E2e ${n}`,
      email,
      phone: `+1415777${String(n).padStart(4, '0')}`,
    },
  );
  const lead = await eventually(async () => {
    const { leads } = await ttState<{ leads: { ApplicationId: number; ExternalId: string }[] }>(
      stack,
    );
    return leads.find((l) => l.ExternalId === contact.id);
  }, `the lead of contact ${contact.id}`);
  return { contactId: contact.id, email, leadId: lead.ApplicationId };
}

/** The Tenant Turner sandbox's records (`GET /__sandbox/state`). */
export function ttState<T>(stack: ChildStack): Promise<T> {
  return operatorJson<T>(`${stack.tt.url}/__sandbox/state`);
}

/** The one Tenant Turner record of `list` whose ExternalId is `ghlId` (fails on duplicates). */
export async function ttRecordOf<T extends { ExternalId?: string | null }>(
  stack: ChildStack,
  list: 'tasks' | 'notes' | 'showings',
  ghlId: string,
): Promise<T | undefined> {
  const state = await ttState<Record<string, T[] | undefined>>(stack);
  const found = (state[list] ?? []).filter((r) => r.ExternalId === ghlId);
  assert.ok(found.length <= 1, `one Tenant Turner ${list} record per GHL id, got ${found.length}`);
  return found[0];
}

/** Runs `read` against ttsync's SQLite store, opened read-only. */
export function readStore<T>(stack: ChildStack, read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(stack.dataDir, 'ttsync.db'), { readOnly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/**
 * The `timestamp` (or another time `field`) GHL sent with its one `type` webhook about record
 * `id`, from ttsync's inbox.
 */
export function webhookTimestamp(
  stack: ChildStack,
  type: string,
  id: string,
  field: 'timestamp' | 'dateAdded' = 'timestamp',
): string {
  const rows = readStore(stack, (db) =>
    db
      .prepare(`select payload from inbox where event_type = ? and payload like ?`)
      .all(type, `%${id}%`),
  ) as { payload: string }[];
  assert.equal(rows.length, 1, `one ${type} of ${id} in the inbox`);
  const time = (JSON.parse(rows[0]?.payload ?? '{}') as Record<string, unknown>)[field];
  assert.equal(typeof time, 'string', `${type} of ${id} has a ${field}`);
  return time as string;
}

/** The timeline kinds of one child record (`kind` link with GHL id `ghlId`), in record order. */
export function childTimelineKinds(
  stack: ChildStack,
  kind: 'task' | 'note' | 'appointment',
  ghlId: string,
): string[] {
  return readStore(stack, (db) =>
    (
      db
        .prepare(
          `select t.kind as kind from timeline t join links l on l.id = t.link_id
           where l.kind = ? and l.ghl_id = ? order by t.id`,
        )
        .all(kind, ghlId) as { kind: string }[]
    ).map((r) => r.kind),
  );
}

/** Waits until the child's timeline has `count` entries; returns their kinds. */
export function childTimelineReaches(
  stack: ChildStack,
  kind: 'task' | 'note' | 'appointment',
  ghlId: string,
  count: number,
): Promise<string[]> {
  return eventually(async () => {
    const kinds = childTimelineKinds(stack, kind, ghlId);
    return kinds.length >= count ? kinds : undefined;
  }, `${count} timeline entries of ${kind} ${ghlId}`);
}

/** One printed line of `ttsync timeline`. */
export interface TimelineLine {
  when: string;
  source: string;
  kind: string;
  summary: string;
  /** A trailing `[…]` after the summary: what became of the entry on Tenant Turner's side. */
  post: string | undefined;
}

/** Runs `ttsync timeline <who>` as a process; its header and entry lines, parsed. */
export async function timelineOf(
  stack: ChildStack,
  who: string,
): Promise<{ header: string; lines: TimelineLine[] }> {
  const proc = runTtsync(['timeline', who], stack.env);
  const code = await proc.exited;
  assert.equal(code, 0, `ttsync timeline ${who} exited ${code}:\n${proc.output()}`);
  const [header = '', ...rest] = proc.output().trimEnd().split('\n');
  const lines = rest.map((line) => {
    const match = /^(\S+)\s+(\S+)\s+(\S+)\s+(.*?)(?: \[([^\]]*)\])?$/.exec(line);
    assert.ok(match, `a timeline line: ${line}`);
    const [, when = '', source = '', kind = '', summary = '', post] = match;
    return { when, source, kind, summary, post };
  });
  assert.match(header, new RegExp(`: ${lines.length} entr(y|ies), oldest first$`));
  return { header, lines };
}

/** The timeline lines of one kind family (`note_`, `task_`, …), in printed order. */
export async function timelineLinesOf(
  stack: ChildStack,
  who: string,
  keep: (line: TimelineLine) => boolean,
): Promise<TimelineLine[]> {
  const { lines } = await timelineOf(stack, who);
  return lines.filter(keep);
}
