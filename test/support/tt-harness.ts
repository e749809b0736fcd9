/**
 * Helpers for Tenant Turner sandbox tests: plain-fetch calls with Basic auth (optionally through a
 * recorder, so a spec test can check every response), a local webhook receiver, and waiting for
 * a condition instead of sleeping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TtSandbox } from '../../sandbox/tenant-turner/index.ts';

export type Json = Record<string, unknown>;

/** One response as the tests see it; `body` is parsed JSON, or undefined for an empty body. */
export interface TtReply {
  method: string;
  path: string;
  status: number;
  body: unknown;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Default the sandbox's current key; null sends no Authorization header; a string is sent as-is. */
  authorization?: string | null;
}

/** Every reply of `call`, for tests that validate them afterwards. */
export const recorded: TtReply[] = [];

/** `Basic base64(key)`, Tenant Turner's Authorization header. */
export function basic(key: string): string {
  return `Basic ${Buffer.from(key).toString('base64')}`;
}

/** Calls the sandbox with plain fetch. */
export async function call(
  sandbox: TtSandbox,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<TtReply> {
  const authorization =
    options.authorization === undefined ? basic(sandbox.apiKey) : options.authorization;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(authorization === null ? {} : { authorization }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const reply = {
    method,
    path,
    status: response.status,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    text,
  };
  recorded.push(reply);
  return reply;
}

/** `call` that asserts the status and returns the body as an object. */
export async function expectStatus(
  sandbox: TtSandbox,
  status: number,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Json> {
  const reply = await call(sandbox, method, path, options);
  if (reply.status !== status)
    throw new Error(`${method} ${path}: expected ${status}, got ${reply.status} ${reply.text}`);
  return (reply.body ?? {}) as Json;
}

/** POST to an operator endpoint (no API key), asserting 2xx. */
export async function operate(sandbox: TtSandbox, path: string, body?: unknown): Promise<Json> {
  const reply = await call(sandbox, 'POST', `/__sandbox${path}`, {
    authorization: null,
    ...(body === undefined ? {} : { body }),
  });
  if (reply.status >= 300) throw new Error(`operator ${path}: ${reply.status} ${reply.text}`);
  return (reply.body ?? {}) as Json;
}

/** A `YYYY-MM-DD` date `days` before now (UTC). */
export function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Polls `check` every 10 ms until it holds; fails after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One webhook as it arrived. */
export interface Delivery {
  raw: Buffer;
  body: Json;
  signature: string;
  /** Arrival time, epoch ms. */
  at: number;
}

/** A local webhook endpoint; `status` picks the reply per delivery index. */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  status: (index: number) => number = () => 204;
  url = '';
  readonly #server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const index = this.deliveries.length;
      this.deliveries.push({
        raw,
        body: JSON.parse(raw.toString('utf8')) as Json,
        signature: String(request.headers['x-payload-signature'] ?? ''),
        at: Date.now(),
      });
      response.writeHead(this.status(index)).end();
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/tt-hooks`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Event types received so far, in arrival order. */
  types(): string[] {
    return this.deliveries.map((d) => String(d.body['EventType']));
  }

  /** Waits until an event of `type` (matching `where`) has arrived, and returns it. */
  async next(type: string, where: (body: Json) => boolean = () => true): Promise<Delivery> {
    let found: Delivery | undefined;
    await waitUntil(`webhook ${type}`, () => {
      found = this.deliveries.find((d) => d.body['EventType'] === type && where(d.body));
      return found !== undefined;
    });
    if (found === undefined) throw new Error(`no ${type} webhook`);
    return found;
  }

  clear(): void {
    this.deliveries.length = 0;
    this.status = () => 204;
  }
}
