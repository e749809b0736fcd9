/**
 * Operator endpoints that play the Tenant Turner user and the lead, on both surfaces, with no
 * API key: qualify, disqualify, decline, select tenant, archive, a lead returning or editing
 * their details, a lead booking a viewing, and every showing move (schedule, confirm,
 * reschedule, cancel, no-show, feedback). They go through the same write paths as the API, so
 * the state machine's 422s apply and each change emits its signed webhook. They answer 200 with
 * the resource as the API's GET shows it. `POST /__sandbox/webhooks/emit` sends any of the 21
 * events for a resource without changing it (waitlist, lockbox and the like have no state here).
 */
import type { FastifyInstance } from 'fastify';
import type { TtContext } from './context.ts';
import { unprocessable } from './http-errors.ts';
import { bindBody, boundNumber, boundString } from './input.ts';
import type { FieldSpecs } from './input.ts';
import { LEAD_FIELDS } from './lead-lifecycle.ts';
import type { LeadAction } from './lead-lifecycle.ts';
import { CANCELLATION_SOURCES } from './model.ts';
import type { CancellationSource } from './model.ts';
import { leadParam, propertyParam, showingParam } from './route-kit.ts';
import { SHOWING_FIELDS } from './showing-lifecycle.ts';
import type { ShowingAction } from './showing-lifecycle.ts';
import { leadDto, showingDto } from './views.ts';
import { TT_EVENT_TYPES } from './webhooks.ts';
import type { TtEventType } from './webhooks.ts';

type Params = Record<string, string>;

const LEAD_ACTIONS: readonly LeadAction[] = ['qualify', 'disqualify', 'decline', 'select-tenant'];
const SHOWING_ACTIONS: readonly ShowingAction[] = [
  'schedule',
  'confirm',
  'reschedule',
  'cancel',
  'no-show',
  'feedback',
];

const SHOWING_ACTION_FIELDS: FieldSpecs = {
  ScheduledTime: { kind: 'dateTime' },
  CancellationSource: { kind: 'string', values: CANCELLATION_SOURCES },
  Feedback: { kind: 'string', maxLength: 4000 },
};

const BOOKING_FIELDS: FieldSpecs = {
  ...SHOWING_FIELDS,
  ApplicationId: { kind: 'integer' },
  PropertyId: { kind: 'integer' },
  RequestedTimes: { kind: 'dateTimes' },
};

const EMIT_FIELDS: FieldSpecs = {
  EventType: { kind: 'string', required: true, values: TT_EVENT_TYPES },
  ApplicationId: { kind: 'integer' },
  ShowingId: { kind: 'integer' },
  PropertyId: { kind: 'integer' },
};

export function registerOperatorLeadRoutes(app: FastifyInstance, ctx: TtContext): void {
  const view = (params: Params): unknown => leadDto(leadParam(ctx, params), ctx.state);
  const base = '/__sandbox/applications/:applicationId';

  app.post('/__sandbox/applications', async (request, reply) => {
    const lead = ctx.leads.create(bindBody(request.body, LEAD_FIELDS, 'create'));
    return reply.code(201).send(leadDto(lead, ctx.state));
  });

  for (const action of LEAD_ACTIONS) {
    app.post(`${base}/${action}`, async (request) => {
      const params = request.params as Params;
      const lead = leadParam(ctx, params);
      ctx.leads.act(lead, action);
      if (action === 'decline') ctx.showings.cancelPending(ctx.state.showings.of(lead.id), 'User');
      return view(params);
    });
  }

  app.post(`${base}/archive`, async (request) => {
    ctx.leads.archive(leadParam(ctx, request.params as Params));
    return view(request.params as Params);
  });

  app.post(`${base}/respond`, async (request) => {
    ctx.leads.returned(leadParam(ctx, request.params as Params));
    return view(request.params as Params);
  });

  app.post(`${base}/contact`, async (request) => {
    const lead = leadParam(ctx, request.params as Params);
    ctx.leads.update(lead, bindBody(request.body, LEAD_FIELDS, 'update'));
    ctx.leads.returned(lead);
    return view(request.params as Params);
  });

  app.post(`${base}/showings`, async (request, reply) => {
    const lead = leadParam(ctx, request.params as Params);
    const body = bindBody(request.body, BOOKING_FIELDS, 'update');
    const propertyId = boundNumber(body, 'PropertyId') ?? lead.propertyId;
    const tomorrow = new Date(Math.ceil(ctx.now() / 3_600_000) * 3_600_000 + 86_400_000);
    const showing = ctx.showings.create({
      RequestedTimes: [tomorrow.toISOString().replace('.000Z', 'Z')],
      ...body,
      ApplicationId: lead.id,
      PropertyId: propertyId,
    });
    return reply.code(201).send(showingDto(showing));
  });

  for (const action of SHOWING_ACTIONS) {
    app.post(`/__sandbox/showings/:showingId/${action}`, async (request) => {
      const showing = showingParam(ctx, request.params as Params);
      const body = bindBody(request.body, SHOWING_ACTION_FIELDS, 'update');
      const time = boundString(body, 'ScheduledTime');
      ctx.showings.act(showing, action, {
        time: typeof time === 'string' ? Date.parse(time) : undefined,
        source: (boundString(body, 'CancellationSource') ?? undefined) as
          CancellationSource | undefined,
        feedback: boundString(body, 'Feedback') ?? undefined,
      });
      return showingDto(showing);
    });
  }

  app.post('/__sandbox/webhooks/emit', async (request) => {
    const body = bindBody(request.body, EMIT_FIELDS, 'create');
    const type = boundString(body, 'EventType') as TtEventType;
    const [applicationId, showingId, propertyId] = ['ApplicationId', 'ShowingId', 'PropertyId'].map(
      (name) => boundNumber(body, name),
    );
    if (typeof showingId === 'number') {
      const showing = showingParam(ctx, { showingId: String(showingId) });
      ctx.announce.showing(type, showing, `${type} (operator).`);
    } else if (typeof applicationId === 'number') {
      const lead = leadParam(ctx, { applicationId: String(applicationId) });
      ctx.announce.lead(type, lead, `${type} (operator).`);
    } else if (typeof propertyId === 'number') {
      ctx.announce.rental(type, propertyParam(ctx, { propertyId: String(propertyId) }));
    } else {
      throw unprocessable('Give ApplicationId, ShowingId or PropertyId.');
    }
    return { EventType: type };
  });
}
