/**
 * Tasks end to end: ttsync (`ttsync serve`) and both sandboxes as separate processes over HTTP,
 * on both Tenant Turner surfaces. The GHL sandbox sends every TaskCreate without `contactId`
 * (as real GHL does at times); the task still reaches Tenant Turner (extended) or ttsync's
 * timeline (real), and its completion and deletion follow.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import {
  eventually,
  operatorJson,
  runTtsync,
  startGhlSandboxProcess,
  startTtSandboxProcess,
  ttsyncEnv,
} from './support/processes.ts';
import type {
  GhlSandboxProcessInfo,
  RunningProcess,
  TtSandboxProcessInfo,
} from './support/processes.ts';

interface TtTask {
  Title: string;
  TaskStatus: string;
  ExternalId?: string;
}

interface Stack {
  ghl: GhlSandboxProcessInfo;
  tt: TtSandboxProcessInfo;
  ttsync: RunningProcess;
  dataDir: string;
  close(): Promise<void>;
}

async function startStack(surface: 'real' | 'extended'): Promise<Stack> {
  const [ghl, tt] = await Promise.all([
    startGhlSandboxProcess(['--contacts', '0']),
    startTtSandboxProcess(['--surface', surface, '--leads', '0']),
  ]);
  // The CLI's PIT has the contact scopes only; ttsync's tasks need the location task search and
  // the users list too, as a real install's token would have (src/app.ts names the scopes).
  const { accessToken } = await operatorJson<{ accessToken: string }>(
    `${ghl.url}/__sandbox/tokens`,
    'POST',
    {
      kind: 'pit',
      scopes: ['contacts.readonly', 'contacts.write', 'locations/tasks.readonly', 'users.readonly'],
    },
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'ttsync-tasks-e2e-'));
  const ttsync = runTtsync(['serve'], ttsyncEnv({ ...ghl, token: accessToken }, tt, dataDir));
  const [, url = ''] = await ttsync.waitFor(/ttsync serving on (\S+) /);
  await operatorJson(`${ghl.url}/__sandbox/webhooks/subscriptions`, 'POST', {
    url: `${url}/webhooks/ghl`,
  });
  await operatorJson(`${ghl.url}/__sandbox/rate-limit`, 'POST', { enabled: false });
  await operatorJson(`${ghl.url}/__sandbox/faults`, 'POST', { taskCreateWithoutContactRate: 1 });
  return {
    ghl,
    tt,
    ttsync,
    dataDir,
    async close() {
      await Promise.all([ttsync.stop(), ghl.process.stop(), tt.process.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function createContactWithTask(stack: Stack, n: number) {
  const response = await fetch(`${stack.ghl.url}/contacts/`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${stack.ghl.token}`,
      Version: '2021-07-28',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      locationId: stack.ghl.locationId,
      firstName: 'Eve',
      lastName: `Ends ${n}`,
      email: `eve.${n}@example.com`,
      phone: `+1415888${String(n).padStart(4, '0')}`,
    }),
  });
  assert.ok(response.ok, `create contact → ${response.status}`);
  const { contact } = (await response.json()) as { contact: { id: string } };
  const { task } = await operatorJson<{ task: { id: string } }>(
    `${stack.ghl.url}/__sandbox/contacts/${contact.id}/tasks`,
    'POST',
    { title: `Book a showing ${n}` },
  );
  return { contactId: contact.id, taskId: task.id };
}

async function ttTask(stack: Stack, taskId: string): Promise<TtTask | undefined> {
  const state = await operatorJson<{ tasks?: TtTask[] }>(`${stack.tt.url}/__sandbox/state`);
  const found = (state.tasks ?? []).filter((t) => t.ExternalId === taskId);
  assert.ok(found.length <= 1, `one TT task per GHL task, got ${found.length}`);
  return found[0];
}

/** The timeline kinds of a GHL task in ttsync's database. */
function timelineKinds(stack: Stack, taskId: string): string[] {
  const db = new DatabaseSync(join(stack.dataDir, 'ttsync.db'), { readOnly: true });
  try {
    const rows = db
      .prepare(
        `select t.kind as kind from timeline t join links l on l.id = t.link_id
         where l.kind = 'task' and l.ghl_id = ? order by t.id`,
      )
      .all(taskId) as { kind: string }[];
    return rows.map((r) => r.kind);
  } finally {
    db.close();
  }
}

for (const surface of ['extended', 'real'] as const) {
  describe(`tasks end to end (${surface} surface)`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack(surface);
    });
    after(() => stack.close());

    test('a TaskCreate without contactId arrives; completion and deletion follow', async () => {
      const { taskId } = await createContactWithTask(stack, 1);
      const has = (kind: string) => async () =>
        timelineKinds(stack, taskId).includes(kind) ? true : undefined;
      await eventually(has('task_created'), 'the task in the timeline');
      if (surface === 'extended') {
        const created = await eventually(() => ttTask(stack, taskId), 'the TT task');
        assert.equal(created.Title, 'Book a showing 1');
        assert.equal(created.TaskStatus, 'New');
      } else {
        assert.equal(await ttTask(stack, taskId), undefined);
      }

      await operatorJson(`${stack.ghl.url}/__sandbox/tasks/${taskId}`, 'PATCH', {
        completed: true,
      });
      await eventually(has('task_completed'), 'the completion in the timeline');
      if (surface === 'extended') {
        assert.equal((await ttTask(stack, taskId))?.TaskStatus, 'Completed');
      }

      await operatorJson(`${stack.ghl.url}/__sandbox/tasks/${taskId}`, 'DELETE');
      await eventually(has('task_deleted'), 'the deletion in the timeline');
      assert.equal(await ttTask(stack, taskId), undefined);
      assert.deepEqual(timelineKinds(stack, taskId), [
        'task_created',
        'task_completed',
        'task_deleted',
      ]);
    });
  });
}
