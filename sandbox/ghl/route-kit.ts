/**
 * How every GHL route is declared: fault knobs first (a gateway failure), then the `Version`
 * header, the bearer token, its class and scope; the handler returns a status and a body to
 * which `traceId` is added. Location binding is checked by the handler through the helpers here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { injectRouteFault } from '../shared/route-faults.ts';
import type { SandboxContext } from './context.ts';
import {
  GhlHttpError,
  invalidToken,
  locationForbidden,
  scopeMissing,
  wrongAuthClass,
} from './http-errors.ts';
import type { AccessTokenRecord } from './tokens.ts';

export type GhlVersion = '2021-07-28' | '2021-04-15';

export interface ApiRouteSpec {
  method: HTTPMethods;
  url: string;
  /** Required `Version` header value; omit for routes that take none (`/oauth/token`). */
  version?: GhlVersion;
  /** Required scope and token class; omit for unauthenticated routes. */
  auth?: { scope: string; tokenClass?: 'location' | 'agency' };
}

export interface ApiRequest {
  principal: AccessTokenRecord;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
}

/** A handler returns a response, or 'sent' after answering through `reply` itself (redirects). */
export type ApiHandler = (
  input: ApiRequest,
) => ApiResponse | 'sent' | Promise<ApiResponse | 'sent'>;

/** `routeKey` as used by fault knobs and stats: "GET /contacts/:id". */
export function routeKey(method: string, url: string): string {
  return `${method} ${url}`;
}

async function applyFaults(ctx: SandboxContext, key: string, reply: FastifyReply): Promise<void> {
  const status = await injectRouteFault(ctx, key, reply);
  if (status !== null)
    throw new GhlHttpError(status, {
      statusCode: status,
      message: STATUS_CODES[status] ?? 'Error',
    });
}

function checkVersion(ctx: SandboxContext, expected: GhlVersion, request: FastifyRequest): void {
  const header = request.headers['version'];
  const value = Array.isArray(header) ? header[0] : header;
  // GHL's real status and message for a missing Version are unknown (ghl-api.md §10).
  if (value === undefined || value === '')
    throw new GhlHttpError(400, {
      statusCode: 400,
      message: 'Version header is missing',
      error: 'Bad Request',
    });
  if (ctx.strictVersion && value !== expected) {
    throw new GhlHttpError(400, {
      statusCode: 400,
      message: `Invalid Version header ${value}: this endpoint expects ${expected}`,
      error: 'Bad Request',
    });
  }
}

/** The bearer token's live record, or undefined. */
export function bearerRecord(
  ctx: SandboxContext,
  request: FastifyRequest,
): AccessTokenRecord | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] === undefined ? undefined : ctx.tokens.lookup(match[1], ctx.now());
}

function authenticate(
  ctx: SandboxContext,
  request: FastifyRequest,
  auth: NonNullable<ApiRouteSpec['auth']>,
): AccessTokenRecord {
  const record = bearerRecord(ctx, request);
  if (record === undefined) throw invalidToken();
  const tokenClass = auth.tokenClass ?? 'location';
  if ((tokenClass === 'location') !== (record.locationId !== undefined)) throw wrongAuthClass();
  if (!record.scopes.includes(auth.scope)) throw scopeMissing();
  return record;
}

/** A query parameter as one string (the first when repeated). */
export function queryText(value: unknown): string | undefined {
  if (Array.isArray(value)) return queryText(value[0]);
  return typeof value === 'string' ? value : undefined;
}

/** Throws 403 unless `locationId` is the token's location (a missing one is foreign too). */
export function assertLocation(principal: AccessTokenRecord, locationId: unknown): string {
  if (typeof locationId !== 'string' || locationId !== principal.locationId)
    throw locationForbidden();
  return locationId;
}

const NO_PRINCIPAL: AccessTokenRecord = {
  token: '',
  kind: 'pit',
  scopes: [],
  companyId: '',
  appId: '',
  userId: '',
};

/** Registers a GHL route with the checks described above. */
export function apiRoute(
  app: FastifyInstance,
  ctx: SandboxContext,
  spec: ApiRouteSpec,
  handler: ApiHandler,
): void {
  const key = routeKey(spec.method, spec.url);
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request, reply) => {
      await applyFaults(ctx, key, reply);
      if (spec.version !== undefined) checkVersion(ctx, spec.version, request);
      const principal =
        spec.auth === undefined ? NO_PRINCIPAL : authenticate(ctx, request, spec.auth);
      const result = await handler({
        principal,
        params: request.params as Record<string, string>,
        query: request.query as Record<string, unknown>,
        body: request.body,
        request,
        reply,
      });
      if (result === 'sent') return reply;
      return reply.code(result.status).send({ ...result.body, traceId: request.id });
    },
  });
}
