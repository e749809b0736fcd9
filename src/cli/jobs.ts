/**
 * `ttsync jobs [--json]`, `ttsync jobs retry <id>|--all`, `ttsync jobs discard <id> --yes`: the
 * job queue's counts and its dead-letter list, and the two ways out of it (docs/queue.md "Dead
 * letters"); with the counts, the inbox's, and the webhooks that could not become jobs. A dead
 * job holds its person's key, so later changes of that person wait until it is retried (after
 * fixing what its error says) or discarded. Opens the store and the queue without starting
 * workers (a running `ttsync serve` or `ttsync worker` runs what is retried); no GHL or Tenant
 * Turner calls, so no credentials are needed.
 */
import { parseArgs } from 'node:util';
import { storeFileFor } from '../config.ts';
import type { Config } from '../config.ts';
import { createJobQueue } from '../queue/index.ts';
import type { DeadJob, JobCounts, JobQueue } from '../queue/index.ts';
import { createLogger } from '../shared/logger.ts';
import { openStore } from '../store/database.ts';
import type { Store } from '../store/database.ts';
import { failedInboxEvents, inboxCounts } from '../store/inbox.ts';

const USAGE = `Usage: ttsync jobs [--json] [--limit N]       counts, and the dead jobs (most recent first)
       ttsync jobs retry <id>|--all [--json]   put dead jobs back at the head of their person
       ttsync jobs discard <id> --yes [--json] drop a dead job and the change it carries`;

/** A dead job's last error, split into what `describeError` put together. */
export interface JobErrorParts {
  code: string | undefined;
  status: number | undefined;
  message: string;
}

/**
 * Splits a stored last error (`describeError` in src/queue/failure-policy.ts: "code, HTTP 422:
 * message", either prefix part optional) into its parts.
 */
export function parseLastError(text: string): JobErrorParts {
  const match = /^(?:([a-z][a-z0-9_]*)(?:, )?)?(?:HTTP (\d{3}))?: ([\s\S]*)$/.exec(text);
  if (!match || (match[1] === undefined && match[2] === undefined)) {
    return { code: undefined, status: undefined, message: text };
  }
  return {
    code: match[1],
    status: match[2] === undefined ? undefined : Number(match[2]),
    message: match[3] ?? '',
  };
}

/** Runs the command; resolves with the exit code. */
export async function jobs(config: Config, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        all: { type: 'boolean' },
        yes: { type: 'boolean' },
        limit: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`ttsync jobs: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action = 'list', id, extra] = positionals;
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  const problem =
    extra !== undefined
      ? `unexpected "${extra}"`
      : !['list', 'retry', 'discard'].includes(action)
        ? `unknown action "${action}"`
        : action === 'list' && (id !== undefined || values.all || values.yes)
          ? 'listing takes no id, --all or --yes'
          : action === 'retry' && (id === undefined) === !values.all
            ? 'retry takes a job id or --all (one of them)'
            : action === 'discard' && (id === undefined || values.all)
              ? 'discard takes one job id (no --all: discard them one by one)'
              : !Number.isInteger(limit) || limit < 1
                ? `--limit takes a whole number ≥ 1, got "${values.limit ?? ''}"`
                : undefined;
  if (problem) {
    console.error(`ttsync jobs: ${problem}.\n${USAGE}`);
    return 2;
  }
  const file = storeFileFor(config);
  if (file.problem) {
    console.error(`ttsync jobs: ${file.problem}`);
    return 1;
  }
  const store = await openStore({
    databaseUrl: config.DATABASE_URL,
    sqlitePath: file.path,
    sqliteSynchronous: config.SQLITE_SYNCHRONOUS,
    sqliteBusyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS,
  });
  const queue = createJobQueue({
    store,
    logger: createLogger({ level: config.LOG_LEVEL, name: 'ttsync-jobs' }),
    ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
  });
  const out = { json: values.json === true, location: store.location };
  try {
    if (action === 'list') return await list(queue, store.db, out, limit);
    if (action === 'retry') return await retry(queue, out, id);
    return await discard(queue, out, id ?? '', values.yes === true);
  } finally {
    await queue.stop({ timeoutMs: 1_000 });
    await store.close();
  }
}

interface Output {
  json: boolean;
  location: string;
}

async function list(queue: JobQueue, db: Store['db'], out: Output, limit: number): Promise<number> {
  const counts = await queue.counts();
  const dead = counts.dead > 0 ? await queue.listDead({ limit }) : [];
  const inbox = await inboxCounts(db);
  const failed = inbox.failed > 0 ? await failedInboxEvents(db, limit) : [];
  if (out.json) {
    const failedJson = failed.map(({ payload: _payload, ...event }) => ({
      ...event,
      receivedAt: new Date(event.receivedAt).toISOString(),
    }));
    console.log(
      JSON.stringify(
        { counts, dead: dead.map(deadJson), inbox: { counts: inbox, failed: failedJson } },
        null,
        2,
      ),
    );
    return 0;
  }
  console.log(`Jobs in ${out.location}: ${countsLine(counts)}.`);
  console.log(
    `Inbox: ${inbox.received} received (not dispatched yet), ${inbox.enqueued} dispatched, ` +
      `${inbox.deferred} kept for a later handler, ${inbox.failed} failed.`,
  );
  if (failed.length > 0) {
    console.log(
      `Inbox events that could not become jobs, most recent first` +
        `${inbox.failed > failed.length ? ` (first ${limit})` : ''}:`,
    );
    for (const event of failed) {
      console.log(
        `  ${event.provider} ${event.eventId}  ${event.eventType}  received ` +
          `${new Date(event.receivedAt).toISOString()}: ${event.error}`,
      );
    }
    console.log(
      'They were verified and stored, and are kept; nothing retries them. What they name is ' +
        'picked up by the polls (contacts, tasks, appointments) or the scheduled reconcile ' +
        '(notes too); `ttsync reconcile --heal` does it now.',
    );
  }
  if (dead.length === 0) return 0;
  console.log(
    `Dead jobs, most recent first${counts.dead > dead.length ? ` (first ${limit})` : ''}:`,
  );
  for (const job of dead) for (const line of describeDead(job)) console.log(line);
  console.log(
    'A dead job holds back the later jobs of its person. Fix what its error says, then run ' +
      '`ttsync jobs retry <id>` (or `--all`); a running `ttsync serve` or `ttsync worker` runs ' +
      'it. If its change is obsolete, `ttsync jobs discard <id> --yes` drops it.',
  );
  return 0;
}

async function retry(queue: JobQueue, out: Output, id: string | undefined): Promise<number> {
  const ids = id !== undefined ? [id] : (await allDead(queue)).map((job) => job.id);
  const retried: string[] = [];
  for (const each of ids) if (await queue.retryDead(each)) retried.push(each);
  if (out.json) console.log(JSON.stringify({ retried }, null, 2));
  if (retried.length === 0) {
    console.error(
      id !== undefined
        ? `ttsync jobs: no dead job ${id} (it may have been retried or discarded already); ` +
            '`ttsync jobs` lists the dead jobs.'
        : 'ttsync jobs: no dead jobs; nothing to retry.',
    );
    return 1;
  }
  if (!out.json) {
    console.log(
      `Retried ${retried.length} job${retried.length === 1 ? '' : 's'} (${retried.join(', ')}): ` +
        'back at the head of their person with a fresh set of attempts. `ttsync serve` or ' +
        '`ttsync worker` runs them; `ttsync jobs` shows whether they died again.',
    );
  }
  return 0;
}

async function discard(queue: JobQueue, out: Output, id: string, yes: boolean): Promise<number> {
  const job = (await allDead(queue)).find((each) => each.id === id);
  if (!job) {
    console.error(
      `ttsync jobs: no dead job ${id} (only dead jobs can be discarded); ` +
        '`ttsync jobs` lists them.',
    );
    return 1;
  }
  if (!yes) {
    console.error(
      `Discarding job ${job.id} would drop ${lostChange(job)}\n` +
        'ttsync jobs: nothing discarded; run again with --yes to discard it.',
    );
    return 2;
  }
  if (!(await queue.discardDead(id))) {
    console.error(`ttsync jobs: job ${id} is no longer dead (retried or discarded meanwhile).`);
    return 1;
  }
  if (out.json) console.log(JSON.stringify({ discarded: deadJson(job) }, null, 2));
  else console.log(`Discarded job ${job.id}, dropping ${lostChange(job)}`);
  return 0;
}

/** Every dead job (listDead pages at 100 by default). */
async function allDead(queue: JobQueue): Promise<DeadJob[]> {
  const { dead } = await queue.counts();
  return dead > 0 ? queue.listDead({ limit: dead + 100 }) : [];
}

/** What discarding `job` loses, and what it releases. */
function lostChange(job: DeadJob): string {
  const n = job.heldBack;
  return (
    `its change for good: ${job.name} of ${job.key} with ${JSON.stringify(job.payload)}. ` +
    `The ${n} job${n === 1 ? '' : 's'} of that person waiting behind it run without it.`
  );
}

function countsLine(c: JobCounts): string {
  return (
    `${c.waiting} waiting, ${c.delayed} delayed, ${c.retrying} retrying, ` +
    `${c.active} active, ${c.dead} dead`
  );
}

function describeDead(job: DeadJob): string[] {
  const error = parseLastError(job.lastError);
  const what = [error.code, error.status === undefined ? undefined : `HTTP ${error.status}`]
    .filter((part) => part !== undefined)
    .join(', ');
  return [
    `  ${job.id}  ${job.name}  key ${job.key}`,
    `    died ${new Date(job.diedAt).toISOString()} after ${job.attempts} attempt` +
      `${job.attempts === 1 ? '' : 's'} (enqueued ${new Date(job.createdAt).toISOString()}); ` +
      `holds back ${job.heldBack} job${job.heldBack === 1 ? '' : 's'} of this person`,
    `    error${what ? ` (${what})` : ''}: ${error.message}`,
  ];
}

function deadJson(job: DeadJob): Record<string, unknown> {
  return {
    id: job.id,
    name: job.name,
    key: job.key,
    attempts: job.attempts,
    createdAt: new Date(job.createdAt).toISOString(),
    diedAt: new Date(job.diedAt).toISOString(),
    heldBack: job.heldBack,
    lastError: job.lastError,
    error: parseLastError(job.lastError),
    payload: job.payload,
  };
}
