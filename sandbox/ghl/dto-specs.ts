/**
 * The request DTOs the sandbox validates, with properties exactly as in spec/ghl (order kept).
 * test/sandbox-ghl-dto.unit.test.ts checks these property lists against the spec files.
 */
import { parseDateOfBirth } from './contact-input.ts';
import type { DtoSpec, FieldCheck, FieldRule } from './dto-validation.ts';

const dateOfBirth: FieldCheck = (key, value) =>
  typeof value === 'string' && parseDateOfBirth(value) !== undefined
    ? []
    : [`${key} must be a valid date`];

const contactFields: Record<string, FieldRule> = {
  firstName: 'string',
  lastName: 'string',
  name: 'string',
  email: 'email',
  locationId: 'string',
  gender: 'string',
  phone: 'string',
  address1: 'string',
  city: 'string',
  state: 'string',
  postalCode: 'string',
  website: 'string',
  timezone: 'string',
  dnd: 'boolean',
  dndSettings: 'object',
  inboundDndSettings: 'object',
  tags: 'stringArray',
  customFields: 'array',
  source: 'string',
  dateOfBirth,
  country: 'string',
  companyName: 'string',
  assignedTo: 'string',
};

function without(fields: Record<string, FieldRule>, ...keys: string[]): Record<string, FieldRule> {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => !keys.includes(key)));
}

export const CREATE_CONTACT: DtoSpec = {
  name: 'CreateContactDto',
  fields: contactFields,
  required: ['locationId'],
};

/** `companyName` is absent from the spec's UpdateContactDto; the `companyNameOnPut` knob allows it. */
export const UPDATE_CONTACT: DtoSpec = {
  name: 'UpdateContactDto',
  fields: without(contactFields, 'locationId', 'gender', 'companyName'),
  required: [],
};

export const UPSERT_CONTACT: DtoSpec = {
  name: 'UpsertContactDto',
  fields: { ...contactFields, createNewIfDuplicateAllowed: 'boolean' },
  required: ['locationId'],
};

const taskFields: Record<string, FieldRule> = {
  title: 'string',
  body: 'string',
  dueDate: 'isoDate',
  completed: 'boolean',
  assignedTo: 'string',
};

export const CREATE_TASK: DtoSpec = {
  name: 'CreateTaskParams',
  fields: taskFields,
  required: ['title', 'dueDate', 'completed'],
};
export const UPDATE_TASK: DtoSpec = { name: 'UpdateTaskBody', fields: taskFields, required: [] };
export const TASK_COMPLETED: DtoSpec = {
  name: 'UpdateTaskStatusParams',
  fields: { completed: 'boolean' },
  required: ['completed'],
};

const noteFields: Record<string, FieldRule> = {
  userId: 'string',
  body: 'string',
  title: 'string',
  color: 'string',
  pinned: 'boolean',
};
export const CREATE_NOTE: DtoSpec = { name: 'NotesDTO', fields: noteFields, required: ['body'] };
export const UPDATE_NOTE: DtoSpec = { name: 'UpdateNoteDTO', fields: noteFields, required: [] };

export const TAGS: DtoSpec = {
  name: 'TagsDTO',
  fields: { tags: 'stringArray' },
  required: ['tags'],
};

export const TASK_SEARCH: DtoSpec = {
  name: 'TaskSearchParamsDto',
  fields: {
    contactId: 'stringArray',
    completed: 'boolean',
    assignedTo: 'stringArray',
    query: 'string',
    limit: 'number',
    skip: 'number',
    businessId: 'string',
  },
  required: [],
};

const appointmentFields: Record<string, FieldRule> = {
  title: 'string',
  meetingLocationType: 'string',
  meetingLocationId: 'string',
  overrideLocationConfig: 'boolean',
  appointmentStatus: 'string',
  assignedUserId: 'string',
  description: 'string',
  address: 'string',
  ignoreDateRange: 'boolean',
  toNotify: 'boolean',
  ignoreFreeSlotValidation: 'boolean',
  rrule: 'string',
  calendarId: 'string',
  locationId: 'string',
  contactId: 'string',
  startTime: 'string',
  endTime: 'string',
};

export const CREATE_APPOINTMENT: DtoSpec = {
  name: 'AppointmentCreateSchema',
  fields: appointmentFields,
  required: ['calendarId', 'locationId', 'contactId', 'startTime'],
};
export const EDIT_APPOINTMENT: DtoSpec = {
  name: 'AppointmentEditSchema',
  fields: without(appointmentFields, 'locationId', 'contactId'),
  required: [],
};

/** Not in the spec (SearchBodyV2DTO is empty); fields per ghl-api.md §2.7. */
export const SEARCH_CONTACTS: DtoSpec = {
  name: 'SearchBodyV2DTO',
  fields: {
    locationId: 'string',
    page: 'number',
    pageLimit: 'number',
    searchAfter: 'array',
    filters: 'array',
    sort: 'array',
    query: 'string',
  },
  required: ['locationId', 'pageLimit'],
};
