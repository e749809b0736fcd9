/**
 * What every GHL operation needs: the transport, the location it acts for, and who is asking.
 */
import type { GhlHttp, GhlRequest } from '../http.ts';
import type { Lane } from '../rate-limiter.ts';

/** The location-bound context operations run in. */
export interface GhlContext {
  http: GhlHttp;
  locationId: string;
  /** Default lane for calls made through this context. */
  lane?: Lane;
  signal?: AbortSignal;
}

/** Per-call options every operation accepts. */
export interface CallOptions {
  lane?: Lane;
  signal?: AbortSignal;
}

/** Sends `req` in `ctx`, returning the parsed body. */
export async function call<T>(
  ctx: GhlContext,
  req: Omit<GhlRequest, 'locationId'>,
  options: CallOptions = {},
): Promise<T> {
  const lane = options.lane ?? req.lane ?? ctx.lane;
  const signal = options.signal ?? req.signal ?? ctx.signal;
  const response = await ctx.http.request<T>({
    ...req,
    locationId: ctx.locationId,
    ...(lane ? { lane } : {}),
    ...(signal ? { signal } : {}),
  });
  return response.body;
}

/** `encodeURIComponent` for a path segment. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

export const READ = 'contacts.readonly';
export const WRITE = 'contacts.write';
