/**
 * The GHL shapes ttsync uses. Each is derived from the generated spec types
 * (`src/ghl/generated/`, pinned GHL OpenAPI files; docs/decisions/0004-ghl-types.md) where the
 * spec is right, plus an overlay for what it leaves out or gets wrong. Every overlay item carries
 * a comment citing the section of ../shared/reference/ghl-api.md that documents the gap.
 */
import type { components as CalendarsApi } from './generated/calendars.ts';
import type { components as Contacts2025Api } from './generated/contacts-2025.ts';
import type { components as ContactsApi } from './generated/contacts.ts';
import type { components as LocationsApi } from './generated/locations.ts';
import type { components as OAuthApi } from './generated/oauth.ts';
import type { components as UsersApi } from './generated/users.ts';

type Contacts = ContactsApi['schemas'];

// ── Shared pieces ─────────────────────────────────────────────────────────────────────────────

/** One channel's DND state (`status`: active | inactive | permanent). */
export type GhlDndSetting = Contacts['DndSettingSchema'];

/** Per-channel DND settings. */
export type GhlDndSettings = Contacts['DndSettingsSchema'] & {
  /** Overlay: real payloads also carry RCS (§2.2, ISS #264). */
  RCS?: GhlDndSetting;
};

/** Inbound DND (`all` channel); writable, never sent in webhooks (§5.1). */
export type GhlInboundDndSettings = Contacts['InboundDndSettingsSchema'];

/**
 * A custom field value as GHL returns it. Overlay: the spec says `string`, but the value type
 * follows the field type (§2.2; webhook schema `string|number|array|object`); boolean and null
 * are admitted too so an unexpected checkbox or cleared value is representable.
 */
export type GhlCustomFieldValue =
  string | number | boolean | null | unknown[] | { [key: string]: unknown };

/** A custom field on a read contact: `{ id, value }`, without the field key (§2.4, ISS #177). */
export interface GhlCustomFieldRead {
  id: string;
  value: GhlCustomFieldValue;
}

/**
 * A custom field to write. Overlay: the spec's `field_value` is ignored in practice; the observed
 * contract is `{ id, fieldValue }` (§2.4). Map keys to ids with `GhlCustomFieldDefinition`.
 */
export interface GhlCustomFieldWrite {
  id: string;
  fieldValue: string | number | string[] | { [key: string]: unknown };
}

/** Where a contact came from. Overlay: real payloads add `sessionSource` (§2.2, ISS #289). */
export type GhlAttributionSource = Contacts['AttributionSource'] & {
  sessionSource?: string | null;
};

/** An extra email on a GET-by-id contact. Overlay: objects there, `string[]` in list/search (§2.2). */
export interface GhlAdditionalEmail {
  email: string;
  [key: string]: unknown;
}

/** An extra phone. Overlay: not in the spec (§2.2, n8n `contact/get.json`). */
export interface GhlAdditionalPhone {
  phone: string;
  phoneLabel?: string;
  [key: string]: unknown;
}

// ── Contacts ──────────────────────────────────────────────────────────────────────────────────

type ContactOverlay = {
  /** Overlay: always present; 20-char id (§2.2). The spec marks every field optional. */
  id: string;
  /** Overlay: always present (§2.2). */
  locationId: string;
  /** Overlay: spec example `"read"` is wrong; observed `"lead"`, `"customer"` assumed (§2.2). */
  type?: 'lead' | 'customer' | (string & {});
  dndSettings?: GhlDndSettings;
  customFields?: GhlCustomFieldRead[];
  attributionSource?: GhlAttributionSource;
  lastAttributionSource?: GhlAttributionSource;
  /** Overlay: observed on GET by id as objects (§2.2, ISS #289). Not writable (§2.3). */
  additionalEmails?: GhlAdditionalEmail[];
  /** Overlay: observed, not in the spec (§2.2). */
  additionalPhones?: GhlAdditionalPhone[];
  /** Overlay: observed, not in the spec (§2.2, n8n `contact/get.json`). */
  createdBy?: { source?: string; channel?: string; sourceId?: string; timestamp?: string };
  /** Overlay: observed, not in the spec (§2.2). */
  followers?: string[];
};

/**
 * A contact as `GET /contacts/{id}`, `PUT` and upsert return it (spec `GetContectByIdSchema`,
 * sic) plus observed fields.
 */
export type GhlContact = Omit<Contacts['GetContectByIdSchema'], keyof ContactOverlay> &
  ContactOverlay;

/**
 * An item of the deprecated `GET /contacts/` (spec `ContactsSearchSchema`). Overlay: the spec
 * lists a fraction of the fields; real items carry `contactName` instead of `name`, raw name
 * parts and the usual contact fields (§2.2, §2.6; Pipedream/n8n samples).
 */
export type GhlListContact = Omit<Contacts['ContactsSearchSchema'], 'id' | 'customFields'> &
  Partial<
    Pick<
      GhlContact,
      | 'firstName'
      | 'lastName'
      | 'phone'
      | 'companyName'
      | 'type'
      | 'dnd'
      | 'dndSettings'
      | 'assignedTo'
      | 'address1'
      | 'city'
      | 'state'
      | 'postalCode'
      | 'website'
      | 'dateOfBirth'
      | 'dateUpdated'
      | 'firstNameLowerCase'
      | 'lastNameLowerCase'
    >
  > & {
    id: string;
    /** Overlay: the list's name field (§2.2). */
    contactName?: string;
    /** Overlay: observed (§2.2, Pipedream). */
    firstNameRaw?: string;
    /** Overlay: observed (§2.2, Pipedream). */
    lastNameRaw?: string;
    /** Overlay: plain strings in list/search (§2.2). */
    additionalEmails?: string[];
    customFields?: GhlCustomFieldRead[];
  };

/** Pagination metadata of the deprecated list. Overlay: the spec response omits `meta` (§2.6). */
export type GhlListMeta = Contacts['ContactsMetaSchema'];

/** A page of the deprecated `GET /contacts/`. Overlay: `meta` as really returned (§2.6). */
export interface GhlListContactsResponse {
  contacts: GhlListContact[];
  meta?: GhlListMeta;
  count?: number;
  traceId?: string;
}

/**
 * An item of `POST /contacts/search`. Only the 2025 contacts spec has this schema (`Contact`,
 * §2.7, §9); the current spec has no response schema at all.
 */
export type GhlSearchContact = Omit<
  Contacts2025Api['schemas']['Contact'],
  'id' | 'searchAfter' | 'additionalEmails' | 'customFields' | 'dndSettings'
> & {
  id: string;
  /** Overlay: `[sortValue, id]`, typed `string[]` in the spec; pass back as `searchAfter` (§2.7). */
  searchAfter: [number, string];
  /** Plain strings here, unlike GET by id (§2.2, §2.7). */
  additionalEmails?: string[];
  customFields?: GhlCustomFieldRead[];
  dndSettings?: GhlDndSettings;
  /** Overlay: absent from the 2025 schema though its lower-case forms are listed (§2.7); unverified. */
  firstName?: string;
  /** Overlay: as `firstName`; unverified (§2.7). */
  lastName?: string;
};

/** A search filter operator (§2.7). `range` takes `{ gte?, lte?, gt?, lt? }`. */
export type GhlSearchOperator =
  'eq' | 'not_eq' | 'contains' | 'not_contains' | 'exists' | 'not_exists' | 'range';

/** One search condition (§2.7); `value` at most 75 characters, none for `exists`/`not_exists`. */
export interface GhlSearchCondition {
  field: string;
  operator: GhlSearchOperator;
  value?:
    | string
    | number
    | boolean
    | (string | number)[]
    | { gte?: string | number; lte?: string | number; gt?: string | number; lt?: string | number };
}

/** A nested group of conditions combined with AND or OR (§2.7). */
export interface GhlSearchGroup {
  group: 'AND' | 'OR';
  filters: GhlSearchFilter[];
}

/** A search filter: a condition or a group. The top level is AND (§2.7). */
export type GhlSearchFilter = GhlSearchCondition | GhlSearchGroup;

/** A sort key of contact search (§2.7). */
export interface GhlSearchSort {
  field: string;
  direction: 'asc' | 'desc';
}

/**
 * The body of `POST /contacts/search`. Overlay: the spec's `SearchBodyV2DTO` is empty (§2.7).
 * `page` reaches at most 10,000 records; beyond that use `searchAfter`. Never send both.
 */
export interface GhlSearchBody {
  locationId: string;
  /** 1..500. */
  pageLimit: number;
  page?: number;
  /** The `searchAfter` of the previous page's last item. */
  searchAfter?: [number, string];
  filters?: GhlSearchFilter[];
  sort?: GhlSearchSort[];
  /** Full-text query, at most 75 characters. */
  query?: string;
}

/** The response of `POST /contacts/search` (§2.7: `{ contacts, total, traceId }`). */
export interface GhlSearchResponse {
  contacts: GhlSearchContact[];
  total: number;
  traceId?: string;
}

/**
 * The response of `GET /contacts/search/duplicate`. Overlay: no schema in the spec and the real
 * shape is unverified (§2.1, §10); assumed `{ contact }`, null when there is no match.
 */
export interface GhlDuplicateResponse {
  contact: GhlContact | null;
  traceId?: string;
}

// ── Contact writes ────────────────────────────────────────────────────────────────────────────

type WriteOverlay = {
  /** Overlay: `{ id, fieldValue }`, not the spec's `field_value` (§2.4). */
  customFields?: GhlCustomFieldWrite[];
  /** Overlay: spec types it `object`; it is a date string in one of 8 formats (§2.3). */
  dateOfBirth?: string | null;
};

/**
 * Input of `POST /contacts/` (spec `CreateContactDto`). `locationId` is optional here because
 * the location-bound client fills it in.
 */
export type GhlCreateContactInput = Omit<
  Contacts['CreateContactDto'],
  'locationId' | keyof WriteOverlay
> &
  WriteOverlay & { locationId?: string };

/**
 * Input of `PUT /contacts/{id}` (spec `UpdateContactDto`). `locationId`, `gender` and
 * `companyName` are not accepted on update (422 "property … should not exist", §2.3), so they
 * are ruled out here. `tags` replaces every tag: change tags with the tag endpoints.
 */
export type GhlUpdateContactInput = Omit<Contacts['UpdateContactDto'], keyof WriteOverlay> &
  WriteOverlay & { locationId?: never; gender?: never; companyName?: never };

/**
 * Input of `POST /contacts/upsert` (spec `UpsertContactDto`). Overlay: `createNewIfDuplicateAllowed`
 * is optional, default false (§2.3). `locationId` is filled in by the client.
 */
export type GhlUpsertContactInput = Omit<
  Contacts['UpsertContactDto'],
  'locationId' | 'createNewIfDuplicateAllowed' | keyof WriteOverlay
> &
  WriteOverlay & { locationId?: string; createNewIfDuplicateAllowed?: boolean };

/**
 * GHL's 400 when a location disallows duplicates. Overlay: not in the spec; seen in several
 * public codebases (§2.3). `meta.contactId` is the existing contact.
 */
export interface GhlDuplicateErrorBody {
  statusCode: 400;
  message: string;
  error?: string;
  traceId?: string;
  meta: {
    contactId: string;
    contactName?: string;
    matchingField: 'email' | 'phone' | (string & {});
  };
}

/**
 * Any GHL error body. Overlay: the spec splits it per status (`BadRequestDTO`,
 * `UnauthorizedDTO`, `UnprocessableDTO`); 422 sends a list of messages (§2.10).
 */
export interface GhlErrorBody {
  statusCode: number;
  message: string | string[];
  error?: string;
  traceId?: string;
}

// ── Tasks, notes, appointments ────────────────────────────────────────────────────────────────

/** A contact task (spec `TaskSchema`). */
export type GhlTask = Omit<Contacts['TaskSchema'], 'id'> & {
  id: string;
  /** Overlay: observed (§2.5, n8n `task/create.json`). */
  businessId?: string;
  /** Overlay: carried by task webhooks (§2.5). */
  dateAdded?: string;
};

/** Input of `POST /contacts/{id}/tasks`: `title`, `dueDate` (ISO) and `completed` required. */
export type GhlCreateTaskInput = Contacts['CreateTaskParams'];

/** Input of `PUT /contacts/{id}/tasks/{taskId}`. Send `dueDate` without milliseconds (§2.5). */
export type GhlUpdateTaskInput = Contacts['UpdateTaskBody'];

/** A contact note (spec `GetNoteSchema`). Notes have no `dateUpdated`: hash the body (§2.5). */
export type GhlNote = Omit<Contacts['GetNoteSchema'], 'id'> & {
  id: string;
  /** Overlay: observed (§2.5, Pipedream `note-updated`). */
  businessId?: string;
  /** Overlay: observed (§2.5). */
  relations?: unknown[];
};

/** Input of `POST /contacts/{id}/notes` (spec `NotesDTO`; `body` required). */
export type GhlNoteInput = Contacts['NotesDTO'];

/** Input of `PUT /contacts/{id}/notes/{noteId}` (spec `UpdateNoteDTO`). */
export type GhlUpdateNoteInput = Contacts['UpdateNoteDTO'];

/**
 * An item of `GET /contacts/{id}/appointments` (spec `GetEventSchema`). Times are zone-less
 * `"YYYY-MM-DD HH:mm:ss"` (§2.8).
 */
export type GhlAppointment = Omit<Contacts['GetEventSchema'], 'id'> & { id: string };

type CalendarEventTimes = 'startTime' | 'endTime' | 'dateAdded' | 'dateUpdated';

/**
 * A calendar event (`GET /calendars/events`, `GET /calendars/events/appointments/{id}`; spec
 * `CalendarEventDTO`, `Version: 2021-04-15`).
 */
export type GhlCalendarEvent = Omit<
  CalendarsApi['schemas']['CalendarEventDTO'],
  CalendarEventTimes
> & {
  /** Overlay: the spec types the times as `object`; its examples and the API use ISO strings (§2.8). */
  startTime: string;
  endTime: string;
  dateAdded: string;
  dateUpdated: string;
};

// ── Location, users, custom field definitions ─────────────────────────────────────────────────

/**
 * A custom field definition from `GET /locations/{id}/customFields?model=contact` (spec
 * `CustomFieldSchema` of the locations API): maps `id` ↔ `fieldKey` (§2.4).
 */
export type GhlCustomFieldDefinition = Omit<LocationsApi['schemas']['CustomFieldSchema'], 'id'> & {
  id: string;
};

/**
 * A user, to resolve `assignedTo` / `userId` (spec `UserSchema`). The subset ttsync reads: the
 * spec's `scopes` (one enum string) and `permissions` are left out.
 */
export type GhlUser = Pick<
  UsersApi['schemas']['UserSchema'],
  'name' | 'firstName' | 'lastName' | 'email' | 'phone' | 'extension' | 'roles' | 'deleted'
> & { id: string };

// ── OAuth ─────────────────────────────────────────────────────────────────────────────────────

type OAuth = OAuthApi['schemas'];

/**
 * `POST /oauth/token` response (spec `GetAccessCodeSuccessfulResponseDto`). Overlay: the token
 * fields are always present (§3.2); `locationId` only for `userType: "Location"`;
 * `approvedLocations`, `installToFutureLocations`, `approveAllLocations` only for Company tokens.
 */
export type GhlTokenResponse = Omit<
  OAuth['GetAccessCodeSuccessfulResponseDto'],
  'access_token' | 'token_type' | 'expires_in' | 'refresh_token' | 'scope' | 'userType'
> & {
  access_token: string;
  token_type: string;
  /** Seconds; 86399 in practice (§3.2). */
  expires_in: number;
  /** Rotating, single-use: persist the new one before using the access token (§3.2). */
  refresh_token: string;
  /** Space-separated scopes. */
  scope: string;
  userType: 'Location' | 'Company';
};

/**
 * `POST /oauth/locationToken` response (spec `GetLocationAccessTokenSuccessfulResponseDto`): a
 * location token minted from an agency token, with no refresh token (§3.2).
 */
export type GhlLocationTokenResponse = Omit<
  OAuth['GetLocationAccessTokenSuccessfulResponseDto'],
  'access_token' | 'expires_in' | 'locationId'
> & {
  /** Overlay: always present (§3.2). */
  access_token: string;
  expires_in: number;
  locationId: string;
};
