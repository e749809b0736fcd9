/**
 * What ttsync sends to Tenant Turner, in camelCase; `toWire` turns it PascalCase
 * (tenant-turner-api.md §1 "Property write fields", §2.1, §2.2). Undefined fields are left out.
 */
import type { ShowingStatus, TaskPriority, TaskStatus } from './resources.ts';

/** Body of `POST /v1/properties` and `PUT /v1/properties/{id}` (the PHP SDK's PropertyDTO). */
export interface RentalInput {
  address: string;
  address2?: string;
  city: string;
  state: string;
  zipCode: string;
  propertyType?: string;
  community?: string;
  assignedUserEmail?: string;
  squareFootage?: number;
  bedrooms?: number;
  bathrooms?: number;
  rentAmount?: number;
  depositAmount?: number;
  applicationFee?: number;
  leaseProcessingFee?: number;
  description?: string;
  virtualTour?: string;
  applicationUrl?: string;
  /** `YYYY-MM-DD`. */
  dateAvailable?: string;
  /** "Contact For Details" | "Monthly" | "Six Months" | "One Year". */
  minimumLeaseTerm?: string;
  photos?: { url: string; order?: number }[];
  occupants?: { phone?: string; email?: string }[];
  owners?: { email: string }[];
  propertyFeatures?: Record<string, unknown>;
  propertyAmenities?: string[];
}

/** Body of `POST /v1/applications`. */
export interface LeadInput {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  propertyId?: number;
  source?: string;
  /** ttsync's id for the person (the GHL contact id). */
  externalId?: string;
  externalSource?: string;
}

/** Modeled `lead-update`: any of the create fields. */
export type LeadUpdate = Partial<LeadInput>;

/** Body of `POST /v1/showings`: books a viewing with requested times. */
export interface ShowingInput {
  applicationId: number;
  propertyId: number;
  requestedTimes: Date[];
  notes?: string;
  externalId?: string;
}

/** Modeled `showing-update`: reschedule, cancel, annotate. */
export interface ShowingUpdate {
  scheduledTime?: Date;
  status?: ShowingStatus;
  notes?: string;
}

/** Longest task title the modeled API accepts. */
export const MAX_TASK_TITLE = 127;
/** Longest note the modeled API accepts. */
export const MAX_NOTE_LENGTH = 65_535;

/** Modeled task create; `externalId` makes a retried create return the first task. */
export interface TaskInput {
  title: string;
  description?: string;
  taskStatus?: TaskStatus;
  priority?: TaskPriority;
  /** `YYYY-MM-DD`. */
  dueDate?: string;
  assignedToUserEmail?: string;
  externalId?: string;
}

/** Modeled task update. */
export type TaskUpdate = Partial<Omit<TaskInput, 'externalId'>>;

/** Modeled note create; `externalId` makes a retried create return the first note. */
export interface NoteInput {
  note: string;
  author?: string;
  externalId?: string;
}

/** Modeled note update. */
export type NoteUpdate = Partial<Omit<NoteInput, 'externalId'>>;

/** Modeled activity posted to a lead's timeline. */
export interface ActivityInput {
  type: string;
  occurredAt: Date;
  summary: string;
  /** The external system's name, e.g. "GHL". */
  source: string;
  externalId: string;
}
