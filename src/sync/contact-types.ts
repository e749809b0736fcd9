/**
 * The contact sync's shared types: its dependencies, a job, the plan phase 1 makes and the
 * effect phase 3 produces (see `contact-sync.ts`).
 */
import type { Kysely, Transaction } from 'kysely';
import type { GhlClient } from '../ghl/client.ts';
import type { Lane } from '../ghl/rate-limiter.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Link } from '../store/links.ts';
import type { AuditEntry, ChangeRecord, SnapshotWrite } from '../store/records.ts';
import type { Database } from '../store/schema.ts';
import type { TenantTurnerClient } from '../tenant-turner/client.ts';
import type { ContactLike, LeadFields } from './contact-mapping.ts';
import type { Mapping } from './mapping-config.ts';
import type { RentalDirectory } from './rental-directory.ts';

/** What the sync needs. */
export interface ContactSyncDeps {
  db: Kysely<Database>;
  ghl: GhlClient;
  tt: TenantTurnerClient;
  mapping: Mapping;
  rentals: RentalDirectory;
  clock: Clock;
  logger: Logger;
}

/** One contact to bring across. */
export interface ContactSyncJob {
  locationId: string;
  contactId: string;
  /** What asked: a webhook event type, or `backfill`, `poll`, `reconcile`. */
  trigger: string;
  eventId?: string | undefined;
  /** The contact as already read (a backfill page), to spare a GHL call. */
  contact?: ContactLike | undefined;
  lane?: Lane | undefined;
  jobId?: string | undefined;
  /**
   * Called inside the transaction that records the outcome, so the caller's own bookkeeping
   * (the queue completing the job) commits with it.
   */
  inTransaction?: ((trx: Transaction<Database>) => Promise<void>) | undefined;
}

/** The lead as ttsync writes it: mapped fields plus the rental. */
export type LeadState = LeadFields & { propertyId?: number };

/** What happened to the contact. */
export type ContactSyncOutcome =
  | { kind: 'created'; applicationId: number }
  | { kind: 'linked_existing'; applicationId: number }
  | { kind: 'updated'; applicationId: number; fields: string[] }
  | { kind: 'not_applied'; applicationId: number; fields: string[]; reason: string }
  | { kind: 'unchanged'; applicationId: number }
  | { kind: 'unlinked' }
  | { kind: 'skipped'; reason: string };

/** Why a lead change is recorded but not sent on a real account. */
export const NO_LEAD_UPDATE = 'not applied: Tenant Turner has no lead update';

/** The mapped contact, ready to compare or write. */
export interface Mapped {
  job: ContactSyncJob;
  lead: LeadState;
  hash: string;
  notes: string[];
  sources: Record<keyof LeadFields, string>;
  sourceTs: number | undefined;
}

/** What phase 1 decided. */
export type ContactPlan =
  | { kind: 'skip'; job: ContactSyncJob; reason: string }
  | { kind: 'unlink'; job: ContactSyncJob; link: Link | undefined }
  | { kind: 'unchanged'; job: ContactSyncJob; link: Link; applicationId: number; mapped: Mapped }
  | { kind: 'create'; job: ContactSyncJob; mapped: Mapped; link?: Link }
  | { kind: 'update'; job: ContactSyncJob; mapped: Mapped; link: Link; applicationId: number };

/** What phase 3 did, for phase 4 to record. */
export interface ContactEffect {
  outcome: ContactSyncOutcome;
  job: ContactSyncJob;
  /** The link to activate with this TT id, or to unlink. */
  link?: { id: string; ttId?: string; state: 'active' | 'unlinked' };
  snapshots: (SnapshotWrite & { linkId: string })[];
  change?: ChangeRecord;
  audit?: AuditEntry;
}
