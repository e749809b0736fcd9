/**
 * Test wiring for the Tenant Turner client's unit tests: a scripted `fetch` that records every
 * request (with the injected clock's time), and a driver that moves a `ManualClock` until a
 * promise settles.
 */
import type { ManualClock } from '../../src/shared/clock.ts';

/** One request the client sent. */
export interface SentRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
  /** The injected clock's time when it was sent. */
  at: number;
}

/** What the fake server answers: a response, or an error to throw (a network failure). */
export type Reply = Response | Error | ((request: SentRequest) => Response | Error);

/** JSON response helper. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A `fetch` answering from `replies` in order (the last one repeats), recording requests. */
export function fakeFetch(
  clock: { now(): number },
  replies: Reply[] | ((request: SentRequest) => Response | Error),
): { fetch: typeof fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const fetchImpl = async (
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> => {
    const raw = typeof init?.body === 'string' ? init.body : undefined;
    const request: SentRequest = {
      method: init?.method ?? 'GET',
      url: new URL(input instanceof Request ? input.url : input),
      headers: new Headers(init?.headers),
      body: raw === undefined ? undefined : (JSON.parse(raw) as unknown),
      at: clock.now(),
    };
    sent.push(request);
    let reply: Reply | undefined;
    if (typeof replies === 'function') reply = replies;
    else reply = replies[Math.min(sent.length - 1, replies.length - 1)];
    if (reply === undefined) throw new Error('no reply scripted');
    const outcome = typeof reply === 'function' ? reply(request) : reply;
    if (outcome instanceof Error) throw outcome;
    return outcome.clone();
  };
  return { fetch: fetchImpl, sent };
}

/** A timeout as `AbortSignal.timeout` reports it. */
export function timeoutError(): Error {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

/** Advances `clock` in `stepMs` steps until `promise` settles; returns its outcome. */
export async function drive<T>(
  clock: ManualClock,
  promise: Promise<T>,
  stepMs = 50,
  maxMs = 600_000,
): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  for (let elapsed = 0; !settled && elapsed <= maxMs; elapsed += stepMs) {
    await clock.advance(stepMs);
  }
  return watched;
}
