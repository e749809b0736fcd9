/**
 * `ttsync reconcile [--dry-run] [--heal] [--max-unlink-share 0.05] [--show N] [--contacts-only]
 * [--days-back 30] [--days-ahead 180]`:
 * compares GHL contacts with Tenant Turner leads, and their tasks, notes and appointments with
 * what ttsync synced, and prints the drift and the GHL calls spent; `--heal` fixes it unless
 * the mass-unlink guard trips (then nothing is done and the exit code is 1).
 */
import { parseArgs } from 'node:util';
import { Ttsync } from '../app.ts';
import type { Config } from '../config.ts';
import type { DriftItem, DriftReport } from '../sync/reconcile.ts';
import type { ChildDriftItem } from '../sync/reconcile-children.ts';
import { reconcileCycle } from '../sync/reconcile-schedule.ts';
import type { HealResult } from '../sync/reconcile-heal.ts';
import { checkUnlinkGuard, DEFAULT_MAX_UNLINK_SHARE } from '../sync/reconcile-guard.ts';
import { CHILD_KINDS } from '../sync/reconcile-sources.ts';
import { processLogger } from './commands.ts';
import { stoppedExit, untilSignal } from './signals.ts';

const USAGE =
  'Usage: ttsync reconcile [--dry-run] [--heal] [--max-unlink-share 0.05] [--show N] ' +
  '[--contacts-only] [--days-back 30] [--days-ahead 180]';

const DAY = 86_400_000;

/** Runs the command; resolves with the exit code. */
export async function reconcile(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'dry-run': { type: 'boolean' },
      heal: { type: 'boolean' },
      'max-unlink-share': { type: 'string' },
      show: { type: 'string' },
      'contacts-only': { type: 'boolean' },
      'days-back': { type: 'string' },
      'days-ahead': { type: 'string' },
    },
    strict: true,
  });
  const share = Number(values['max-unlink-share'] ?? DEFAULT_MAX_UNLINK_SHARE);
  const show = Number(values.show ?? 10);
  const back = Number(values['days-back'] ?? 30);
  const ahead = Number(values['days-ahead'] ?? 180);
  if (
    (values.heal && values['dry-run']) ||
    !(share >= 0 && share <= 1) ||
    ![show, back, ahead].every((n) => Number.isInteger(n) && n >= 0) ||
    back + ahead === 0
  ) {
    console.error(USAGE);
    return 2;
  }
  const logger = processLogger(config, 'ttsync-reconcile');
  const app = await Ttsync.open({ config, logger });
  const stop = new AbortController();
  void untilSignal().then(() => stop.abort());
  try {
    console.log(`Reconciling location ${app.locationId}…`);
    const { report, heal: result } = await reconcileCycle(app.deps, {
      locationId: app.locationId,
      signal: stop.signal,
      children: values['contacts-only'] !== true,
      window: { start: Date.now() - back * DAY, end: Date.now() + ahead * DAY },
      heal: values.heal === true,
      maxUnlinkShare: share,
    });
    for (const line of formatDriftReport(report, show)) console.log(line);
    const guard = checkUnlinkGuard(report, share);
    if (!result) {
      console.log(
        guard.tripped
          ? `Dry run: --heal would refuse: ${guard.reason ?? ''}`
          : 'Dry run: nothing changed. Run with --heal to fix the drift.',
      );
      return 0;
    }
    if (!result.healed) {
      console.error(`ttsync: ${result.guard.reason ?? 'refused to heal'}`);
      return 1;
    }
    console.log(formatHeal(result));
    for (const failure of result.failures) {
      const what = failure.child ? `, ${failure.child}` : '';
      console.error(`  failed: contact ${failure.contactId ?? '?'}${what}: ${failure.error}`);
    }
    return result.failures.length > 0 ? 1 : 0;
  } catch (error) {
    return stoppedExit(
      stop.signal,
      error,
      'nothing half-done is left: run it again for a full cycle',
    );
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
    listItems(lines, kind, items.map(describeItem), show);
  }
  const children = report.children;
  if (children) {
    for (const child of CHILD_KINDS) {
      const c = children.counts[child];
      lines.push(
        `${child}s: ${children.seen[child]} in GHL, ${children.activeLinks[child]} linked; ` +
          `drift: ${c.missing} missing, ${c.extra} extra, ${c.different} different ` +
          `(${children.skipped[child]} of contacts ttsync does not sync; ` +
          `${children.unconfirmed[child]} not listed but still in GHL)`,
      );
      for (const kind of ['missing', 'extra', 'different'] as const) {
        const items = children.items.filter((i) => i.child === child && i.kind === kind);
        listItems(lines, `${child} ${kind}`, items.map(describeChild), show);
      }
    }
    const from = new Date(children.window.start).toISOString().slice(0, 10);
    const to = new Date(children.window.end).toISOString().slice(0, 10);
    lines.push(`Appointments read from ${from} to ${to}.`);
    if (children.ttCalls > 0) {
      lines.push(`Tenant Turner calls (tasks and notes of linked people): ${children.ttCalls}.`);
    }
  }
  lines.push(`GHL calls: ${report.ghlCalls}.`);
  return lines;
}

/** What a heal did, in one line. */
export function formatHeal(result: HealResult): string {
  const parts = Object.entries(result.outcomes).map(([kind, n]) => `${n} ${kind}`);
  for (const child of CHILD_KINDS) {
    for (const [kind, n] of Object.entries(result.childOutcomes[child])) {
      parts.push(`${n} ${child} ${kind}`);
    }
  }
  return `Healed: ${parts.join(', ') || 'nothing to do'} (GHL calls: ${result.ghlCalls}).`;
}

function listItems(lines: string[], title: string, items: string[], show: number): void {
  if (items.length === 0) return;
  lines.push(`${title}:`);
  for (const item of items.slice(0, show)) lines.push(`  ${item}`);
  if (items.length > show) lines.push(`  … and ${items.length - show} more`);
}

function describeChild(item: ChildDriftItem): string {
  const head = `${item.child} ${item.ghlId} of contact ${item.contactId}`;
  switch (item.kind) {
    case 'missing':
    case 'extra':
      return `${head}: ${item.reason}`;
    case 'different':
      return `${head}: ${describeFields(item.fields)}`;
  }
}

function describeFields(fields: { field: string; expected: unknown; actual: unknown }[]): string {
  return fields
    .map((f) => `${f.field} ${JSON.stringify(f.actual)} → ${JSON.stringify(f.expected)}`)
    .join(', ');
}

function describeItem(item: DriftItem): string {
  switch (item.kind) {
    case 'missing':
      return `contact ${item.contactId}: ${item.reason}`;
    case 'extra':
      return `contact ${item.contactId ?? '?'} ↔ lead ${item.link.ttId ?? '?'}: ${item.reason}`;
    case 'different':
      return `contact ${item.contactId} ↔ lead ${item.applicationId}: ${describeFields(item.fields)}`;
  }
}
