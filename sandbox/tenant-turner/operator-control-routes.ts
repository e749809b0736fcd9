/**
 * Operator control endpoints of the Tenant Turner sandbox, on both surfaces, with no API key:
 * the endpoint list, state dump, stats, reset, fault knobs, settings, the sandbox clock, API key
 * refresh and webhook subscriptions with their delivery log.
 */
import type { FastifyInstance } from 'fastify';
import type { TtContext } from './context.ts';
import { ttFaultPatchSchema } from './faults.ts';
import { TtHttpError, notFound } from './http-errors.ts';
import { bindBody, boundNumber, boundString } from './input.ts';
import type { FieldSpecs } from './input.ts';
import { activityDto, leadDto, noteDto, propertyDto, showingDto, taskDto } from './views.ts';

/** The operator endpoints, listed by `GET /__sandbox` and printed by the CLI. */
export const TT_OPERATOR_ENDPOINTS = [
  'GET    /__sandbox                                    this list',
  'GET    /__sandbox/state[?entities=false]             counts, settings and every record',
  'GET    /__sandbox/stats                              requests, statuses, faults, webhook deliveries',
  'POST   /__sandbox/reset {Seed?,Rentals?,Leads?,Showings?}  re-seed; clears faults, stats, clock',
  'GET    /__sandbox/faults | POST /__sandbox/faults {latencyMs,errorRates,timeouts,failNext,dropResponses,hangAfterWrite,webhookDropRate,webhookDuplicateRate,webhookReorder}',
  'POST   /__sandbox/settings {ArchiveAfterMs?,WebhookRetryIntervalMs?,WebhookTimeoutMs?}',
  'POST   /__sandbox/clock {AdvanceMs}                  move the sandbox clock (idle leads archive)',
  'POST   /__sandbox/api-key/refresh                    new API key; the old one gets 401',
  'POST   /__sandbox/webhooks/subscriptions {Url}       | DELETE /__sandbox/webhooks/subscriptions/:id',
  'GET    /__sandbox/webhooks                           subscriptions and recent deliveries',
  'POST   /__sandbox/webhooks/emit {EventType,ApplicationId|ShowingId|PropertyId}',
  'POST   /__sandbox/applications {FirstName,LastName,Email,Phone,...}   a lead inquires',
  'POST   /__sandbox/applications/:id/qualify | disqualify | decline | select-tenant | archive',
  'POST   /__sandbox/applications/:id/respond           the lead returns (unarchives)',
  'POST   /__sandbox/applications/:id/contact {Email?,Phone?,FirstName?,LastName?}',
  'POST   /__sandbox/applications/:id/showings {PropertyId?,RequestedTimes?}  the lead books',
  'POST   /__sandbox/showings/:id/schedule {ScheduledTime?} | confirm | reschedule {ScheduledTime}',
  'POST   /__sandbox/showings/:id/cancel {CancellationSource?} | no-show | feedback {Feedback}',
] as const;

const RESET_FIELDS: FieldSpecs = {
  Seed: { kind: 'integer' },
  Rentals: { kind: 'integer' },
  Leads: { kind: 'integer' },
  Showings: { kind: 'integer' },
};

const SETTINGS_FIELDS: FieldSpecs = {
  ArchiveAfterMs: { kind: 'integer' },
  WebhookRetryIntervalMs: { kind: 'integer' },
  WebhookTimeoutMs: { kind: 'integer' },
};

function settings(ctx: TtContext): Record<string, unknown> {
  return {
    surface: ctx.surface,
    archiveAfterMs: ctx.archiveAfterMs,
    webhookRetryIntervalMs: ctx.webhooks.retryIntervalMs,
    webhookTimeoutMs: ctx.webhooks.timeoutMs,
  };
}

/** What `GET /__sandbox/state` and `TtSandbox.state()` return. */
export function stateDump(ctx: TtContext, entities = true): Record<string, unknown> {
  const { state } = ctx;
  const dump: Record<string, unknown> = {
    seed: ctx.seed,
    now: new Date(ctx.now()).toISOString(),
    settings: settings(ctx),
    counts: state.counts(),
    webhookSubscriptions: ctx.webhooks.subscriptions(),
  };
  if (!entities) return dump;
  return {
    ...dump,
    properties: [...state.properties.values()].map(propertyDto),
    leads: [...state.leads.values()].map((lead) => leadDto(lead, state)),
    showings: [...state.showings.byId.values()].map(showingDto),
    tasks: [...state.tasks.byId.values()].map(taskDto),
    notes: [...state.notes.byId.values()].map(noteDto),
    activities: [...state.activities.byId.values()].map(activityDto),
  };
}

function nonNegative(value: number | null | undefined, name: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value < 0) throw new TtHttpError(400, [`${name} must not be negative.`]);
  return value;
}

export function registerOperatorControlRoutes(app: FastifyInstance, ctx: TtContext): void {
  app.get('/__sandbox', async () => ({ endpoints: TT_OPERATOR_ENDPOINTS }));

  app.get('/__sandbox/state', async (request) =>
    stateDump(ctx, (request.query as Record<string, unknown>)['entities'] !== 'false'),
  );

  app.get('/__sandbox/stats', async () => ctx.stats.toJSON());

  app.post('/__sandbox/reset', async (request) => {
    const body = bindBody(request.body, RESET_FIELDS, 'update');
    ctx.reset({
      seed: boundNumber(body, 'Seed') ?? undefined,
      counts: {
        rentals: nonNegative(boundNumber(body, 'Rentals'), 'Rentals'),
        leads: nonNegative(boundNumber(body, 'Leads'), 'Leads'),
        showings: nonNegative(boundNumber(body, 'Showings'), 'Showings'),
      },
    });
    return stateDump(ctx, false);
  });

  app.get('/__sandbox/faults', async () => ({ faults: ctx.faults.settings }));

  app.post('/__sandbox/faults', async (request) => {
    const parsed = ttFaultPatchSchema.safeParse(request.body ?? {});
    if (!parsed.success)
      throw new TtHttpError(
        400,
        parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
      );
    return { faults: ctx.faults.apply(parsed.data) };
  });

  app.post('/__sandbox/settings', async (request) => {
    const body = bindBody(request.body, SETTINGS_FIELDS, 'update');
    const archive = nonNegative(boundNumber(body, 'ArchiveAfterMs'), 'ArchiveAfterMs');
    const retry = nonNegative(
      boundNumber(body, 'WebhookRetryIntervalMs'),
      'WebhookRetryIntervalMs',
    );
    const timeout = nonNegative(boundNumber(body, 'WebhookTimeoutMs'), 'WebhookTimeoutMs');
    if (retry !== undefined) ctx.webhooks.retryIntervalMs = retry;
    if (timeout !== undefined) ctx.webhooks.timeoutMs = timeout;
    if (archive !== undefined) ctx.setArchiveAfter(archive);
    return settings(ctx);
  });

  app.post('/__sandbox/clock', async (request) => {
    const body = bindBody(
      request.body,
      { AdvanceMs: { kind: 'integer', required: true } },
      'create',
    );
    const advance = nonNegative(boundNumber(body, 'AdvanceMs'), 'AdvanceMs') ?? 0;
    return { now: new Date(ctx.advanceClock(advance)).toISOString() };
  });

  app.post('/__sandbox/api-key/refresh', async () => ({ apiKey: ctx.refreshApiKey() }));

  app.post('/__sandbox/webhooks/subscriptions', async (request, reply) => {
    const body = bindBody(request.body, { Url: { kind: 'string', required: true } }, 'create');
    const url = boundString(body, 'Url') ?? '';
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new TtHttpError(400, ['Url must be an absolute http(s) URL.']);
    return reply.code(201).send(ctx.webhooks.subscribe(url));
  });

  app.delete('/__sandbox/webhooks/subscriptions/:id', async (request, reply) => {
    const id = (request.params as Record<string, string>)['id'] ?? '';
    if (!ctx.webhooks.unsubscribe(id)) throw notFound('Subscription', id);
    return reply.code(204).send();
  });

  app.get('/__sandbox/webhooks', async () => ({
    subscriptions: ctx.webhooks.subscriptions(),
    deliveries: ctx.webhooks.deliveries(),
  }));
}
