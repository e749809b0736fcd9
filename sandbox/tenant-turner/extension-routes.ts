/**
 * The modeled extensions of tenant-turner-api.md §2.2, registered only on the extended surface:
 * `GET /v1/capabilities`, tasks, notes, and a lead's activity timeline (its own events, showing,
 * task and note entries and posted entries, newest first). Lead and showing PUTs live with their
 * real routes.
 */
import type { FastifyInstance } from 'fastify';
import { registerChildRoutes } from './child-routes.ts';
import type { TtContext } from './context.ts';
import { bindBody, boundString } from './input.ts';
import type { FieldSpecs } from './input.ts';
import type { ActivityRecord, LeadRecord } from './model.ts';
import { page, parseListQuery, sortByKey } from './pagination.ts';
import { leadParam, ttRoute } from './route-kit.ts';
import { NOTE_RESOURCE, TASK_RESOURCE } from './task-note-resources.ts';
import { activityDto } from './views.ts';

/** What `GET /v1/capabilities` lists. */
export const EXTENSIONS = [
  'lead-update',
  'showing-update',
  'tasks',
  'notes',
  'activities',
] as const;

const ACTIVITY_FIELDS: FieldSpecs = {
  Type: { kind: 'string', required: true, maxLength: 100 },
  OccurredAt: { kind: 'dateTime', required: true },
  Summary: { kind: 'string', required: true, maxLength: 2000 },
  Source: { kind: 'string', required: true, maxLength: 100 },
  ExternalId: { kind: 'string', maxLength: 100 },
};

export function registerExtensionRoutes(app: FastifyInstance, ctx: TtContext): void {
  ttRoute(app, ctx, { method: 'GET', url: '/v1/capabilities' }, () => ({
    status: 200,
    body: { Extensions: [...EXTENSIONS] },
  }));
  registerChildRoutes(app, ctx, TASK_RESOURCE);
  registerChildRoutes(app, ctx, NOTE_RESOURCE);

  const lead = (params: Record<string, string>): LeadRecord => leadParam(ctx, params);
  const url = '/v1/applications/:applicationId/activities';
  const key = (activity: ActivityRecord): [number, number] => [activity.occurredMs, activity.id];

  ttRoute(app, ctx, { method: 'GET', url }, ({ params, query }) => {
    const owner = lead(params);
    const list = parseListQuery(query, {
      scope: `activities:${owner.id}`,
      requireSince: false,
      pageSizeParam: true,
      now: ctx.now(),
    });
    const rows = sortByKey(ctx.state.activities.of(owner.id), key, true);
    return { status: 200, body: page(rows, list, key, activityDto, true) };
  });

  ttRoute(app, ctx, { method: 'POST', url }, ({ params, body }) => {
    const owner = lead(params);
    const bound = bindBody(body, ACTIVITY_FIELDS, 'create');
    const externalId = boundString(bound, 'ExternalId') ?? null;
    const existing =
      externalId === null ? undefined : ctx.state.activities.byExternalId(owner.id, externalId);
    if (existing !== undefined) return { status: 200, body: activityDto(existing) };
    const activity: ActivityRecord = {
      id: ctx.state.newId('activity'),
      applicationId: owner.id,
      type: boundString(bound, 'Type') ?? '',
      occurredMs: Date.parse(boundString(bound, 'OccurredAt') ?? ''),
      summary: boundString(bound, 'Summary') ?? '',
      source: boundString(bound, 'Source') ?? '',
      refId: null,
      externalId,
    };
    ctx.state.activities.put(activity);
    return { status: 201, body: { ActivityId: activity.id } };
  });
}
