/**
 * The Tenant Turner sandbox's records, in memory: rentals (properties), leads (applications),
 * showings, and the modeled tasks, notes and activities (tenant-turner-api.md §2). Field names
 * are camelCase here; `views.ts` renders the PascalCase wire shape.
 */

/** Qualification of a lead (help article 480965). */
export const QUALIFICATION_STATUSES = ['Pending', 'Qualified', 'Disqualified'] as const;
export type QualificationStatus = (typeof QUALIFICATION_STATUSES)[number];

/** Disposition of a lead: Archived is automatic after the idle period, Declined is final. */
export const DISPOSITIONS = ['Active', 'Archived', 'Declined'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Showing statuses; "Completed" is not a Tenant Turner status (help article 3865097). */
export const SHOWING_STATUSES = [
  'Requested',
  'Scheduled',
  'Confirmed',
  'Cancelled',
  'NoShow',
] as const;
export type ShowingStatus = (typeof SHOWING_STATUSES)[number];

export const CANCELLATION_SOURCES = ['Lead', 'User', 'RentalDeactivated', 'Unconfirmed'] as const;
export type CancellationSource = (typeof CANCELLATION_SOURCES)[number];

/** Modeled on Buildium's to-do tasks. */
export const TASK_STATUSES = ['New', 'InProgress', 'Completed', 'Deferred', 'Closed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = ['Low', 'Normal', 'High'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** The property write fields of php-tenant-turner-sdk's PropertyDTO, with ExternalId/Source. */
export const PROPERTY_FIELDS = [
  'Address',
  'Address2',
  'City',
  'State',
  'ZipCode',
  'PropertyType',
  'Community',
  'AssignedUserEmail',
  'SquareFootage',
  'Bedrooms',
  'Bathrooms',
  'RentAmount',
  'DepositAmount',
  'ApplicationFee',
  'LeaseProcessingFee',
  'Description',
  'VirtualTour',
  'ApplicationUrl',
  'DateAvailable',
  'MinimumLeaseTerm',
  'Photos',
  'Occupants',
  'Owners',
  'PropertyFeatures',
  'PropertyAmenities',
  'ExternalId',
  'ExternalSource',
] as const;
export type PropertyField = (typeof PROPERTY_FIELDS)[number];

/** Written as numbers, read back as strings (the evaluation's C2.2). */
export const NUMERIC_PROPERTY_FIELDS: ReadonlySet<string> = new Set([
  'SquareFootage',
  'Bedrooms',
  'Bathrooms',
  'RentAmount',
  'DepositAmount',
  'ApplicationFee',
  'LeaseProcessingFee',
]);

export interface PropertyRecord {
  id: number;
  /** Write fields as last given, canonical names; absent ones read back as null. */
  fields: Partial<Record<PropertyField, unknown>>;
  active: boolean;
  createdMs: number;
  updatedMs: number;
}

export interface LeadRecord {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  propertyId: number | null;
  source: string | null;
  externalId: string | null;
  externalSource: string | null;
  qualification: QualificationStatus;
  disposition: Disposition;
  tenantSelected: boolean;
  createdMs: number;
  updatedMs: number;
  /** When the lead last did something (created, booked, confirmed, came back): the archive clock. */
  lastResponseMs: number;
}

export interface ShowingRecord {
  id: number;
  applicationId: number;
  propertyId: number;
  /** ISO 8601 UTC, as requested. */
  requestedTimes: string[];
  scheduledMs: number | null;
  status: ShowingStatus;
  cancellationSource: CancellationSource | null;
  rescheduled: boolean;
  feedback: string | null;
  notes: string | null;
  externalId: string | null;
  createdMs: number;
  updatedMs: number;
}

export interface TaskRecord {
  id: number;
  applicationId: number;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  /** YYYY-MM-DD. */
  dueDate: string | null;
  assignedToUserEmail: string | null;
  externalId: string | null;
  createdMs: number;
  updatedMs: number;
}

export interface NoteRecord {
  id: number;
  applicationId: number;
  note: string;
  author: string | null;
  externalId: string | null;
  createdMs: number;
  updatedMs: number;
}

export interface ActivityRecord {
  id: number;
  applicationId: number;
  type: string;
  occurredMs: number;
  summary: string;
  /** "TenantTurner" for the sandbox's own events, else the poster's name. */
  source: string;
  /** Id of the showing, task or note the entry is about. */
  refId: string | null;
  externalId: string | null;
}

/** The first showing statuses, from which a showing can still happen. */
export const PENDING_SHOWING_STATUSES: readonly ShowingStatus[] = [
  'Requested',
  'Scheduled',
  'Confirmed',
];
