/**
 * Leads (applications) and their state machine (help articles 480965, 480978, 480984, 5183718):
 * qualification Pending → Qualified | Disqualified; disposition Active → Archived after
 * `archiveAfterMs` without a response from the lead, back to Active when the lead returns, and
 * Active | Archived → Declined, which is final; Tenant Selected once, for an active lead that is
 * not disqualified. Contact information is unique: a second lead with the same email or phone is
 * refused with 409 (a returning archived lead is unarchived first). Illegal moves are 422s.
 */
import { duplicateLead, unprocessable } from './http-errors.ts';
import { boundNumber, boundString } from './input.ts';
import type { BoundBody, FieldSpecs } from './input.ts';
import type { LeadRecord } from './model.ts';
import type { LifecycleDeps } from './lifecycle-deps.ts';
import type { TtEventType } from './webhooks.ts';

/** Body of `POST /v1/applications` (and, every field optional, of the modeled PUT). */
export const LEAD_FIELDS: FieldSpecs = {
  FirstName: { kind: 'string', required: true, maxLength: 100 },
  LastName: { kind: 'string', required: true, maxLength: 100 },
  Email: { kind: 'string', required: true, maxLength: 254 },
  Phone: { kind: 'string', required: true, maxLength: 32 },
  PropertyId: { kind: 'integer' },
  Source: { kind: 'string', maxLength: 100 },
  ExternalId: { kind: 'string', maxLength: 100 },
  ExternalSource: { kind: 'string', maxLength: 100 },
};

/** What the TT user can do to a lead from the web app (operator endpoints). */
export type LeadAction = 'qualify' | 'disqualify' | 'decline' | 'select-tenant';

const CONTACT_FIELDS = ['FirstName', 'LastName', 'Email', 'Phone'] as const;

function checkContact(body: BoundBody): void {
  const problems: string[] = [];
  const email = boundString(body, 'Email');
  if (typeof email === 'string' && !/^[^\s@]+@[^\s@]+$/.test(email.trim()))
    problems.push('Email is not a valid email address.');
  const phone = boundString(body, 'Phone');
  if (typeof phone === 'string' && phone.replace(/\D/g, '').length < 7)
    problems.push('Phone is not a valid phone number.');
  if (problems.length > 0) throw unprocessable(...problems);
}

/** Why `action` is illegal for `lead` now, or null when it is allowed. */
export function leadActionError(lead: LeadRecord, action: LeadAction): string | null {
  const who = `Lead ${lead.id}`;
  switch (action) {
    case 'qualify':
    case 'disqualify':
      if (lead.qualification !== 'Pending')
        return `${who} is already ${lead.qualification}; qualification only changes from Pending.`;
      return lead.disposition === 'Declined' ? `${who} is Declined.` : null;
    case 'decline':
      return lead.disposition === 'Declined' ? `${who} is already Declined.` : null;
    case 'select-tenant':
      if (lead.tenantSelected) return `${who} is already the selected tenant.`;
      if (lead.disposition !== 'Active')
        return `${who} is ${lead.disposition}; only an Active lead can be selected as tenant.`;
      return lead.qualification === 'Disqualified'
        ? `${who} is Disqualified and cannot be selected as tenant.`
        : null;
  }
}

export class LeadLifecycle {
  readonly #deps: LifecycleDeps;

  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
  }

  /** Creates a lead from a bound create body; 422 for a bad field, 409 for known contact info. */
  create(body: BoundBody): LeadRecord {
    checkContact(body);
    const { state } = this.#deps;
    const s = state();
    this.#checkProperty(body);
    const email = boundString(body, 'Email') ?? null;
    const phone = boundString(body, 'Phone') ?? null;
    const existing = s.duplicateOf({ email, phone });
    if (existing !== undefined) {
      this.returned(existing);
      throw duplicateLead(existing.id);
    }
    const now = this.#deps.stamp();
    const lead: LeadRecord = {
      id: s.newId('lead'),
      firstName: boundString(body, 'FirstName') ?? '',
      lastName: boundString(body, 'LastName') ?? '',
      email,
      phone,
      propertyId: boundNumber(body, 'PropertyId') ?? null,
      source: boundString(body, 'Source') ?? null,
      externalId: boundString(body, 'ExternalId') ?? null,
      externalSource: boundString(body, 'ExternalSource') ?? null,
      qualification: 'Pending',
      disposition: 'Active',
      tenantSelected: false,
      createdMs: now,
      updatedMs: now,
      lastResponseMs: now,
    };
    s.putLead(lead);
    this.#deps.announce.lead(
      'Lead Created',
      lead,
      `Lead ${lead.firstName} ${lead.lastName} created.`,
    );
    return lead;
  }

  /**
   * Applies a bound update body (modeled `PUT`, or the lead editing their own details). Announces
   * Lead Contact Info Updated when a name, email or phone changed.
   */
  update(lead: LeadRecord, body: BoundBody): void {
    checkContact(body);
    this.#checkProperty(body);
    const email = boundString(body, 'Email');
    const phone = boundString(body, 'Phone');
    const duplicate = this.#deps
      .state()
      .duplicateOf({ email: email ?? null, phone: phone ?? null }, lead.id);
    if (duplicate !== undefined) throw duplicateLead(duplicate.id);
    const before = CONTACT_FIELDS.map((f) => this.#contact(lead, f));
    const text = (name: string, current: string | null): string | null => {
      const value = boundString(body, name);
      return value === undefined ? current : value;
    };
    lead.firstName = text('FirstName', lead.firstName) ?? lead.firstName;
    lead.lastName = text('LastName', lead.lastName) ?? lead.lastName;
    this.#deps.state().setContact(lead, text('Email', lead.email), text('Phone', lead.phone));
    lead.source = text('Source', lead.source);
    lead.externalId = text('ExternalId', lead.externalId);
    lead.externalSource = text('ExternalSource', lead.externalSource);
    const propertyId = boundNumber(body, 'PropertyId');
    if (propertyId !== undefined) lead.propertyId = propertyId;
    lead.updatedMs = this.#deps.stamp();
    if (CONTACT_FIELDS.some((f, i) => this.#contact(lead, f) !== before[i]))
      this.#deps.announce.lead('Lead Contact Info Updated', lead, 'Contact information updated.');
  }

  /** The TT user's action on a lead; 422 when the state machine forbids it. */
  act(lead: LeadRecord, action: LeadAction): void {
    const error = leadActionError(lead, action);
    if (error !== null) throw unprocessable(error);
    const [event, summary]: [TtEventType, string] =
      action === 'qualify'
        ? ['Lead Qualified', 'Lead qualified.']
        : action === 'disqualify'
          ? ['Lead Disqualified', 'Lead disqualified.']
          : action === 'decline'
            ? ['Lead Declined', 'Lead declined.']
            : ['Tenant Selected', 'Lead selected as tenant.'];
    if (action === 'qualify') lead.qualification = 'Qualified';
    if (action === 'disqualify') lead.qualification = 'Disqualified';
    if (action === 'decline') lead.disposition = 'Declined';
    if (action === 'select-tenant') lead.tenantSelected = true;
    lead.updatedMs = this.#deps.stamp();
    this.#deps.announce.lead(event, lead, summary);
  }

  /** Archives an Active lead (the idle rule, or the operator forcing it). */
  archive(lead: LeadRecord): void {
    if (lead.disposition !== 'Active')
      throw unprocessable(
        `Lead ${lead.id} is ${lead.disposition}; only an Active lead is archived.`,
      );
    lead.disposition = 'Archived';
    lead.updatedMs = this.#deps.stamp();
    this.#deps.announce.lead('Lead Archived', lead, 'Lead archived after no response.');
  }

  /** The lead did something: restart the idle clock, and unarchive an archived lead. */
  returned(lead: LeadRecord): void {
    lead.lastResponseMs = this.#deps.now();
    if (lead.disposition !== 'Archived') return;
    lead.disposition = 'Active';
    lead.updatedMs = this.#deps.stamp();
    this.#deps.announce.lead('Lead Unarchived', lead, 'Lead returned and was unarchived.');
  }

  /**
   * Archives every Active, unselected lead idle for `archiveAfterMs`; returns how many, and
   * when the next one can fall due (the earliest idle deadline left; Infinity when none).
   */
  sweep(archiveAfterMs: number): { archived: number; nextDueMs: number } {
    const now = this.#deps.now();
    let archived = 0;
    let nextDueMs = Number.POSITIVE_INFINITY;
    for (const lead of this.#deps.state().leads.values()) {
      if (lead.disposition !== 'Active' || lead.tenantSelected) continue;
      const dueMs = lead.lastResponseMs + archiveAfterMs;
      if (now < dueMs) {
        nextDueMs = Math.min(nextDueMs, dueMs);
        continue;
      }
      this.archive(lead);
      archived++;
    }
    return { archived, nextDueMs };
  }

  #checkProperty(body: BoundBody): void {
    const propertyId = boundNumber(body, 'PropertyId');
    if (typeof propertyId === 'number' && !this.#deps.state().properties.has(propertyId))
      throw unprocessable(`Property ${propertyId} does not exist.`);
  }

  #contact(lead: LeadRecord, field: (typeof CONTACT_FIELDS)[number]): string | null {
    return field === 'FirstName'
      ? lead.firstName
      : field === 'LastName'
        ? lead.lastName
        : field === 'Email'
          ? lead.email
          : lead.phone;
  }
}
