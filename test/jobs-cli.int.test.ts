/**
 * `ttsync jobs` as a process, on SQLite and on PostgreSQL (a database of its own, since the
 * command reads `DATABASE_URL`), against both sandboxes: appointments that match no Tenant
 * Turner rental die for real (not retryable) and one holds back a later job of its person; the
 * list shows them with their error and `heldBack`, and a stored webhook that could not become a
 * job with its error; usage errors exit 2, unknown ids 1; a discard
 * without `--yes` drops nothing; a retried job runs again and, once the mapping names the
 * rental of its calendar, completes with the job it held back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { systemClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { openStore } from '../src/store/database.ts';
import { recordInboundEvent } from '../src/store/inbox.ts';
import { InboxDispatcher } from '../src/sync/dispatcher.ts';
import type { Store } from '../src/store/database.ts';
import { APPOINTMENT_SYNC_JOB } from '../src/sync/appointment-jobs.ts';
import type { AppointmentLike } from '../src/sync/appointment-mapping.ts';
import { personKey, registerSyncHandlers } from '../src/sync/jobs.ts';
import { operator } from './support/operator.ts';
import { runTtsync } from './support/processes.ts';
import type { RunningProcess } from './support/processes.ts';
import { QueueHarness } from './support/queue-harness.ts';
import { postgresProblem, TEST_PG_URL } from './support/stores.ts';
import type { Sandboxes } from './support/sync-harness.ts';
import { startSandboxes, syncDeps } from './support/sync-harness.ts';

interface ListedJobs {
  counts: { waiting: number; delayed: number; retrying: number; active: number; dead: number };
  inbox: { counts: { failed: number }; failed: { eventId: string; error: string }[] };
  dead: {
    id: string;
    name: string;
    key: string;
    attempts: number;
    heldBack: number;
    diedAt: string;
    error: { code?: string; status?: number; message: string };
    payload: { appointmentId: string };
  }[];
}

const NOWHERE = '9 Nowhere Lane, Atlantis, ZZ 00000';

/** A fresh database for the command: a temporary SQLite directory, or a PostgreSQL database. */
async function database(dialect: 'sqlite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'ttsync-jobs-cli-'));
  if (dialect === 'sqlite') {
    return {
      env: { TTSYNC_DATA_DIR: dir, LOG_LEVEL: 'warn' },
      open: () => openStore({ sqlitePath: join(dir, 'ttsync.db') }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `ttsync_jobs_cli_${process.pid}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    await client.query(query).finally(() => client.end());
  };
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    env: { TTSYNC_DATA_DIR: dir, LOG_LEVEL: 'warn', DATABASE_URL: url.toString() },
    open: () => openStore({ databaseUrl: url.toString() }),
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

const PG_PROBLEM = await postgresProblem();
if (PG_PROBLEM !== undefined && process.env['CI'] === 'true') throw new Error(PG_PROBLEM);

for (const dialect of ['sqlite', 'postgres'] as const) {
  const problem = dialect === 'postgres' ? PG_PROBLEM : undefined;
  void describe(`ttsync jobs [${dialect}]`, () => {
    let boxes: Sandboxes;
    before(async () => {
      boxes = await startSandboxes({ surface: 'extended' });
    });
    after(() => boxes.close());

    test(
      'lists dead jobs with their error and heldBack; retry after the fix; discard',
      {
        skip: problem,
      },
      async () => {
        const db = await database(dialect);
        const queues = new QueueHarness();
        let store: Store | undefined;
        try {
          store = await db.open();
          const locationId = boxes.ghlBox.locationId;
          const book = async (contactId: string, startTime: string) =>
            (
              await operator<{ appointment: AppointmentLike }>(
                boxes.ghlBox,
                'POST',
                `/__sandbox/contacts/${contactId}/appointments`,
                { address: NOWHERE, startTime, appointmentStatus: 'confirmed' },
              )
            ).appointment;
          const person = async (n: number) =>
            boxes.ghl.location(locationId).createContact({
              firstName: 'Dee',
              lastName: `Letter ${n}`,
              email: `dee.letter.${dialect}.${n}@example.com`,
              phone: `+1415777${dialect === 'sqlite' ? 1000 + n : 2000 + n}`,
            });
          const [held, other] = [await person(1), await person(2)];
          const first = await book(held.id, '2026-12-05T09:00:00-05:00');
          const second = await book(held.id, '2026-12-06T09:00:00-05:00');
          const obsolete = await book(other.id, '2026-12-07T09:00:00-05:00');
          // The default mapping has no rental rule: both first appointments die at once.
          const queue = queues.open(store, { databaseUrl: db.env.DATABASE_URL ?? TEST_PG_URL });
          registerSyncHandlers(queue, syncDeps(store, boxes));
          await queue.start();
          const enqueue = (contactId: string, appointment: AppointmentLike) =>
            queue.enqueue(
              APPOINTMENT_SYNC_JOB,
              {
                locationId,
                contactId,
                appointmentId: appointment.id,
                trigger: 'AppointmentCreate',
                appointment: { ...appointment, contactId },
              },
              { key: personKey(locationId, contactId) },
            );
          const { id: firstId } = await enqueue(held.id, first);
          const { id: obsoleteId } = await enqueue(other.id, obsolete);
          await queues.outcomes.wait((o) => o.outcome === 'dead', 'two dead jobs', 2);
          await enqueue(held.id, second);
          // A webhook that was stored but names no contact: the dispatcher fails it.
          await recordInboundEvent(store.db, {
            provider: 'ghl',
            eventId: `wh-no-contact-${dialect}`,
            eventType: 'ContactUpdate',
            locationId,
            payload: JSON.stringify({ type: 'ContactUpdate', locationId }),
            receivedAt: Date.now(),
          });
          const dispatcher = new InboxDispatcher({
            db: store.db,
            queue,
            clock: systemClock,
            logger: silentLogger,
          });
          assert.equal(await dispatcher.dispatchOnce(), 1);
          await queues.stopAll();

          const listed = runTtsync(['jobs', '--json'], db.env);
          assert.equal(await listed.exited, 0, listed.output());
          const before = JSON.parse(listed.output()) as ListedJobs;
          assert.equal(before.counts.dead, 2);
          assert.equal(
            before.counts.waiting,
            1,
            'the second appointment waits behind the dead one',
          );
          const dead = new Map(before.dead.map((job) => [job.id, job]));
          const firstDead = dead.get(firstId);
          assert.ok(firstDead, `job ${firstId} is listed: ${listed.output()}`);
          assert.equal(firstDead.name, APPOINTMENT_SYNC_JOB);
          assert.equal(firstDead.key, personKey(locationId, held.id));
          assert.equal(firstDead.attempts, 1, 'not retried');
          assert.equal(firstDead.heldBack, 1);
          assert.equal(firstDead.error.code, 'validation_failed');
          assert.match(firstDead.error.message, /matches no Tenant Turner rental/);
          assert.ok(
            firstDead.error.message.endsWith(`then run \`ttsync jobs retry ${firstId}\`.`),
            firstDead.error.message,
          );
          assert.equal(dead.get(obsoleteId)?.heldBack, 0);
          assert.equal(before.inbox.counts.failed, 1);
          assert.deepEqual(
            before.inbox.failed.map((e) => [e.eventId, e.error]),
            [[`wh-no-contact-${dialect}`, 'contact event without id or locationId']],
          );

          const text = runTtsync(['jobs'], db.env);
          assert.equal(await text.exited, 0, text.output());
          assert.match(text.output(), /0 delayed, 0 retrying, 0 active, 2 dead/);
          assert.match(text.output(), new RegExp(`${firstId} {2}appointment-sync {2}key `));
          assert.match(text.output(), /after 1 attempt .*holds back 1 job of this person/);
          assert.match(text.output(), /error \(validation_failed\): Appointment /);
          assert.match(
            text.output(),
            /Inbox: 0 received \(not dispatched yet\), 0 dispatched, 0 kept for a later handler, 1 failed\./,
          );
          assert.match(
            text.output(),
            new RegExp(
              `ghl wh-no-contact-${dialect} {2}ContactUpdate {2}received .*: contact event without id`,
            ),
          );

          // Usage errors exit 2 and unknown ids 1 (run side by side: none changes anything).
          const runs: { args: readonly string[]; code: number; run: RunningProcess }[] = [];
          for (const [args, code] of [
            [['jobs', 'retry'], 2],
            [['jobs', 'retry', firstId, '--all'], 2],
            [['jobs', 'discard', obsoleteId, '--all'], 2],
            [['jobs', 'frob'], 2],
            [['jobs', 'retry', `${firstId}0`], 1],
            [['jobs', 'discard', 'no-such-job', '--yes'], 1],
          ] as const) {
            runs.push({ args, code, run: runTtsync([...args], db.env) });
          }
          for (const { args, code, run } of runs) {
            assert.equal(await run.exited, code, `${args.join(' ')}: ${run.output()}`);
          }
          const unsure = runTtsync(['jobs', 'discard', obsoleteId], db.env);
          assert.equal(await unsure.exited, 2, unsure.output());
          assert.match(
            unsure.output(),
            new RegExp(`would drop its change for good: .*${obsolete.id}`),
          );
          assert.match(unsure.output(), /nothing discarded; run again with --yes/);

          const discarded = runTtsync(['jobs', 'discard', obsoleteId, '--yes'], db.env);
          assert.equal(await discarded.exited, 0, discarded.output());
          assert.match(discarded.output(), new RegExp(`Discarded job ${obsoleteId}`));
          const retried = runTtsync(['jobs', 'retry', firstId], db.env);
          assert.equal(await retried.exited, 0, retried.output());
          assert.match(retried.output(), new RegExp(`Retried 1 job \\(${firstId}\\)`));
          const again = runTtsync(['jobs', 'retry', firstId], db.env);
          assert.equal(await again.exited, 1, 'no longer dead');

          const afterRetry = runTtsync(['jobs', '--json'], db.env);
          assert.equal(await afterRetry.exited, 0, afterRetry.output());
          const { counts } = JSON.parse(afterRetry.output()) as ListedJobs;
          assert.equal(counts.dead, 0);
          assert.equal(
            counts.waiting + counts.retrying,
            2,
            'the retried job and the one behind it',
          );

          // The fix: the mapping names the rental of the appointments' calendar.
          const rental = (
            boxes.ttBox.state()['properties'] as { PropertyId: number; IsActive: boolean }[]
          ).find((p) => p.IsActive)?.PropertyId;
          assert.ok(rental && first.calendarId);
          const fixed = queues.open(store, { databaseUrl: db.env.DATABASE_URL ?? TEST_PG_URL });
          const mapping = { appointments: { calendarRentals: { [first.calendarId]: rental } } };
          registerSyncHandlers(fixed, syncDeps(store, boxes, mapping));
          await fixed.start();
          const done = await queues.outcomes.wait(
            (o) => o.outcome === 'completed',
            'the retried job and the one it held back complete',
            2,
          );
          assert.deepEqual(
            done.map((o) => o.jobId === firstId),
            [true, false],
            'in order',
          );
          const showings = boxes.ttBox.state()['showings'] as { ExternalId: string | null }[];
          for (const appointment of [first, second]) {
            assert.ok(showings.some((s) => s.ExternalId === appointment.id));
          }
          assert.ok(!showings.some((s) => s.ExternalId === obsolete.id), 'discarded: never booked');
          await queues.stopAll();
          const empty = runTtsync(['jobs'], db.env);
          assert.equal(await empty.exited, 0, empty.output());
          assert.match(empty.output(), /: 0 waiting, 0 delayed, 0 retrying, 0 active, 0 dead\.\n/);
          assert.doesNotMatch(empty.output(), /Dead jobs/);
        } finally {
          await queues.stopAll();
          await store?.close();
          await db.drop();
        }
      },
    );
  });
}
