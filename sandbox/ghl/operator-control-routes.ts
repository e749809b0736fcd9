/**
 * Operator control endpoints: fault knobs, tokens, reset, state dump, stats, rate limits,
 * settings, search flush and webhook subscriptions. Not rate limited, no token needed.
 */
import type { FastifyInstance } from 'fastify';
import { noteDto, taskDto } from './activity-views.ts';
import { contactDto } from './contact-views.ts';
import type { SandboxContext } from './context.ts';
import { faultPatchSchema } from './faults.ts';
import { GhlHttpError, badRequest } from './http-errors.ts';
import {
  invalidateSchema,
  mintSchema,
  parseBody,
  rateLimitSchema,
  resetSchema,
  settingsSchema,
  subscriptionSchema,
} from './operator-body.ts';

/** The operator endpoints, listed by `GET /__sandbox` and printed by the CLI. */
export const OPERATOR_ENDPOINTS = [
  'GET    /__sandbox                               this list',
  'GET    /__sandbox/state[?entities=false]        counts, identity and every entity',
  'GET    /__sandbox/stats                         requests, 429s, OAuth refreshes, webhook deliveries',
  'POST   /__sandbox/reset {seed?,contacts?}       re-seed data; clears faults, rate counters, stats',
  'POST   /__sandbox/faults {...knobs}             latency, 5xx, timeouts, webhook chaos, quirks',
  'GET    /__sandbox/faults                        current knobs',
  'POST   /__sandbox/tokens {scopes,kind?,locationId?,expiresInSec?}',
  'POST   /__sandbox/tokens/invalidate {locationId}',
  'POST   /__sandbox/rate-limit {max?,windowMs?,daily?,enabled?,reset?}',
  'POST   /__sandbox/settings {allowDuplicateContacts?,locationId?,strictVersion?,webhookRetryIntervalMs?,webhookTimeoutMs?}',
  'POST   /__sandbox/search/flush                  make pending writes searchable now',
  'POST   /__sandbox/webhooks/subscriptions {url,events?,locationId?}',
  'DELETE /__sandbox/webhooks/subscriptions/:id',
  'GET    /__sandbox/webhooks                      subscriptions and recent deliveries',
  'POST   /__sandbox/contacts  | GET/PATCH/DELETE /__sandbox/contacts/:id',
  'POST   /__sandbox/contacts/:id/tasks         | PATCH/DELETE /__sandbox/tasks/:taskId',
  'POST   /__sandbox/contacts/:id/notes         | PATCH/DELETE /__sandbox/notes/:noteId',
  'POST   /__sandbox/contacts/:id/appointments  | PATCH/DELETE /__sandbox/appointments/:appointmentId',
] as const;

function stateDump(ctx: SandboxContext, entities: boolean): Record<string, unknown> {
  const { state, identity } = ctx;
  const dump: Record<string, unknown> = {
    seed: ctx.seed,
    companyId: identity.companyId,
    locations: identity.locations,
    app: {
      appId: identity.app.appId,
      clientId: identity.app.clientId,
      versionId: identity.app.versionId,
    },
    users: identity.users,
    customFields: identity.customFields,
    calendars: identity.calendars,
    counts: state.counts(),
  };
  if (entities) {
    dump['contacts'] = [...state.contacts.all()].map(contactDto);
    dump['tasks'] = [...state.tasks.all()].map(taskDto);
    dump['notes'] = [...state.notes.all()].map(noteDto);
    dump['appointments'] = [...state.appointments.all()];
  }
  return dump;
}

export function registerOperatorControlRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/__sandbox', async () => ({ endpoints: OPERATOR_ENDPOINTS }));

  app.get('/__sandbox/state', async (request) => {
    const entities = (request.query as Record<string, unknown>)['entities'] !== 'false';
    return stateDump(ctx, entities);
  });

  app.get('/__sandbox/stats', async () => ({
    ...ctx.stats.toJSON(),
    rateLimit: ctx.limiter.settings,
  }));

  app.post('/__sandbox/reset', async (request) => {
    const body = parseBody(resetSchema, request.body);
    ctx.reset({
      ...(body.seed === undefined ? {} : { seed: body.seed }),
      ...(body.contacts === undefined ? {} : { contacts: body.contacts }),
    });
    return { seed: ctx.seed, counts: ctx.state.counts() };
  });

  app.get('/__sandbox/faults', async () => ({
    faults: ctx.faults.settings,
    searchDelayMs: ctx.state.search.delayMs,
  }));

  app.post('/__sandbox/faults', async (request) => {
    const { searchDelayMs, ...patch } = parseBody(faultPatchSchema, request.body);
    if (searchDelayMs !== undefined) ctx.state.search.delayMs = searchDelayMs;
    return { faults: ctx.faults.apply(patch), searchDelayMs: ctx.state.search.delayMs };
  });

  app.post('/__sandbox/tokens', async (request, reply) => {
    const body = parseBody(mintSchema, request.body);
    try {
      const issued = ctx.mint({
        scopes: body.scopes,
        ...(body.kind === undefined ? {} : { kind: body.kind }),
        ...(body.locationId === undefined ? {} : { locationId: body.locationId }),
        ...(body.expiresInSec === undefined ? {} : { expiresInSec: body.expiresInSec }),
      });
      const { grant, ...tokens } = issued;
      return reply.code(201).send({
        ...tokens,
        kind: grant.kind,
        locationId: grant.locationId,
        companyId: grant.companyId,
        scopes: grant.scopes,
      });
    } catch (error) {
      throw badRequest(error instanceof Error ? error.message : 'cannot mint token');
    }
  });

  app.post('/__sandbox/tokens/invalidate', async (request) => {
    const { locationId } = parseBody(invalidateSchema, request.body);
    return { revoked: ctx.tokens.invalidateLocation(locationId) };
  });

  app.post('/__sandbox/rate-limit', async (request) => {
    const { reset, ...patch } = parseBody(rateLimitSchema, request.body);
    const settings = ctx.limiter.configure(
      Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    );
    if (reset === true) ctx.limiter.reset();
    return { rateLimit: settings };
  });

  app.post('/__sandbox/settings', async (request) => {
    const body = parseBody(settingsSchema, request.body);
    if (body.allowDuplicateContacts !== undefined) {
      for (const location of ctx.identity.locations) {
        if (body.locationId === undefined || body.locationId === location.id) {
          location.allowDuplicateContacts = body.allowDuplicateContacts;
        }
      }
    }
    if (body.strictVersion !== undefined) ctx.strictVersion = body.strictVersion;
    if (body.webhookRetryIntervalMs !== undefined)
      ctx.webhooks.retryIntervalMs = body.webhookRetryIntervalMs;
    if (body.webhookTimeoutMs !== undefined) ctx.webhooks.timeoutMs = body.webhookTimeoutMs;
    return {
      locations: ctx.identity.locations.map(({ id, allowDuplicateContacts }) => ({
        id,
        allowDuplicateContacts,
      })),
      strictVersion: ctx.strictVersion,
      webhookRetryIntervalMs: ctx.webhooks.retryIntervalMs,
      webhookTimeoutMs: ctx.webhooks.timeoutMs,
    };
  });

  app.post('/__sandbox/search/flush', async () => {
    ctx.state.search.flush();
    return { flushed: true };
  });

  app.post('/__sandbox/webhooks/subscriptions', async (request, reply) => {
    const body = parseBody(subscriptionSchema, request.body);
    return reply.code(201).send({ subscription: ctx.webhooks.subscribe(body) });
  });

  app.delete('/__sandbox/webhooks/subscriptions/:id', async (request) => {
    const id = (request.params as Record<string, string>)['id'] ?? '';
    if (!ctx.webhooks.unsubscribe(id))
      throw new GhlHttpError(404, { statusCode: 404, message: `Subscription ${id} not found` });
    return { deleted: true };
  });

  app.get('/__sandbox/webhooks', async () => ({
    subscriptions: ctx.webhooks.subscriptions(),
    deliveries: ctx.webhooks.deliveries(),
  }));
}
