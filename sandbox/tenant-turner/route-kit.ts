/**
 * How every Tenant Turner API route is declared: the shared fault knobs first, then Basic auth
 * with the bare API key, then the archive sweep (so a read sees leads archived on time), the
 * handler, and for writes the post-write knobs that drop or hold the answer after the change was
 * applied.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { holdOpen, injectRouteFault } from '../shared/route-faults.ts';
import type { TtContext } from './context.ts';
import { generalError, notFound, statusError, unauthorized } from './http-errors.ts';
import type { LeadRecord, PropertyRecord, ShowingRecord } from './model.ts';

export interface TtRouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
}

export interface TtRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

/** A status and a JSON body, or no body (204, and the empty 404). */
export interface TtResponse {
  status: number;
  body?: unknown;
}

export type TtHandler = (request: TtRequest) => TtResponse;

/** `routeKey` as fault knobs and stats use it: "POST /v1/applications". */
export function routeKey(method: string, url: string): string {
  return `${method} ${url}`;
}

/** Whether `Authorization` is `Basic base64(apiKey)`: the bare key, no user and no colon. */
export function hasApiKey(request: FastifyRequest, apiKey: string): boolean {
  const match = /^Basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (match?.[1] === undefined) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(Buffer.from(apiKey, 'utf8').toString('base64'));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function afterWrite(
  ctx: TtContext,
  key: string,
  reply: FastifyReply,
): Promise<'sent-nothing' | null> {
  const fault = ctx.faults.afterWrite(key);
  if (fault === null) return null;
  if (fault === 'hang') {
    ctx.stats.afterWrite.hung++;
    await holdOpen(ctx.hangs, reply);
  } else {
    ctx.stats.afterWrite.dropped++;
  }
  reply.hijack();
  reply.raw.destroy();
  return 'sent-nothing';
}

/** Registers an API route with the checks described above. */
export function ttRoute(
  app: FastifyInstance,
  ctx: TtContext,
  spec: TtRouteSpec,
  handler: TtHandler,
): void {
  const key = routeKey(spec.method, spec.url);
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request, reply) => {
      const injected = await injectRouteFault(ctx, key, reply);
      if (injected !== null) throw statusError(injected);
      if (!hasApiKey(request, ctx.apiKey)) {
        ctx.stats.unauthorized++;
        throw unauthorized();
      }
      ctx.sweep();
      const result = handler({
        params: request.params as Record<string, string>,
        query: request.query as Record<string, unknown>,
        body: request.body,
      });
      const write = spec.method !== 'GET' && result.status < 300;
      if (write && (await afterWrite(ctx, key, reply)) !== null) return reply;
      reply.code(result.status);
      return result.body === undefined ? reply.send() : reply.send(result.body);
    },
  });
}

/** A path parameter as an integer id; 400 "General error." when it is not one (a type mismatch). */
export function idParam(params: Record<string, string>, name: string): number {
  const text = params[name] ?? '';
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id)) throw generalError();
  return id;
}

/** The lead named by `:applicationId`; 404 when there is none. */
export function leadParam(ctx: TtContext, params: Record<string, string>): LeadRecord {
  const id = idParam(params, 'applicationId');
  const lead = ctx.state.leads.get(id);
  if (lead === undefined) throw notFound('Application', id);
  return lead;
}

/** The showing named by `:showingId`; 404 when there is none. */
export function showingParam(ctx: TtContext, params: Record<string, string>): ShowingRecord {
  const id = idParam(params, 'showingId');
  const showing = ctx.state.showings.get(id);
  if (showing === undefined) throw notFound('Showing', id);
  return showing;
}

/** The rental named by `:propertyId`; 404 when there is none. */
export function propertyParam(ctx: TtContext, params: Record<string, string>): PropertyRecord {
  const id = idParam(params, 'propertyId');
  const property = ctx.state.properties.get(id);
  if (property === undefined) throw notFound('Property', id);
  return property;
}
