/**
 * Where every change becomes visible outside the state: an entry on the lead's activity timeline
 * (modeled `activities`) and, for the 21 webhook events, a signed webhook whose `Data` is the
 * resource as GET returns it.
 */
import type { LeadRecord, PropertyRecord, ShowingRecord } from './model.ts';
import type { TtState } from './state.ts';
import { leadDto, propertyDto, showingDto } from './views.ts';
import type { TtEventType, TtWebhooks } from './webhooks.ts';

/** The Source of the sandbox's own timeline entries. */
export const OWN_SOURCE = 'TenantTurner';

export interface AnnouncerDeps {
  state: () => TtState;
  webhooks: TtWebhooks;
  now: () => number;
}

export class Announcer {
  readonly #deps: AnnouncerDeps;

  constructor(deps: AnnouncerDeps) {
    this.#deps = deps;
  }

  /** A lead event: timeline entry and webhook with the lead. */
  lead(type: TtEventType, lead: LeadRecord, summary: string): void {
    const now = this.#deps.now();
    this.timeline(lead.id, type, summary, null, now);
    this.#deps.webhooks.emit({
      type,
      occurredMs: now,
      applicationId: lead.id,
      ...(lead.propertyId === null ? {} : { propertyId: lead.propertyId }),
      data: leadDto(lead, this.#deps.state()),
    });
  }

  /** A viewing event: timeline entry on the showing's lead and webhook with the showing. */
  showing(type: TtEventType, showing: ShowingRecord, summary: string): void {
    const now = this.#deps.now();
    this.timeline(showing.applicationId, type, summary, String(showing.id), now);
    this.#deps.webhooks.emit({
      type,
      occurredMs: now,
      applicationId: showing.applicationId,
      showingId: showing.id,
      propertyId: showing.propertyId,
      data: showingDto(showing),
    });
  }

  /** A rental event: webhook with the property (rentals have no timeline). */
  rental(type: TtEventType, property: PropertyRecord): void {
    this.#deps.webhooks.emit({
      type,
      occurredMs: this.#deps.now(),
      propertyId: property.id,
      data: propertyDto(property),
    });
  }

  /** A timeline entry only (tasks and notes raise no webhook). */
  timeline(
    applicationId: number,
    type: string,
    summary: string,
    refId: string | null,
    occurredMs = this.#deps.now(),
  ): void {
    const state = this.#deps.state();
    state.activities.put({
      id: state.newId('activity'),
      applicationId,
      type,
      occurredMs,
      summary,
      source: OWN_SOURCE,
      refId,
      externalId: null,
    });
  }
}
