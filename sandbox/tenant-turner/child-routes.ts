/**
 * The modeled lead children that work alike, tasks and notes (tenant-turner-api.md §2.2):
 * `GET/POST /v1/applications/{id}/<children>` and `GET/PUT/DELETE /v1/<children>/{childId}`.
 * A create answers 201 with the record; a second create with the same ExternalId for the same
 * lead answers 200 with the existing record instead of a duplicate. Lists use the envelope,
 * in id order.
 */
import type { FastifyInstance } from 'fastify';
import type { TtContext } from './context.ts';
import { notFound } from './http-errors.ts';
import { bindBody, boundString } from './input.ts';
import type { BoundBody, FieldSpecs } from './input.ts';
import type { LeadRecord } from './model.ts';
import { page, parseListQuery } from './pagination.ts';
import { idParam, leadParam, ttRoute } from './route-kit.ts';
import type { IdKind, LeadChildren, TtState } from './state.ts';

type Child = { id: number; applicationId: number; externalId: string | null; updatedMs: number };

/** How one kind of child is stored, built, changed and shown. */
export interface ChildResource<R extends Child> {
  /** "Task": used in 404 messages. */
  entity: string;
  /** "tasks": the path segment. */
  collection: string;
  idKind: IdKind;
  fields: FieldSpecs;
  store: (state: TtState) => LeadChildren<R>;
  build: (id: number, lead: LeadRecord, body: BoundBody, nowMs: number) => R;
  /** Applies a bound update; returns a timeline entry `[Type, Summary]` worth recording, if any. */
  apply: (record: R, body: BoundBody) => [string, string] | null;
  dto: (record: R) => Record<string, unknown>;
  /** The timeline entry of a create. */
  created: (record: R) => [string, string];
}

/** Registers the five routes of a child resource (extended surface only). */
export function registerChildRoutes<R extends Child>(
  app: FastifyInstance,
  ctx: TtContext,
  resource: ChildResource<R>,
): void {
  const { collection, entity } = resource;
  const store = (): LeadChildren<R> => resource.store(ctx.state);
  const lead = (params: Record<string, string>): LeadRecord => leadParam(ctx, params);
  const child = (params: Record<string, string>): R => {
    const id = idParam(params, 'childId');
    const found = store().get(id);
    if (found === undefined) throw notFound(entity, id);
    return found;
  };
  const parentUrl = `/v1/applications/:applicationId/${collection}`;
  const childUrl = `/v1/${collection}/:childId`;

  ttRoute(app, ctx, { method: 'GET', url: parentUrl }, ({ params, query }) => {
    const owner = lead(params);
    const list = parseListQuery(query, {
      scope: `${collection}:${owner.id}`,
      requireSince: false,
      pageSizeParam: true,
      now: ctx.now(),
    });
    const rows = store().of(owner.id);
    return { status: 200, body: page(rows, list, (r) => [r.id, r.id], resource.dto) };
  });

  ttRoute(app, ctx, { method: 'POST', url: parentUrl }, ({ params, body }) => {
    const owner = lead(params);
    const bound = bindBody(body, resource.fields, 'create');
    const externalId = boundString(bound, 'ExternalId');
    const existing =
      typeof externalId === 'string' ? store().byExternalId(owner.id, externalId) : undefined;
    if (existing !== undefined) return { status: 200, body: resource.dto(existing) };
    const record = resource.build(ctx.state.newId(resource.idKind), owner, bound, ctx.stamp());
    store().put(record);
    const [type, summary] = resource.created(record);
    ctx.announce.timeline(owner.id, type, summary, String(record.id));
    return { status: 201, body: resource.dto(record) };
  });

  ttRoute(app, ctx, { method: 'GET', url: childUrl }, ({ params }) => ({
    status: 200,
    body: resource.dto(child(params)),
  }));

  ttRoute(app, ctx, { method: 'PUT', url: childUrl }, ({ params, body }) => {
    const record = child(params);
    const entry = resource.apply(record, bindBody(body, resource.fields, 'update'));
    record.updatedMs = ctx.stamp();
    if (entry !== null) ctx.announce.timeline(record.applicationId, ...entry, String(record.id));
    return { status: 204 };
  });

  ttRoute(app, ctx, { method: 'DELETE', url: childUrl }, ({ params }) => {
    store().delete(child(params));
    return { status: 204 };
  });
}
