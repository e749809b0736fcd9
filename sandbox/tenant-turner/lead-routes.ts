/**
 * Leads (`/v1/applications`) and showings (`/v1/showings`): create → 201 with the id, get, and
 * the `SinceDateUpdated` list ordered by DateUpdated then id, all real; on the extended surface
 * also the modeled `PUT` of either (lead-update, showing-update) → 204.
 */
import type { FastifyInstance } from 'fastify';
import type { TtContext } from './context.ts';
import { bindBody } from './input.ts';
import { LEAD_FIELDS } from './lead-lifecycle.ts';
import type { LeadRecord, ShowingRecord } from './model.ts';
import { page, parseListQuery, sortByKey } from './pagination.ts';
import { leadParam, showingParam, ttRoute } from './route-kit.ts';
import type { TtRequest, TtResponse } from './route-kit.ts';
import { SHOWING_FIELDS, SHOWING_UPDATE_FIELDS } from './showing-lifecycle.ts';
import { leadDto, showingDto } from './views.ts';

type Updated = { id: number; updatedMs: number };

/** The `SinceDateUpdated` list of `rows`, DateUpdated ascending then id. */
function sinceList<T extends Updated>(
  ctx: TtContext,
  scope: string,
  request: TtRequest,
  rows: Iterable<T>,
  dto: (row: T) => unknown,
): TtResponse {
  const query = parseListQuery(request.query, {
    scope,
    requireSince: true,
    pageSizeParam: ctx.surface === 'extended',
    now: ctx.now(),
  });
  const since = query.sinceMs ?? 0;
  const key = (row: T): [number, number] => [row.updatedMs, row.id];
  const matching = sortByKey(
    [...rows].filter((row) => row.updatedMs >= since),
    key,
  );
  return { status: 200, body: page(matching, query, key, dto) };
}

export function registerLeadRoutes(app: FastifyInstance, ctx: TtContext): void {
  const lead = (params: Record<string, string>): LeadRecord => leadParam(ctx, params);
  const showing = (params: Record<string, string>): ShowingRecord => showingParam(ctx, params);
  const leadView = (record: LeadRecord): unknown => leadDto(record, ctx.state);

  ttRoute(app, ctx, { method: 'POST', url: '/v1/applications' }, ({ body }) => {
    const created = ctx.leads.create(bindBody(body, LEAD_FIELDS, 'create'));
    return { status: 201, body: { ApplicationId: created.id } };
  });

  ttRoute(app, ctx, { method: 'GET', url: '/v1/applications' }, (request) =>
    sinceList(ctx, 'applications', request, ctx.state.leads.values(), leadView),
  );

  ttRoute(app, ctx, { method: 'GET', url: '/v1/applications/:applicationId' }, ({ params }) => ({
    status: 200,
    body: leadView(lead(params)),
  }));

  ttRoute(app, ctx, { method: 'POST', url: '/v1/showings' }, ({ body }) => {
    const created = ctx.showings.create(bindBody(body, SHOWING_FIELDS, 'create'));
    return { status: 201, body: { ShowingId: created.id } };
  });

  ttRoute(app, ctx, { method: 'GET', url: '/v1/showings' }, (request) =>
    sinceList(ctx, 'showings', request, ctx.state.showings.byId.values(), showingDto),
  );

  ttRoute(app, ctx, { method: 'GET', url: '/v1/showings/:showingId' }, ({ params }) => ({
    status: 200,
    body: showingDto(showing(params)),
  }));

  if (ctx.surface !== 'extended') return;

  ttRoute(
    app,
    ctx,
    { method: 'PUT', url: '/v1/applications/:applicationId' },
    ({ params, body }) => {
      ctx.leads.update(lead(params), bindBody(body, LEAD_FIELDS, 'update'));
      return { status: 204 };
    },
  );

  ttRoute(app, ctx, { method: 'PUT', url: '/v1/showings/:showingId' }, ({ params, body }) => {
    ctx.showings.update(showing(params), bindBody(body, SHOWING_UPDATE_FIELDS, 'update'));
    return { status: 204 };
  });
}
