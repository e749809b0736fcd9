/**
 * Raw HTTP calls to the GHL sandbox, for tests that check exact statuses, headers and bodies
 * rather than going through the client.
 */
import assert from 'node:assert/strict';
import { versionForPath } from '../../src/ghl/http.ts';
import type { GhlSandbox } from '../../sandbox/ghl/index.ts';

/** A raw answer: status, headers and the parsed JSON body (`{}` when empty). */
export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * `method path` on the sandbox, with a bearer `token` when given and the `Version` header the
 * path's service needs (`version` overrides it; `null` sends none).
 */
export async function call(
  sandbox: GhlSandbox,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; version?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.version !== null) headers['version'] = options.version ?? versionForPath(path);
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** `body` without its `traceId`, after checking it has one (every GHL body does). */
export function withoutTrace(body: Record<string, unknown>): Record<string, unknown> {
  assert.equal(typeof body['traceId'], 'string', 'every GHL body carries a traceId');
  const { traceId: _trace, ...rest } = body;
  return rest;
}

/** The read and write contact scopes. */
export const RW = ['contacts.readonly', 'contacts.write'];
