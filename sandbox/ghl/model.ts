/**
 * The sandbox's in-memory entities. Records are treated as immutable: a write replaces the
 * record, so the delayed search index can keep serving the previous version.
 */

/** Optional string fields of a contact, set and cleared the same way. */
export const CONTACT_TEXT_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'companyName',
  'timezone',
  'source',
  'assignedTo',
  'address1',
  'city',
  'state',
  'country',
  'postalCode',
  'website',
  'dateOfBirth',
  'gender',
  'businessId',
] as const;

export type ContactTextField = (typeof CONTACT_TEXT_FIELDS)[number];

/** DND channels as GHL spells them. */
export const DND_CHANNELS = ['Call', 'Email', 'SMS', 'WhatsApp', 'GMB', 'FB'] as const;
export type DndChannel = (typeof DND_CHANNELS)[number];

export interface DndChannelSetting {
  status: string;
  message?: string;
  code?: string;
}

export type DndSettings = Partial<Record<DndChannel, DndChannelSetting>>;

export interface InboundDndSettings {
  all?: { status: string; message?: string };
}

/** A custom field value as stored and returned: `{ id, value }`, never the key. */
export interface CustomFieldValue {
  id: string;
  value: unknown;
}

export type ContactRecord = { [K in ContactTextField]?: string } & {
  readonly id: string;
  readonly locationId: string;
  additionalEmails: string[];
  tags: string[];
  customFields: CustomFieldValue[];
  dnd: boolean;
  dndSettings?: DndSettings;
  inboundDndSettings?: InboundDndSettings;
  type: string;
  followers: string[];
  readonly dateAddedMs: number;
  dateUpdatedMs: number;
};

export interface TaskRecord {
  readonly id: string;
  readonly locationId: string;
  readonly contactId: string;
  title: string;
  body?: string;
  assignedTo?: string;
  dueDate: string;
  completed: boolean;
  readonly dateAddedMs: number;
}

export interface NoteRecord {
  readonly id: string;
  readonly locationId: string;
  readonly contactId: string;
  body: string;
  userId?: string;
  title?: string;
  color?: string;
  pinned: boolean;
  readonly dateAddedMs: number;
}

export interface AppointmentRecord {
  readonly id: string;
  readonly locationId: string;
  readonly contactId: string;
  calendarId: string;
  groupId: string;
  title: string;
  address?: string;
  notes?: string;
  description?: string;
  meetingLocationType?: string;
  appointmentStatus: string;
  assignedUserId: string;
  users: string[];
  startMs: number;
  endMs: number;
  source: string;
  readonly dateAddedMs: number;
  dateUpdatedMs: number;
}

export interface UserRecord {
  readonly id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  role: 'admin' | 'user';
  locationIds: string[];
}

export interface CustomFieldDefinition {
  readonly id: string;
  readonly locationId: string;
  name: string;
  /** e.g. `contact.rental`. */
  fieldKey: string;
  dataType: string;
  placeholder: string;
  position: number;
  picklistOptions?: string[];
  model: 'contact' | 'opportunity';
}

export interface CalendarRecord {
  readonly id: string;
  readonly locationId: string;
  readonly groupId: string;
  name: string;
}

export interface LocationRecord {
  readonly id: string;
  readonly companyId: string;
  name: string;
  address: string;
  city: string;
  state: string;
  country: string;
  postalCode: string;
  timezone: string;
  /** GHL's "Allow Duplicate Contact" location setting. */
  allowDuplicateContacts: boolean;
}

/** Full name as GHL shows it: first and last joined, trimmed. */
export function contactFullName(contact: ContactRecord): string {
  return [contact.firstName, contact.lastName]
    .filter((part) => part !== undefined && part !== '')
    .join(' ')
    .trim();
}
