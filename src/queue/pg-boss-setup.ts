/**
 * Starts pg-boss for ttsync's queue: in the store's schema, with its own pool, no cron, its
 * supervisor on (it fails jobs whose worker stopped heartbeating), and ttsync's one queue created
 * with the `key_strict_fifo` policy and settings that never delete a waiting or dead job.
 */
import { PgBoss } from 'pg-boss';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';

/** A waiting or failed job is never swept by pg-boss: ten years, within its int column. */
const RETENTION_SECONDS = 10 * 365 * 24 * 3600;

export interface PgBossSetup {
  databaseUrl: string;
  schema: string;
  queueName: string;
  poolSize: number;
  superviseIntervalSeconds: number;
  heartbeatSeconds: number;
  maxAttempts: number;
  logger: Logger;
}

/** A started pg-boss whose queue `queueName` exists with ttsync's settings. */
export async function startPgBoss(setup: PgBossSetup): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: setup.databaseUrl,
    schema: setup.schema,
    max: setup.poolSize,
    application_name: 'ttsync-queue',
    schedule: false,
    supervise: true,
    superviseIntervalSeconds: setup.superviseIntervalSeconds,
    monitorIntervalSeconds: setup.superviseIntervalSeconds,
    registerInstance: false,
    openTelemetry: { enabled: false },
  });
  boss.on('error', (error) => setup.logger.error({ err: error }, 'pg-boss reported an error'));
  boss.on('warning', (warning) =>
    setup.logger.warn({ detail: warning.message, data: warning.data }, 'pg-boss warning'),
  );
  await boss.start();
  const settings = {
    retryLimit: setup.maxAttempts - 1,
    // Retry times are set per failure, in ms, by the adapter.
    retryDelay: 0,
    retryBackoff: false,
    heartbeatSeconds: setup.heartbeatSeconds,
    // A hard cap pg-boss puts on any one run, heartbeat or not: its maximum, a day.
    expireInSeconds: 24 * 3600,
    // Completed jobs are deleted by the adapter; failed (dead) ones stay until an operator acts.
    deleteAfterSeconds: 0,
    retentionSeconds: RETENTION_SECONDS,
  };
  try {
    await boss.createQueue(setup.queueName, { policy: 'key_strict_fifo', ...settings });
    const existing = await boss.getQueue(setup.queueName);
    if (existing?.policy !== 'key_strict_fifo') {
      throw new AppError(
        'config_invalid',
        `pg-boss queue "${setup.queueName}" exists with policy ${String(existing?.policy)}, which does not keep per-person order; pick another queueName.`,
      );
    }
    await boss.updateQueue(setup.queueName, settings);
  } catch (error) {
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    throw error;
  }
  return boss;
}
