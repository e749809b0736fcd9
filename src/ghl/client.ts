/**
 * The GHL client's public face: `new GhlClient({ auth, ... }).location(id)` gives every operation
 * ttsync uses, bound to one location (its token and its rate-limit budget).
 */
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { GhlAuth } from './auth.ts';
import { GhlHttp } from './http.ts';
import type { GhlHttpOptions } from './http.ts';
import * as calendars from './ops/calendars.ts';
import * as lists from './ops/contact-lists.ts';
import * as contacts from './ops/contacts.ts';
import type { GhlContext } from './ops/context.ts';
import * as location from './ops/location.ts';
import * as notes from './ops/notes.ts';
import * as tasks from './ops/tasks.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { Lane, RateLimiterOptions } from './rate-limiter.ts';

export interface GhlClientOptions {
  auth: GhlAuth;
  baseUrl?: string;
  clock?: Clock;
  logger?: Logger;
  /** Burst/daily limits; `enabled: false` turns client-side budgeting off (benchmarks). */
  rateLimit?: Omit<RateLimiterOptions, 'clock' | 'logger'>;
  /** A limiter shared with other clients (e.g. one per process). */
  limiter?: RateLimiter;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  fetch?: typeof fetch;
}

type Bound<F> = F extends (ctx: GhlContext, ...args: infer A) => infer R
  ? (...args: A) => R
  : never;
type BindAll<M> = {
  [K in keyof M as M[K] extends (ctx: GhlContext, ...args: never[]) => unknown ? K : never]: Bound<
    M[K]
  >;
};

function bindAll<M extends object>(ctx: GhlContext, module: M): BindAll<M> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'function')
      out[name] = (value as (...args: unknown[]) => unknown).bind(undefined, ctx);
  }
  return out as BindAll<M>;
}

/** Every operation, bound to one location. */
export type GhlLocationClient = { readonly locationId: string } & BindAll<typeof contacts> &
  BindAll<typeof lists> &
  BindAll<typeof tasks> &
  BindAll<typeof notes> &
  BindAll<typeof calendars> &
  BindAll<typeof location>;

/** The GHL API client. One instance per process; `location(id)` per sub-account. */
export class GhlClient {
  readonly http: GhlHttp;
  readonly limiter: RateLimiter;

  constructor(options: GhlClientOptions) {
    this.limiter =
      options.limiter ??
      new RateLimiter({
        // A request with no response yet may still reach GHL until it times out.
        ...(options.timeoutMs !== undefined ? { inFlightMs: options.timeoutMs } : {}),
        ...options.rateLimit,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
    const httpOptions: GhlHttpOptions = { auth: options.auth, limiter: this.limiter };
    for (const key of [
      'baseUrl',
      'clock',
      'logger',
      'timeoutMs',
      'maxRetries',
      'retryBaseMs',
      'retryMaxMs',
      'fetch',
    ] as const) {
      if (options[key] !== undefined) Object.assign(httpOptions, { [key]: options[key] });
    }
    this.http = new GhlHttp(httpOptions);
  }

  /** Every operation for `locationId`, calls defaulting to `lane` (default 'user'). */
  location(locationId: string, lane?: Lane): GhlLocationClient {
    const ctx: GhlContext = { http: this.http, locationId, ...(lane ? { lane } : {}) };
    return {
      locationId,
      ...bindAll(ctx, contacts),
      ...bindAll(ctx, lists),
      ...bindAll(ctx, tasks),
      ...bindAll(ctx, notes),
      ...bindAll(ctx, calendars),
      ...bindAll(ctx, location),
    };
  }

  /** Stops the limiter's timers and rejects its waiters. */
  stop(): void {
    this.limiter.stop();
  }
}
