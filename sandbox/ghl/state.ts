/**
 * All entity data of a sandbox: the identity plus contacts, the delayed search index, tasks,
 * notes and appointments, and the seeded id stream for records created at run time.
 */
import { ChildStore } from './child-store.ts';
import { ContactStore } from './contact-store.ts';
import type { SandboxIdentity } from './identity.ts';
import { nextId } from './ids.ts';
import type {
  AppointmentRecord,
  CalendarRecord,
  CustomFieldDefinition,
  LocationRecord,
  NoteRecord,
  TaskRecord,
  UserRecord,
} from './model.ts';
import { createPrng } from '../shared/prng.ts';
import type { Prng } from '../shared/prng.ts';
import { SearchIndex } from './search-index.ts';

/** Entity counts, for `/__sandbox/state` and the CLI. */
export interface StateCounts {
  contacts: number;
  tasks: number;
  notes: number;
  appointments: number;
  searchPending: number;
}

export class SandboxState {
  readonly identity: SandboxIdentity;
  readonly seed: number;
  readonly contacts = new ContactStore();
  readonly search: SearchIndex;
  readonly tasks = new ChildStore<TaskRecord>();
  readonly notes = new ChildStore<NoteRecord>();
  readonly appointments = new ChildStore<AppointmentRecord>();
  readonly #runtimeIds: Prng;

  constructor(identity: SandboxIdentity, seed: number, searchDelayMs: number) {
    this.identity = identity;
    this.seed = seed;
    this.search = new SearchIndex(searchDelayMs);
    this.#runtimeIds = createPrng(seed, 'runtime-ids');
  }

  /** A fresh 20-character id, deterministic for a given seed and sequence of writes. */
  newId(): string {
    return nextId(this.#runtimeIds);
  }

  get mainLocation(): LocationRecord {
    const main = this.identity.locations[0];
    if (main === undefined) throw new Error('sandbox identity has no location');
    return main;
  }

  location(id: string): LocationRecord | undefined {
    return this.identity.locations.find((location) => location.id === id);
  }

  usersOf(locationId: string): UserRecord[] {
    return this.identity.users.filter((user) => user.locationIds.includes(locationId));
  }

  customFieldsOf(locationId: string): CustomFieldDefinition[] {
    return this.identity.customFields.filter((field) => field.locationId === locationId);
  }

  calendarsOf(locationId: string): CalendarRecord[] {
    return this.identity.calendars.filter((calendar) => calendar.locationId === locationId);
  }

  counts(): StateCounts {
    return {
      contacts: this.contacts.size,
      tasks: this.tasks.size,
      notes: this.notes.size,
      appointments: this.appointments.size,
      searchPending: this.search.pendingCount,
    };
  }
}
