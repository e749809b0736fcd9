/**
 * The Tenant Turner sandbox's rentals and showings as tests read them: the first active rental,
 * with its address as a person would type it (what a GHL appointment's address must match to
 * book a showing), and a showing's fields.
 */
import assert from 'node:assert/strict';

/** A property as the Tenant Turner sandbox's state lists it. */
export interface TtProperty {
  PropertyId: number;
  Address: string;
  Address2: string | null;
  City: string;
  State: string;
  ZipCode: string;
  IsActive: boolean;
}

/** A showing as the Tenant Turner sandbox's state lists it. */
export interface TtShowing {
  ShowingId: number;
  ApplicationId: number;
  PropertyId: number;
  RequestedTimes: string[];
  ScheduledTime: string | null;
  Status: string;
  Rescheduled: boolean;
  ExternalId: string | null;
}

/** The first active rental of `properties` (the sandbox's `properties` state): id and address. */
export function activeRental(properties: readonly TtProperty[]): {
  propertyId: number;
  address: string;
} {
  const rental = properties.find((p) => p.IsActive);
  assert.ok(rental, 'the Tenant Turner sandbox has an active rental');
  const unit = rental.Address2 ? `, ${rental.Address2}` : '';
  return {
    propertyId: rental.PropertyId,
    address: `${rental.Address}${unit}, ${rental.City}, ${rental.State} ${rental.ZipCode}`,
  };
}
