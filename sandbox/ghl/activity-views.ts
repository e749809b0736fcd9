/**
 * Response shapes for tasks (`TaskSchema`), notes (`GetNoteSchema`, no `dateUpdated`), a
 * contact's appointments (`GetEventSchema`, zone-less times) and calendar events
 * (`CalendarEventDTO`, `AppointmentSchemaResponse`).
 */
import type { AppointmentRecord, NoteRecord, TaskRecord, UserRecord } from './model.ts';
import { isoUtc, isoWithOffset, zonelessLocal } from './time-format.ts';

type Json = Record<string, unknown>;

export function taskDto(task: TaskRecord): Json {
  return {
    id: task.id,
    title: task.title,
    body: task.body,
    assignedTo: task.assignedTo,
    dueDate: task.dueDate,
    completed: task.completed,
    contactId: task.contactId,
  };
}

export function noteDto(note: NoteRecord): Json {
  return {
    id: note.id,
    body: note.body,
    userId: note.userId,
    dateAdded: isoUtc(note.dateAddedMs),
    contactId: note.contactId,
    title: note.title,
    color: note.color,
    pinned: note.pinned,
  };
}

/** `GetEventSchema` of `GET /contacts/:id/appointments`: times like `2021-07-16 11:00:00`. */
export function contactEventDto(event: AppointmentRecord, timeZone: string): Json {
  return {
    id: event.id,
    calendarId: event.calendarId,
    status: event.appointmentStatus === 'cancelled' ? 'cancelled' : 'booked',
    title: event.title,
    assignedUserId: event.assignedUserId,
    notes: event.notes,
    startTime: zonelessLocal(event.startMs, timeZone),
    endTime: zonelessLocal(event.endMs, timeZone),
    address: event.address,
    locationId: event.locationId,
    contactId: event.contactId,
    groupId: event.groupId,
    appointmentStatus: event.appointmentStatus,
    users: [...event.users],
    dateAdded: isoUtc(event.dateAddedMs),
    dateUpdated: isoUtc(event.dateUpdatedMs),
    assignedResources: [],
  };
}

/** `CalendarEventDTO` (GET /calendars/events, GET /calendars/events/appointments/:id). */
export function calendarEventDto(event: AppointmentRecord, timeZone: string): Json {
  return {
    id: event.id,
    address: event.address,
    title: event.title,
    calendarId: event.calendarId,
    locationId: event.locationId,
    contactId: event.contactId,
    groupId: event.groupId,
    appointmentStatus: event.appointmentStatus,
    assignedUserId: event.assignedUserId,
    users: [...event.users],
    notes: event.notes,
    description: event.description,
    isRecurring: false,
    startTime: isoWithOffset(event.startMs, timeZone),
    endTime: isoWithOffset(event.endMs, timeZone),
    dateAdded: isoWithOffset(event.dateAddedMs, timeZone),
    dateUpdated: isoWithOffset(event.dateUpdatedMs, timeZone),
    assignedResources: [],
    createdBy: { source: event.source },
  };
}

/** `AppointmentSchemaResponse` (create and edit appointment). */
export function appointmentResponseDto(event: AppointmentRecord, timeZone: string): Json {
  return {
    calendarId: event.calendarId,
    locationId: event.locationId,
    contactId: event.contactId,
    startTime: isoWithOffset(event.startMs, timeZone),
    endTime: isoWithOffset(event.endMs, timeZone),
    title: event.title,
    meetingLocationType: event.meetingLocationType,
    appointmentStatus: event.appointmentStatus,
    assignedUserId: event.assignedUserId,
    address: event.address,
    isRecurring: false,
    id: event.id,
  };
}

/** `UserSchema` / `UserSuccessfulResponseDto`. */
export function userDto(user: UserRecord): Json {
  return {
    id: user.id,
    name: `${user.firstName} ${user.lastName}`,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    phone: user.phone,
    extension: '',
    permissions: { contactsEnabled: true, appointmentsEnabled: true, tagsEnabled: true },
    roles: {
      type: 'account',
      role: user.role,
      locationIds: [...user.locationIds],
      restrictSubAccount: false,
    },
  };
}
