/**
 * Tenant Turner resources as ttsync reads them (tenant-turner-api.md §1, §2.1, §2.2): zod
 * schemas over the wire (keys matched case-insensitively, numbers-as-strings and dates
 * normalised, see `wire-codec.ts`) and the camelCase domain types they produce. Rentals, leads
 * and showings are real resources (with modeled field lists); tasks, notes and activities are
 * modeled extensions a real account does not have.
 */
import type { z } from 'zod';
import {
  ciObject,
  optCalendarDate,
  optWireDate,
  optWireEnum,
  optWireId,
  optWireNumber,
  optWireRecord,
  optWireText,
  wireDate,
  wireEnum,
  wireFlag,
  wireId,
  wireList,
  wireText,
} from './wire-codec.ts';

/** Lead qualification (help article 480965-lead-status). */
export const QUALIFICATION_STATUSES = ['Pending', 'Qualified', 'Disqualified'] as const;
/** Lead disposition (help articles 480965, 480978). */
export const DISPOSITIONS = ['Active', 'Archived', 'Declined'] as const;
/** Showing status; "Completed" is not a Tenant Turner status (help articles 3865097, 4339483). */
export const SHOWING_STATUSES = [
  'Requested',
  'Scheduled',
  'Confirmed',
  'Cancelled',
  'NoShow',
] as const;
/** Who or what cancelled a showing. */
export const CANCELLATION_SOURCES = ['Lead', 'User', 'RentalDeactivated', 'Unconfirmed'] as const;
/** Modeled task status (after Buildium's to-do tasks). */
export const TASK_STATUSES = ['New', 'InProgress', 'Completed', 'Deferred', 'Closed'] as const;
/** Modeled task priority. */
export const TASK_PRIORITIES = ['Low', 'Normal', 'High'] as const;

export type QualificationStatus = (typeof QUALIFICATION_STATUSES)[number];
export type Disposition = (typeof DISPOSITIONS)[number];
export type ShowingStatus = (typeof SHOWING_STATUSES)[number];
export type CancellationSource = (typeof CANCELLATION_SOURCES)[number];
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

const addressFields = {
  propertyId: wireId,
  address: wireText,
  address2: optWireText,
  city: wireText,
  state: wireText,
  zipCode: wireText,
  externalId: optWireText,
  externalSource: optWireText,
};

/** One row of `GET /v1/properties/sync`: what ttsync matches free-text addresses against. */
export const rentalAddressSchema = ciObject(addressFields);

/** `GET /v1/properties/{id}`: the write fields of the PHP SDK's PropertyDTO plus the id. */
export const rentalSchema = ciObject({
  ...addressFields,
  propertyType: optWireText,
  community: optWireText,
  assignedUserEmail: optWireText,
  squareFootage: optWireNumber,
  bedrooms: optWireNumber,
  bathrooms: optWireNumber,
  rentAmount: optWireNumber,
  depositAmount: optWireNumber,
  applicationFee: optWireNumber,
  leaseProcessingFee: optWireNumber,
  description: optWireText,
  virtualTour: optWireText,
  applicationUrl: optWireText,
  dateAvailable: optCalendarDate,
  /** "Contact For Details" | "Monthly" | "Six Months" | "One Year" in the PHP SDK. */
  minimumLeaseTerm: optWireText,
  photos: wireList(ciObject({ url: wireText, order: optWireNumber })),
  occupants: wireList(ciObject({ phone: optWireText, email: optWireText })),
  owners: wireList(ciObject({ email: optWireText })),
  /** Feature name → value, as Tenant Turner sends it (keys not normalised). */
  propertyFeatures: optWireRecord,
  propertyAmenities: wireList(wireText),
  /** Whether the rental is live; not in the public sources, read when sent. */
  isActive: wireFlag.optional(),
  dateCreated: optWireDate,
  dateUpdated: optWireDate,
});

/** A showing as nested in a lead. */
const leadShowingSchema = ciObject({
  showingId: wireId,
  scheduledTime: optWireDate,
  status: optWireEnum(SHOWING_STATUSES),
});

/** `GET /v1/applications/{id}` (the modeled field list of §2.1). */
export const leadSchema = ciObject({
  applicationId: wireId,
  firstName: optWireText,
  lastName: optWireText,
  email: optWireText,
  phone: optWireText,
  propertyId: optWireId,
  source: optWireText,
  externalId: optWireText,
  externalSource: optWireText,
  qualificationStatus: wireEnum(QUALIFICATION_STATUSES),
  disposition: wireEnum(DISPOSITIONS),
  tenantSelected: wireFlag,
  dateCreated: wireDate,
  dateUpdated: wireDate,
  showings: wireList(leadShowingSchema),
});

/** `GET /v1/showings/{id}`. */
export const showingSchema = ciObject({
  showingId: wireId,
  applicationId: wireId,
  propertyId: wireId,
  requestedTimes: wireList(wireDate),
  scheduledTime: optWireDate,
  status: wireEnum(SHOWING_STATUSES),
  cancellationSource: optWireEnum(CANCELLATION_SOURCES),
  rescheduled: wireFlag,
  feedback: optWireText,
  notes: optWireText,
  externalId: optWireText,
  dateCreated: wireDate,
  dateUpdated: wireDate,
});

/** Modeled `GET /v1/tasks/{id}`. */
export const taskSchema = ciObject({
  taskId: wireId,
  applicationId: wireId,
  title: wireText,
  description: optWireText,
  taskStatus: wireEnum(TASK_STATUSES),
  priority: optWireEnum(TASK_PRIORITIES),
  dueDate: optCalendarDate,
  assignedToUserEmail: optWireText,
  externalId: optWireText,
  dateCreated: wireDate,
  dateUpdated: wireDate,
});

/** Modeled `GET /v1/notes/{id}`. */
export const noteSchema = ciObject({
  noteId: wireId,
  applicationId: wireId,
  note: wireText,
  author: optWireText,
  externalId: optWireText,
  dateCreated: wireDate,
  dateUpdated: wireDate,
});

/** Modeled timeline entry of `GET /v1/applications/{id}/activities`. */
export const activitySchema = ciObject({
  activityId: wireId,
  applicationId: wireId,
  type: wireText,
  occurredAt: wireDate,
  summary: optWireText,
  /** "TenantTurner" for the service's own events, else the external system's name. */
  source: optWireText,
  refId: optWireText,
});

/** A row of the `/v1/properties/sync` address list. */
export type RentalAddress = z.output<typeof rentalAddressSchema>;
/** A rental (Tenant Turner "property"). */
export type Rental = z.output<typeof rentalSchema>;
/** A lead (Tenant Turner "application"). */
export type Lead = z.output<typeof leadSchema>;
/** A showing (a viewing). */
export type Showing = z.output<typeof showingSchema>;
/** A modeled task on a lead. */
export type Task = z.output<typeof taskSchema>;
/** A modeled note on a lead. */
export type Note = z.output<typeof noteSchema>;
/** A modeled activity-timeline entry. */
export type Activity = z.output<typeof activitySchema>;
