/**
 * Known gaps of the vendored GHL spec (`spec/ghl/`), as data for the spec validator: patches that
 * correct a schema everywhere it is used, and response overlays bound to operations. Each entry
 * cites where the gap is documented (a section of /work/shared/reference/ghl-api.md) or, where
 * the spec contradicts itself, the file and JSON pointer that show it. None loosens the spec to
 * make the sandbox pass.
 */
import type { Schema, SpecOverlay, SpecPatch } from './ghl-spec-validator.ts';

/**
 * ghl-api.md §2.2: a contact's `customFields[].value` is typed string, but "in practice the value
 * type varies by field type (webhook schema: string|number|array|object)", e.g. a MONETORY field.
 */
export const GHL_SPEC_PATCHES: readonly SpecPatch[] = [
  'apps/contacts.json',
  'contacts-2025/contacts.json',
].map((file) => ({
  id: `custom-field-value (${file})`,
  file,
  pointer: '/components/schemas/CustomFieldSchema/properties/value',
  schema: { type: ['string', 'number', 'array', 'object'] },
  source: 'ghl-api.md §2.2',
}));

const errorShape = (status: number): Schema => ({
  type: 'object',
  required: ['statusCode', 'message'],
  properties: { statusCode: { type: 'number', enum: [status] }, message: { type: 'string' } },
});

/**
 * Known gaps of the vendored spec (/work/shared/reference/ghl-api.md). Each entry is observed or
 * documented behaviour, never a loosening to make the sandbox pass.
 */
export const GHL_SPEC_OVERLAYS: readonly SpecOverlay[] = [
  {
    // §2.7: the current spec declares the 200 without a schema; the only official one is the 2025
    // file's SearchContactSuccessResponseDto, whose `searchAfter` says string[] although its own
    // example and real responses are [epoch ms, id] (§2.7 table, §11 "Listing and search").
    id: 'search-contacts-200',
    method: 'POST',
    path: '/contacts/search',
    status: 200,
    mode: 'fill',
    source: 'ghl-api.md §2.7',
    schema: {
      $ref: 'contacts-2025/contacts.json#/components/schemas/SearchContactSuccessResponseDto',
    },
    patches: {
      '/properties/contacts/items/properties/searchAfter': {
        type: 'array',
        items: [{ type: 'number' }, { type: 'string' }],
        minItems: 2,
        maxItems: 2,
      },
    },
  },
  {
    // §2.6: the deprecated list also returns `meta` (ContactsMetaSchema, defined in the same file
    // but not referenced); clients page with meta.startAfter + meta.startAfterId.
    id: 'list-contacts-meta',
    method: 'GET',
    path: '/contacts/',
    status: 200,
    mode: 'extend',
    source: 'ghl-api.md §2.6',
    schema: {
      type: 'object',
      required: ['meta'],
      properties: { meta: { $ref: 'apps/contacts.json#/components/schemas/ContactsMetaSchema' } },
    },
  },
  {
    // §2.3 "Duplicate on create", §11: the 400 for a duplicate carries the existing contact in `meta`.
    id: 'duplicate-contact-400',
    method: 'POST',
    path: '/contacts/',
    status: 400,
    mode: 'extend',
    source: 'ghl-api.md §2.3',
    schema: {
      if: {
        required: ['message'],
        properties: { message: { const: 'This location does not allow duplicated contacts.' } },
      },
      then: {
        required: ['meta'],
        properties: {
          meta: {
            type: 'object',
            required: ['contactId', 'contactName', 'matchingField'],
            properties: {
              contactId: { type: 'string' },
              contactName: { type: 'string' },
              matchingField: { type: 'string' },
            },
          },
        },
      },
    },
  },
  {
    // §2.5: LocationTaskListSuccessfulResponseDto types `tasks` as an array of arrays; the
    // endpoint returns task objects (`{ tasks: [] }`).
    id: 'task-search-200',
    method: 'POST',
    path: '/locations/{locationId}/tasks/search',
    status: 200,
    mode: 'replace',
    source: 'ghl-api.md §2.5',
    schema: {
      $ref: 'apps/locations.json#/components/schemas/LocationTaskListSuccessfulResponseDto',
    },
    patches: { '/properties/tasks/items': { type: 'object' } },
  },
  // The spec contradicts itself: apps/calendars.json
  // #/components/schemas/CalendarEventDTO/properties/{startTime,endTime,dateAdded,dateUpdated}
  // are `"type": "object"` while each one's own `example` is the ISO 8601 string
  // "2023-09-25T16:00:00+05:30", and ghl-api.md §2.8 and §5 (AppointmentCreate/Update webhook payloads)
  // show these times as strings. Only the type is corrected to string; they stay required.
  ...(
    [
      [
        '/calendars/events',
        'get-calendar-events',
        'GetCalendarEventsSuccessfulResponseDTO',
        '/properties/events/items/properties',
      ],
      [
        '/calendars/events/appointments/{eventId}',
        'get-appointment',
        'GetCalendarEventSuccessfulResponseDTO',
        '/properties/event/properties',
      ],
    ] as const
  ).map(([path, operationId, dto, at]) => ({
    id: `${operationId}-times`,
    method: 'GET',
    path,
    status: 200,
    mode: 'replace' as const,
    source: 'apps/calendars.json CalendarEventDTO examples; ghl-api.md §2.8',
    schema: { $ref: `apps/calendars.json#/components/schemas/${dto}` },
    patches: Object.fromEntries(
      ['startTime', 'endTime', 'dateAdded', 'dateUpdated'].map((field) => [
        `${at}/${field}`,
        { type: 'string' },
      ]),
    ),
  })),
  // §2.10: most operations declare 400/401/422 with the common DTOs; where one does not (or, like
  // POST /contacts/search, declares the status without a body), the common DTO applies.
  ...(
    [
      [400, 'BadRequestDTO'],
      [401, 'UnauthorizedDTO'],
      [422, 'UnprocessableDTO'],
    ] as const
  ).map(([status, dto]) => ({
    id: `common-${status}`,
    method: '*',
    path: '*',
    status,
    mode: 'fill' as const,
    source: 'ghl-api.md §2.10',
    schema: { $ref: `common/common-schemas.json#/components/schemas/${dto}` },
  })),
  // §2.10: 403 (InvalidLocationDTO, declared only in other service files), 404 (v3 NotFoundDTO) and
  // 429 (§4) are declared nowhere in these files; all are `{ statusCode, message }`.
  ...[403, 404, 429].map((status) => ({
    id: `error-${status}`,
    method: '*',
    path: '*',
    status,
    mode: 'fill' as const,
    source: 'ghl-api.md §2.10',
    schema: errorShape(status),
  })),
];
