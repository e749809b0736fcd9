/**
 * Records → the PascalCase wire shapes of tenant-turner-api.md §2: numbers of a property read
 * back as strings, timestamps as whole-second UTC ISO strings, a lead with its showings nested.
 */
import { isoSeconds } from './input.ts';
import type {
  ActivityRecord,
  LeadRecord,
  NoteRecord,
  PropertyRecord,
  ShowingRecord,
  TaskRecord,
} from './model.ts';
import { NUMERIC_PROPERTY_FIELDS, PROPERTY_FIELDS } from './model.ts';
import type { TtState } from './state.ts';

type Dto = Record<string, unknown>;

const LIST_FIELDS = new Set(['Photos', 'Occupants', 'Owners', 'PropertyAmenities']);

function propertyValue(field: string, value: unknown): unknown {
  if (value === undefined || value === null) return LIST_FIELDS.has(field) ? [] : null;
  return NUMERIC_PROPERTY_FIELDS.has(field) && typeof value === 'number' ? String(value) : value;
}

/** `GET /v1/properties/{id}` and the rows of `GET /v1/properties`. */
export function propertyDto(property: PropertyRecord): Dto {
  const dto: Dto = { PropertyId: property.id };
  for (const field of PROPERTY_FIELDS) dto[field] = propertyValue(field, property.fields[field]);
  dto['IsActive'] = property.active;
  dto['DateCreated'] = isoSeconds(property.createdMs);
  dto['DateUpdated'] = isoSeconds(property.updatedMs);
  return dto;
}

/** A row of `GET /v1/properties/sync`. */
export function propertySyncDto(property: PropertyRecord): Dto {
  const text = (field: 'Address' | 'Address2' | 'City' | 'State' | 'ZipCode'): unknown =>
    property.fields[field] ?? null;
  return {
    PropertyId: property.id,
    Address: text('Address'),
    Address2: text('Address2'),
    City: text('City'),
    State: text('State'),
    ZipCode: text('ZipCode'),
    ExternalId: property.fields.ExternalId ?? null,
    ExternalSource: property.fields.ExternalSource ?? null,
  };
}

function time(ms: number | null): string | null {
  return ms === null ? null : isoSeconds(ms);
}

/** `GET /v1/applications/{id}`: the lead with `Showings[]` (id, time, status). */
export function leadDto(lead: LeadRecord, state: TtState): Dto {
  return {
    ApplicationId: lead.id,
    FirstName: lead.firstName,
    LastName: lead.lastName,
    Email: lead.email,
    Phone: lead.phone,
    PropertyId: lead.propertyId,
    Source: lead.source,
    ExternalId: lead.externalId,
    ExternalSource: lead.externalSource,
    QualificationStatus: lead.qualification,
    Disposition: lead.disposition,
    TenantSelected: lead.tenantSelected,
    DateCreated: isoSeconds(lead.createdMs),
    DateUpdated: isoSeconds(lead.updatedMs),
    Showings: state.showings.of(lead.id).map((showing) => ({
      ShowingId: showing.id,
      ScheduledTime: time(showing.scheduledMs),
      Status: showing.status,
    })),
  };
}

/** `GET /v1/showings/{id}`. */
export function showingDto(showing: ShowingRecord): Dto {
  return {
    ShowingId: showing.id,
    ApplicationId: showing.applicationId,
    PropertyId: showing.propertyId,
    RequestedTimes: [...showing.requestedTimes],
    ScheduledTime: time(showing.scheduledMs),
    Status: showing.status,
    CancellationSource: showing.cancellationSource,
    Rescheduled: showing.rescheduled,
    Feedback: showing.feedback,
    Notes: showing.notes,
    ExternalId: showing.externalId,
    DateCreated: isoSeconds(showing.createdMs),
    DateUpdated: isoSeconds(showing.updatedMs),
  };
}

/** Modeled: `GET /v1/tasks/{id}`. */
export function taskDto(task: TaskRecord): Dto {
  return {
    TaskId: task.id,
    ApplicationId: task.applicationId,
    Title: task.title,
    Description: task.description,
    TaskStatus: task.status,
    Priority: task.priority,
    DueDate: task.dueDate,
    AssignedToUserEmail: task.assignedToUserEmail,
    ExternalId: task.externalId,
    DateCreated: isoSeconds(task.createdMs),
    DateUpdated: isoSeconds(task.updatedMs),
  };
}

/** Modeled: `GET /v1/notes/{id}`. */
export function noteDto(note: NoteRecord): Dto {
  return {
    NoteId: note.id,
    ApplicationId: note.applicationId,
    Note: note.note,
    Author: note.author,
    ExternalId: note.externalId,
    DateCreated: isoSeconds(note.createdMs),
    DateUpdated: isoSeconds(note.updatedMs),
  };
}

/** Modeled: a row of `GET /v1/applications/{id}/activities`. */
export function activityDto(activity: ActivityRecord): Dto {
  return {
    ActivityId: activity.id,
    ApplicationId: activity.applicationId,
    Type: activity.type,
    OccurredAt: isoSeconds(activity.occurredMs),
    Summary: activity.summary,
    Source: activity.source,
    RefId: activity.refId,
    ExternalId: activity.externalId,
  };
}
