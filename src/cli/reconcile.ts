/**
 * `ttsync reconcile [--dry-run] [--heal] [--max-unlink-share 0.05] [--show N]`: compares GHL
 * contacts with Tenant Turner leads and prints the drift; `--heal` fixes it unless the
 * mass-unlink guard trips (then nothing is done and the exit code is 1).
 */
import { parseArgs } from 'node:util';
import { Ttsync } from '../app.ts';
import type { Config } from '../config.ts';
import { scanDrift } from '../sync/reconcile.ts';
import type { DriftItem, DriftReport } from '../sync/reconcile.ts';
import { checkUnlinkGuard, DEFAULT_MAX_UNLINK_SHARE, healDrift } from '../sync/reconcile-heal.ts';
import { processLogger } from './commands.ts';
import { untilSignal } from './signals.ts';

const USAGE = 'Usage: ttsync reconcile [--dry-run] [--heal] [--max-unlink-share 0.05] [--show N]';

/** Runs the command; resolves with the exit code. */
export async function reconcile(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'dry-run': { type: 'boolean' },
      heal: { type: 'boolean' },
      'max-unlink-share': { type: 'string' },
      show: { type: 'string' },
    },
    strict: true,
  });
  const share = Number(values['max-unlink-share'] ?? DEFAULT_MAX_UNLINK_SHARE);
  const show = Number(values.show ?? 10);
  if (
    (values.heal && values['dry-run']) ||
    !(share >= 0 && share <= 1) ||
    !Number.isInteger(show) ||
    show < 0
  ) {
    console.error(USAGE);
    return 2;
  }
  const logger = processLogger(config, 'ttsync-reconcile');
  const app = await Ttsync.open({ config, logger });
  const stop = new AbortController();
  void untilSignal().then(() => stop.abort());
  try {
    const report = await scanDrift(app.deps, { locationId: app.locationId, signal: stop.signal });
    for (const line of formatDriftReport(report, show)) console.log(line);
    const guard = checkUnlinkGuard(report, share);
    if (!values.heal) {
      console.log(
        guard.tripped
          ? `Dry run: --heal would refuse: ${guard.reason ?? ''}`
          : 'Dry run: nothing changed. Run with --heal to fix the drift.',
      );
      return 0;
    }
    const result = await healDrift(app.deps, report, {
      maxUnlinkShare: share,
      signal: stop.signal,
    });
    if (!result.healed) {
      console.error(`ttsync: ${result.guard.reason ?? 'refused to heal'}`);
      return 1;
    }
    const outcomes = Object.entries(result.outcomes).map(([kind, n]) => `${n} ${kind}`);
    console.log(`Healed: ${outcomes.join(', ') || 'nothing to do'}.`);
    for (const failure of result.failures) {
      console.error(`  failed: contact ${failure.contactId ?? '?'}: ${failure.error}`);
    }
    return result.failures.length > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

/** The drift report as printed: counts, then the first `show` items of each kind. */
export function formatDriftReport(report: DriftReport, show: number): string[] {
  const { counts } = report;
  const lines = [
    `Location ${report.locationId}: ${report.contacts} GHL contacts, ${report.activeLinks} linked; ` +
      `drift: ${counts.missing} missing, ${counts.extra} extra, ${counts.different} different` +
      ` (${report.unsyncable} never synced: no email or phone; ` +
      `${report.unconfirmed} not in search but still in GHL)`,
  ];
  for (const kind of ['missing', 'extra', 'different'] as const) {
    const items = report.items.filter((item) => item.kind === kind);
    if (items.length === 0) continue;
    lines.push(`${kind}:`);
    for (const item of items.slice(0, show)) lines.push(`  ${describeItem(item)}`);
    if (items.length > show) lines.push(`  … and ${items.length - show} more`);
  }
  return lines;
}

function describeItem(item: DriftItem): string {
  switch (item.kind) {
    case 'missing':
      return `contact ${item.contactId}: ${item.reason}`;
    case 'extra':
      return `contact ${item.contactId ?? '?'} ↔ lead ${item.link.ttId ?? '?'}: ${item.reason}`;
    case 'different':
      return (
        `contact ${item.contactId} ↔ lead ${item.applicationId}: ` +
        item.fields
          .map((f) => `${f.field} ${JSON.stringify(f.actual)} → ${JSON.stringify(f.expected)}`)
          .join(', ')
      );
  }
}
