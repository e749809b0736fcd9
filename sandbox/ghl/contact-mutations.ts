/**
 * Contact writes with GHL's semantics: duplicate rules, upsert matching (email, then phone, the
 * phone silently dropped when it belongs to someone else), tags replacing or adding, and the
 * webhooks each change emits (ContactCreate/Update/Delete/TagUpdate/DndUpdate).
 */
import { applyContactInput, normalizePhone, normalizeTags } from './contact-input.ts';
import type { ContactRecord } from './model.ts';
import type { MutationDeps } from './mutation-deps.ts';
import { contactEvent } from './webhook-payloads.ts';

export interface DuplicateMatch {
  contact: ContactRecord;
  matchingField: 'email' | 'phone';
}

export interface UpsertResult {
  contact: ContactRecord;
  isNew: boolean;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((tag) => b.includes(tag));
}

/** Fields whose change is a ContactUpdate (tags and DND have their own events). */
function otherFieldsChanged(before: ContactRecord, after: ContactRecord): boolean {
  const strip = (contact: ContactRecord): Record<string, unknown> => {
    const {
      tags: _tags,
      dnd: _dnd,
      dndSettings: _dndSettings,
      dateUpdatedMs: _updated,
      ...rest
    } = contact;
    return rest;
  };
  return !sameJson(strip(before), strip(after));
}

export class ContactMutations {
  readonly #deps: MutationDeps;

  constructor(deps: MutationDeps) {
    this.#deps = deps;
  }

  /** The first existing contact that a create would duplicate (email first, then phone). */
  findDuplicate(locationId: string, email: unknown, phone: unknown): DuplicateMatch | undefined {
    const { contacts } = this.#deps.state();
    if (typeof email === 'string' && email.trim() !== '') {
      const match = contacts.findByEmail(locationId, email.trim())[0];
      if (match !== undefined) return { contact: match, matchingField: 'email' };
    }
    if (typeof phone === 'string' && phone.trim() !== '') {
      const match = contacts.findByPhone(locationId, normalizePhone(phone))[0];
      if (match !== undefined) return { contact: match, matchingField: 'phone' };
    }
    return undefined;
  }

  /** Creates a contact from a validated body and emits ContactCreate. */
  create(locationId: string, input: Readonly<Record<string, unknown>>): ContactRecord {
    const state = this.#deps.state();
    const now = this.#deps.now();
    const base: ContactRecord = {
      id: state.newId(),
      locationId,
      additionalEmails: [],
      tags: [],
      customFields: [],
      dnd: false,
      type: 'lead',
      followers: [],
      dateAddedMs: now,
      dateUpdatedMs: now,
    };
    const contact = applyContactInput(base, input, state.customFieldsOf(locationId));
    this.#store(contact);
    this.#deps.emit(contactEvent('ContactCreate', contact));
    return contact;
  }

  /** Applies a validated body to an existing contact; emits one event per kind of change. */
  update(existing: ContactRecord, input: Readonly<Record<string, unknown>>): ContactRecord {
    const state = this.#deps.state();
    const next = applyContactInput(existing, input, state.customFieldsOf(existing.locationId));
    return this.#commit(existing, next);
  }

  /** Upsert: match by email then phone, honour the duplicate setting (ghl-api.md §2.3). */
  upsert(locationId: string, input: Readonly<Record<string, unknown>>): UpsertResult {
    const state = this.#deps.state();
    const allowDuplicates = state.location(locationId)?.allowDuplicateContacts ?? false;
    const { createNewIfDuplicateAllowed, ...body } = input;
    if (allowDuplicates && createNewIfDuplicateAllowed === true) {
      return { contact: this.create(locationId, body), isNew: true };
    }
    const email = typeof body['email'] === 'string' ? body['email'].trim() : '';
    const phone = typeof body['phone'] === 'string' ? normalizePhone(body['phone']) : '';
    const byEmail = email === '' ? undefined : state.contacts.findByEmail(locationId, email)[0];
    const byPhone = phone === '' ? undefined : state.contacts.findByPhone(locationId, phone)[0];
    const target = byEmail ?? byPhone;
    if (target === undefined) return { contact: this.create(locationId, body), isNew: true };
    const patch: Record<string, unknown> = { ...body };
    delete patch['gender'];
    if (byEmail !== undefined && byPhone !== undefined && byPhone.id !== byEmail.id)
      delete patch['phone'];
    let base = target;
    const emailLower = email.toLowerCase();
    if (byEmail !== undefined && target.email?.toLowerCase() !== emailLower) {
      // A secondary email matched: it becomes primary and the old primary is dropped (ISS #337).
      base = {
        ...target,
        additionalEmails: target.additionalEmails.filter((e) => e.toLowerCase() !== emailLower),
      };
    }
    const next = applyContactInput(base, patch, state.customFieldsOf(locationId));
    return { contact: this.#commit(target, next), isNew: false };
  }

  /** Adds tags (POST /contacts/:id/tags); emits ContactTagUpdate when the set changed. */
  addTags(existing: ContactRecord, tags: readonly string[]): ContactRecord {
    return this.#commit(existing, {
      ...existing,
      tags: normalizeTags([...existing.tags, ...tags]),
    });
  }

  /** Removes tags (DELETE /contacts/:id/tags). */
  removeTags(existing: ContactRecord, tags: readonly string[]): ContactRecord {
    const drop = new Set(normalizeTags(tags));
    return this.#commit(existing, {
      ...existing,
      tags: existing.tags.filter((tag) => !drop.has(tag)),
    });
  }

  /** Deletes a contact with its tasks, notes and appointments; emits ContactDelete. */
  remove(existing: ContactRecord): void {
    const state = this.#deps.state();
    state.contacts.remove(existing.id);
    state.search.schedule(existing.id, null, this.#deps.now());
    state.tasks.removeForContact(existing.id);
    state.notes.removeForContact(existing.id);
    state.appointments.removeForContact(existing.id);
    this.#deps.emit(contactEvent('ContactDelete', existing));
  }

  #commit(before: ContactRecord, candidate: ContactRecord): ContactRecord {
    const tagsChanged = !sameTags(before.tags, candidate.tags);
    const dndChanged =
      before.dnd !== candidate.dnd || !sameJson(before.dndSettings, candidate.dndSettings);
    const otherChanged = otherFieldsChanged(before, candidate);
    if (!tagsChanged && !dndChanged && !otherChanged) return before;
    const after: ContactRecord = {
      ...candidate,
      dateUpdatedMs: Math.max(this.#deps.now(), before.dateAddedMs),
    };
    this.#store(after);
    if (otherChanged) this.#deps.emit(contactEvent('ContactUpdate', after));
    if (tagsChanged) this.#deps.emit(contactEvent('ContactTagUpdate', after));
    if (dndChanged) this.#deps.emit(contactEvent('ContactDndUpdate', after));
    return after;
  }

  #store(contact: ContactRecord): void {
    const state = this.#deps.state();
    state.contacts.put(contact);
    state.search.schedule(contact.id, contact, this.#deps.now());
  }
}
