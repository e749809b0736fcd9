/**
 * `ttsync reconcile --heal`: fixes the drift `scanDrift` found, behind a mass-delete guard.
 * - missing → `syncContact` (creates the lead, or links the one Tenant Turner already has);
 * - different → the lead's current fields are stored as the Tenant Turner snapshot, then the
 *   contact goes through the contact sync as an update: applied on the extended surface,
 *   recorded as not applied on the real one (which has no lead update), once: a later heal
 *   that finds the same lead already recorded writes nothing;
 * - extra → the link is unlinked with a record; no lead is ever deleted in Tenant Turner.
 * Then the children (reconcile-heal-children.ts), each after the person it belongs to. A
 * person's fixes run in order; several people are healed side by side (`concurrency`, 4).
 *
 * The guard (reconcile-guard.ts): when more than `maxUnlinkShare` of the location's active
 * links of any kind would be unlinked, nothing at all is done and the result says why.
 */
import { getSnapshot, insertAudit, putSnapshots } from '../store/records.ts';
import { updateLink } from '../store/links.ts';
import { contentHash } from './contact-mapping.ts';
import { applyPlan, commitEffects, needsCommit, planContact, syncContact } from './contact-sync.ts';
import type { ContactSyncDeps, ContactSyncJob, ContactSyncOutcome } from './contact-sync.ts';
import type { DriftItem, DriftReport } from './reconcile.ts';
import { checkUnlinkGuard } from './reconcile-guard.ts';
import type { UnlinkGuard } from './reconcile-guard.ts';
import { healChild } from './reconcile-heal-children.ts';
import type { ChildOutcomes } from './reconcile-heal-children.ts';
import { countingGhl } from './reconcile-sources.ts';

export { checkUnlinkGuard, DEFAULT_MAX_UNLINK_SHARE } from './reconcile-guard.ts';
export type { UnlinkGuard } from './reconcile-guard.ts';

/** What a heal did. */
export interface HealResult {
  guard: UnlinkGuard;
  /** False when the guard refused. */
  healed: boolean;
  /** Outcomes by kind (sync outcomes, plus `unlinked` and `failed`). */
  outcomes: Partial<Record<ContactSyncOutcome['kind'] | 'failed', number>>;
  /** Child outcomes by kind (sync outcomes, plus `failed`). */
  childOutcomes: ChildOutcomes;
  failures: { contactId: string | undefined; child?: string; error: string }[];
  /** GHL requests the heal made. */
  ghlCalls: number;
}

/** People healed side by side (each person's own fixes run in order). */
export const DEFAULT_HEAL_CONCURRENCY = 4;

/** Heals `report` unless the guard trips. */
export async function healDrift(
  given: ContactSyncDeps,
  report: DriftReport,
  options: { maxUnlinkShare?: number; signal?: AbortSignal; concurrency?: number } = {},
): Promise<HealResult> {
  const guard = checkUnlinkGuard(report, options.maxUnlinkShare);
  const result: HealResult = {
    guard,
    healed: false,
    outcomes: {},
    childOutcomes: { task: {}, note: {}, appointment: {} },
    failures: [],
    ghlCalls: 0,
  };
  if (guard.tripped) return result;
  const counter = countingGhl(given.ghl);
  const deps = { ...given, ghl: counter.ghl };
  const { locationId } = report;
  const signal = options.signal;
  const fail = (contactId: string | undefined, error: unknown, child?: string): void => {
    const message = error instanceof Error ? error.message : String(error);
    result.failures.push({ contactId, ...(child ? { child } : {}), error: message });
    deps.logger.warn({ contactId, child, err: error }, 'reconcile could not heal');
  };
  // One person's fixes run in order (the person before its children); people run side by side.
  const byPerson = new Map<string, (() => Promise<void>)[]>();
  const plan = (key: string, step: () => Promise<void>): void => {
    byPerson.set(key, [...(byPerson.get(key) ?? []), step]);
  };
  for (const item of report.items) {
    plan(item.contactId ?? `link:${'link' in item ? item.link.id : ''}`, async () => {
      try {
        const outcome = await healOne(deps, locationId, item, signal);
        result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1;
      } catch (error) {
        result.outcomes.failed = (result.outcomes.failed ?? 0) + 1;
        fail(item.contactId, error);
      }
    });
  }
  for (const item of report.children?.items ?? []) {
    plan(item.contactId, async () => {
      const tally = result.childOutcomes[item.child];
      try {
        const outcome = await healChild(deps, locationId, item, signal);
        tally[outcome] = (tally[outcome] ?? 0) + 1;
      } catch (error) {
        tally['failed'] = (tally['failed'] ?? 0) + 1;
        fail(item.contactId, error, `${item.child} ${item.ghlId}`);
      }
    });
  }
  const people = [...byPerson.values()];
  const worker = async (): Promise<void> => {
    for (let steps = people.shift(); steps; steps = people.shift()) {
      for (const step of steps) {
        signal?.throwIfAborted();
        await step();
      }
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_HEAL_CONCURRENCY);
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.ghlCalls = counter.calls();
  result.healed = true;
  return result;
}

async function healOne(
  deps: ContactSyncDeps,
  locationId: string,
  item: DriftItem,
  signal: AbortSignal | undefined,
): Promise<ContactSyncOutcome['kind']> {
  if (item.kind === 'extra') {
    await unlink(deps, item);
    return 'unlinked';
  }
  const job: ContactSyncJob = {
    locationId,
    contactId: item.contactId,
    trigger: 'reconcile',
    lane: 'backfill',
  };
  if (item.kind === 'missing') return (await syncContact(deps, job, signal)).kind;
  // The lead changed in Tenant Turner while the contact did not: the contact's hash matches the
  // last synced one, so record what Tenant Turner holds now and send the contact as an update.
  const hash = contentHash(item.lead);
  if (!(await deps.tt.supports('lead-update', signal))) {
    // Real Tenant Turner cannot take the change: record it once, not on every heal.
    const known = await getSnapshot(deps.db, item.link.id, 'tt');
    if (known?.hash === hash) return 'not_applied';
  }
  const now = deps.clock.now();
  await putSnapshots(deps.db, [{ linkId: item.link.id, side: 'tt', data: item.lead, hash }], now);
  const plan = await planContact(deps, job, signal, item.link);
  const forced =
    plan.kind === 'unchanged'
      ? {
          kind: 'update' as const,
          job,
          mapped: plan.mapped,
          link: plan.link,
          applicationId: plan.applicationId,
        }
      : plan;
  if (forced.kind === 'create') return (await syncContact(deps, job, signal)).kind;
  const effect = await applyPlan(deps, forced, signal);
  if (!needsCommit(effect)) return effect.outcome.kind;
  const [final] = await deps.db.transaction().execute((trx) => commitEffects(trx, deps, [effect]));
  return (final ?? effect).outcome.kind;
}

/** Unlinks a link whose contact or lead is gone, with an audit row; Tenant Turner is untouched. */
async function unlink(
  deps: ContactSyncDeps,
  item: Extract<DriftItem, { kind: 'extra' }>,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await updateLink(trx, item.link.id, { state: 'unlinked' }, now);
    await insertAudit(
      trx,
      [
        {
          actor: 'reconcile',
          action: 'link.unlink',
          targetSide: 'tt',
          targetId: item.link.ttId,
          before: { contactId: item.contactId, applicationId: item.link.ttId },
          result: 'ok',
          detail: `${item.reason}: unlinked; ttsync never deletes in Tenant Turner`,
        },
      ],
      now,
    );
  });
}
