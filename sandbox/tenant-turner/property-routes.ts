/**
 * Rentals (`/v1/properties`), all real (php-tenant-turner-sdk `src/Properties/*`): an
 * unpaginated list in the usual envelope, create → 201 `{ PropertyId }`, get, PUT (a full
 * replacement, as the SDK sends the whole DTO) → 204, activate and deactivate → 204, and the
 * lightweight `/sync` address list. Numbers come back as strings. Deactivating a rental cancels
 * its showings that could still happen (CancellationSource RentalDeactivated).
 */
import type { FastifyInstance } from 'fastify';
import type { TtContext } from './context.ts';
import { bindBody } from './input.ts';
import type { FieldSpecs } from './input.ts';
import type { PropertyRecord } from './model.ts';
import { propertyParam, ttRoute } from './route-kit.ts';
import { propertyDto, propertySyncDto } from './views.ts';

const text = { kind: 'string', maxLength: 500 } as const;
const money = { kind: 'number' } as const;

/** PropertyPostPutRequest, as php-tenant-turner-sdk's PropertyDTO writes it. */
export const PROPERTY_WRITE_FIELDS: FieldSpecs = {
  Address: { ...text, required: true },
  Address2: text,
  City: { ...text, required: true },
  State: { ...text, required: true },
  ZipCode: { ...text, required: true },
  PropertyType: text,
  Community: text,
  AssignedUserEmail: text,
  SquareFootage: { kind: 'integer' },
  Bedrooms: { kind: 'integer' },
  Bathrooms: money,
  RentAmount: money,
  DepositAmount: money,
  ApplicationFee: money,
  LeaseProcessingFee: money,
  Description: { kind: 'string', maxLength: 10_000 },
  VirtualTour: text,
  ApplicationUrl: text,
  DateAvailable: text,
  MinimumLeaseTerm: text,
  Photos: { kind: 'json' },
  Occupants: { kind: 'json' },
  Owners: { kind: 'json' },
  PropertyFeatures: { kind: 'json' },
  PropertyAmenities: { kind: 'strings' },
  ExternalId: text,
  ExternalSource: text,
};

export function registerPropertyRoutes(app: FastifyInstance, ctx: TtContext): void {
  const find = (params: Record<string, string>): PropertyRecord => propertyParam(ctx, params);
  const sorted = (): PropertyRecord[] =>
    [...ctx.state.properties.values()].sort((a, b) => a.id - b.id);

  ttRoute(app, ctx, { method: 'GET', url: '/v1/properties' }, () => {
    const rows = sorted();
    return {
      status: 200,
      body: { TotalCount: rows.length, NextPage: null, Data: rows.map(propertyDto) },
    };
  });

  ttRoute(app, ctx, { method: 'GET', url: '/v1/properties/sync' }, () => ({
    status: 200,
    body: { Data: sorted().map(propertySyncDto) },
  }));

  ttRoute(app, ctx, { method: 'POST', url: '/v1/properties' }, ({ body }) => {
    const fields = bindBody(body, PROPERTY_WRITE_FIELDS, 'create');
    const now = ctx.stamp();
    const property: PropertyRecord = {
      id: ctx.state.newId('property'),
      fields,
      active: false,
      createdMs: now,
      updatedMs: now,
    };
    ctx.state.properties.set(property.id, property);
    return { status: 201, body: { PropertyId: property.id } };
  });

  ttRoute(app, ctx, { method: 'GET', url: '/v1/properties/:propertyId' }, ({ params }) => ({
    status: 200,
    body: propertyDto(find(params)),
  }));

  ttRoute(app, ctx, { method: 'PUT', url: '/v1/properties/:propertyId' }, ({ params, body }) => {
    const property = find(params);
    property.fields = bindBody(body, PROPERTY_WRITE_FIELDS, 'create');
    property.updatedMs = ctx.stamp();
    return { status: 204 };
  });

  for (const active of [true, false]) {
    const url = `/v1/properties/:propertyId/${active ? 'activate' : 'deactivate'}`;
    ttRoute(app, ctx, { method: 'PUT', url }, ({ params }) => {
      const property = find(params);
      if (property.active === active) return { status: 204 };
      property.active = active;
      property.updatedMs = ctx.stamp();
      ctx.announce.rental(active ? 'Rental Activated' : 'Rental Deactivated', property);
      if (!active)
        ctx.showings.cancelPending(ctx.state.showingsAt(property.id), 'RentalDeactivated');
      return { status: 204 };
    });
  }
}
