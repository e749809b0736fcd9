/**
 * The Tenant Turner side of the timeline end to end: `ttsync serve` (with
 * TT_WEBHOOK_SIGNING_KEY, Tenant Turner polling off) and both sandboxes as processes. A GHL
 * contact becomes a lead; the Tenant Turner sandbox's signed webhooks reach `/webhooks/tt` and
 * put the lead's creation and qualification on the person's timeline; `ttsync poll tt` then
 * finds both already there; `ttsync timeline` prints both sides merged.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { eventually, operatorJson, runTtsync, ttsyncEnv } from './support/processes.ts';
import { startEmptySandboxProcesses } from './support/sandbox-processes.ts';

test('Tenant Turner webhooks reach the timeline through ttsync serve; the poll adds nothing', async () => {
  const [ghl, tt] = await startEmptySandboxProcesses('extended');
  const [, signingKey = ''] = await tt.process.waitFor(/webhook signing key (\S+)/);
  const dataDir = mkdtempSync(join(tmpdir(), 'ttsync-tt-serve-'));
  const env = ttsyncEnv(ghl, tt, dataDir, {
    TT_WEBHOOK_SIGNING_KEY: signingKey,
    TT_POLL_INTERVAL_MS: '0',
  });
  const serve = runTtsync(['serve'], env);
  try {
    const [, url = ''] = await serve.waitFor(/ttsync serving on (\S+) /);
    await operatorJson(`${ghl.url}/__sandbox/webhooks/subscriptions`, 'POST', {
      url: `${url}/webhooks/ghl`,
    });
    await operatorJson(`${tt.url}/__sandbox/webhooks/subscriptions`, 'POST', {
      Url: `${url}/webhooks/tt`,
    });
    const created = await fetch(`${ghl.url}/contacts/`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${ghl.token}`,
        Version: '2021-07-28',
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        locationId: ghl.locationId,
        firstName: 'Tess',
        lastName: 'Turner',
        email: 'tess.turner@example.com',
        phone: '+14155550177',
      }),
    });
    assert.ok(created.ok);
    const { contact } = (await created.json()) as { contact: { id: string } };
    const lead = await eventually(async () => {
      const state = await operatorJson<{ leads: { ApplicationId: number; ExternalId: string }[] }>(
        `${tt.url}/__sandbox/state`,
      );
      return state.leads.find((l) => l.ExternalId === contact.id);
    }, 'the lead of the new contact');
    await operatorJson(`${tt.url}/__sandbox/applications/${lead.ApplicationId}/qualify`, 'POST');

    const db = new DatabaseSync(join(dataDir, 'ttsync.db'), { readOnly: true });
    try {
      await eventually(async () => {
        const row = db.prepare("select count(*) as n from timeline where source = 'tt'").get() as {
          n: number;
        };
        return row.n >= 2 ? true : undefined;
      }, 'the created and qualified lead on the timeline');
    } finally {
      db.close();
    }

    const poll = runTtsync(['poll', 'tt'], env);
    assert.equal(await poll.exited, 0, poll.output());
    assert.match(
      poll.output(),
      /Polled Tenant Turner leads .*: 0 recorded on the timeline, 1 unchanged/,
    );
    assert.match(poll.output(), /Timeline activities: 0 posted/);

    const timeline = runTtsync(['timeline', 'tess.turner@example.com'], env);
    assert.equal(await timeline.exited, 0, timeline.output());
    const lines = timeline.output().trim().split('\n');
    const tt2 = lines.filter((l) => / tt {6}tt_lead /.test(l));
    assert.equal(tt2.length, 2, timeline.output());
    assert.match(tt2[0] ?? '', /Lead created in Tenant Turner/);
    assert.match(tt2[1] ?? '', /Lead qualified in Tenant Turner/);
    assert.ok(
      lines.some((l) => l.includes('lead_created')),
      'ttsync’s own entry is merged in',
    );
  } finally {
    await Promise.all([serve.stop(), ghl.process.stop(), tt.process.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
