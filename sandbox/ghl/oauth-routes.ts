/**
 * OAuth as in ghl-api.md §3.2: chooselocation auto-approves and redirects with a code;
 * `POST /oauth/token` (form-encoded only) exchanges codes and rotates single-use refresh
 * tokens; agency tokens mint location tokens and list installs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxContext } from './context.ts';
import { GhlHttpError, badRequest, locationForbidden, unprocessable } from './http-errors.ts';
import { apiRoute, queryText } from './route-kit.ts';
import type { ApiResponse } from './route-kit.ts';
import { OAUTH_EXPIRES_IN_SEC } from './tokens.ts';
import type { IssuedTokens, TokenGrant } from './tokens.ts';

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];

/** Stable messages for failed grants (GHL does not document them, ghl-api.md §3.2.6). */
export const OAUTH_MESSAGES = {
  invalidClient: 'Invalid client credentials',
  invalidCode: 'Invalid grant: authorization code is invalid, expired or already used',
  invalidRefresh: 'Invalid grant: refresh token is invalid, expired or already used',
  locationNotActive: 'Location is not active',
} as const;

function formBody(request: FastifyRequest): Record<string, string> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw badRequest('Content-Type must be application/x-www-form-urlencoded');
  }
  return (request.body ?? {}) as Record<string, string>;
}

function requireFields(body: Record<string, string>, fields: readonly string[]): void {
  const messages = fields
    .filter((field) => !body[field])
    .flatMap((field) => [`${field} should not be empty`, `${field} must be a string`]);
  if (messages.length > 0) throw unprocessable(messages);
}

function tokenResponse(ctx: SandboxContext, issued: IssuedTokens): ApiResponse {
  const { grant } = issued;
  const body: Record<string, unknown> = {
    access_token: issued.accessToken,
    token_type: 'Bearer',
    expires_in: issued.expiresInSec ?? OAUTH_EXPIRES_IN_SEC,
    refresh_token: issued.refreshToken,
    scope: grant.scopes.join(' '),
    userType: grant.locationId === undefined ? 'Company' : 'Location',
    companyId: grant.companyId,
    userId: grant.userId,
    isBulkInstallation: false,
  };
  if (grant.locationId !== undefined) body['locationId'] = grant.locationId;
  else {
    body['approvedLocations'] = ctx.identity.locations.map((location) => location.id);
    body['installToFutureLocations'] = true;
    body['approveAllLocations'] = true;
  }
  return { status: 200, body };
}

function exchangeCode(ctx: SandboxContext, body: Record<string, string>): ApiResponse {
  requireFields(body, ['code']);
  const result = ctx.tokens.redeemCode(
    body['code'] ?? '',
    body['client_id'] ?? '',
    body['redirect_uri'],
    ctx.now(),
  );
  if (!result.ok) {
    ctx.stats.oauth.codeFailures++;
    throw badRequest(OAUTH_MESSAGES.invalidCode);
  }
  ctx.stats.oauth.codeExchanges++;
  return tokenResponse(ctx, ctx.tokens.issue(result.grant, { withRefresh: true }, ctx.now()));
}

function refresh(ctx: SandboxContext, body: Record<string, string>): ApiResponse {
  requireFields(body, ['refresh_token']);
  const token = body['refresh_token'] ?? '';
  if (
    ctx.faults.settings.refreshError === 'location-not-active' &&
    ctx.tokens.isRefreshUsable(token)
  ) {
    ctx.stats.oauth.refreshFailed++;
    throw badRequest(OAUTH_MESSAGES.locationNotActive);
  }
  // Synchronous from lookup to rotation: of two concurrent refreshes only the first wins.
  const result = ctx.tokens.redeemRefresh(token);
  if (!result.ok) {
    ctx.stats.oauth.refreshFailed++;
    throw badRequest(OAUTH_MESSAGES.invalidRefresh);
  }
  ctx.stats.oauth.refreshOk++;
  return tokenResponse(ctx, ctx.tokens.issue(result.grant, { withRefresh: true }, ctx.now()));
}

export function registerOauthRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  for (const url of ['/oauth/chooselocation', '/v2/oauth/chooselocation']) {
    apiRoute(app, ctx, { method: 'GET', url }, ({ query, reply }) => {
      const app = ctx.identity.app;
      if (queryText(query['client_id']) !== app.clientId) throw badRequest('Invalid client_id');
      const redirectUri = queryText(query['redirect_uri']);
      if (redirectUri === undefined || !URL.canParse(redirectUri))
        throw badRequest('redirect_uri is required');
      const company = queryText(query['user_type']) === 'Company';
      const locationId = company
        ? undefined
        : (queryText(query['location_id']) ?? ctx.state.mainLocation.id);
      if (locationId !== undefined && ctx.state.location(locationId) === undefined)
        throw badRequest('Unknown location_id');
      const grant: TokenGrant = {
        kind: company ? 'agency' : 'oauth',
        scopes: (queryText(query['scope']) ?? '').split(/\s+/).filter((scope) => scope !== ''),
        companyId: ctx.identity.companyId,
        appId: app.appId,
        userId: ctx.identity.users[0]?.id ?? ctx.identity.companyId,
        ...(locationId === undefined ? {} : { locationId }),
      };
      const target = new URL(redirectUri);
      target.searchParams.set(
        'code',
        ctx.tokens.issueCode(grant, app.clientId, redirectUri, ctx.now()),
      );
      const state = queryText(query['state']);
      if (state !== undefined) target.searchParams.set('state', state);
      void reply.redirect(target.toString(), 302);
      return 'sent';
    });
  }

  apiRoute(app, ctx, { method: 'POST', url: '/oauth/token' }, ({ request }) => {
    const body = formBody(request);
    requireFields(body, ['client_id', 'client_secret', 'grant_type']);
    const grantType = body['grant_type'] ?? '';
    if (!GRANT_TYPES.includes(grantType))
      throw unprocessable([
        `grant_type must be one of the following values: ${GRANT_TYPES.join(', ')}`,
      ]);
    const { clientId, clientSecret } = ctx.identity.app;
    if (body['client_id'] !== clientId || body['client_secret'] !== clientSecret) {
      throw new GhlHttpError(401, {
        statusCode: 401,
        message: OAUTH_MESSAGES.invalidClient,
        error: 'Unauthorized',
      });
    }
    if (grantType === 'authorization_code') return exchangeCode(ctx, body);
    if (grantType === 'refresh_token') return refresh(ctx, body);
    throw badRequest('grant_type client_credentials is not enabled for this app');
  });

  apiRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/oauth/locationToken',
      version: '2021-07-28',
      auth: { scope: 'oauth.write', tokenClass: 'agency' },
    },
    ({ principal, request }) => {
      const body = formBody(request);
      requireFields(body, ['companyId', 'locationId']);
      const location = ctx.state.location(body['locationId'] ?? '');
      if (
        body['companyId'] !== principal.companyId ||
        location === undefined ||
        location.companyId !== principal.companyId
      ) {
        throw locationForbidden();
      }
      const scopes = principal.scopes.filter((scope) => !scope.startsWith('oauth.'));
      const grant: TokenGrant = {
        kind: 'oauth',
        scopes,
        locationId: location.id,
        companyId: principal.companyId,
        appId: principal.appId,
        userId: principal.userId,
      };
      const issued = ctx.tokens.issue(grant, { withRefresh: false }, ctx.now());
      ctx.stats.oauth.locationTokens++;
      return {
        status: 200,
        body: {
          access_token: issued.accessToken,
          token_type: 'Bearer',
          expires_in: issued.expiresInSec ?? OAUTH_EXPIRES_IN_SEC,
          scope: scopes.join(' '),
          locationId: location.id,
          userId: principal.userId,
          appId: ctx.identity.app.appId,
          versionId: ctx.identity.app.versionId,
        },
      };
    },
  );

  apiRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/oauth/installedLocations',
      version: '2021-07-28',
      auth: { scope: 'oauth.readonly', tokenClass: 'agency' },
    },
    ({ principal, query }) => {
      const companyId = queryText(query['companyId']);
      const appId = queryText(query['appId']);
      const missing = [
        companyId === undefined ? 'companyId' : '',
        appId === undefined ? 'appId' : '',
      ].filter((f) => f !== '');
      if (missing.length > 0)
        throw unprocessable(missing.map((field) => `${field} should not be empty`));
      if (companyId !== principal.companyId) throw locationForbidden();
      const locations = ctx.identity.locations.map((location) => ({
        _id: location.id,
        name: location.name,
        address: `${location.address}, ${location.city}, ${location.state} ${location.postalCode}`,
        isInstalled: true,
      }));
      return {
        status: 200,
        body: { locations, count: locations.length, installToFutureLocations: true },
      };
    },
  );
}
