/**
 * JSON calls to a sandbox's operator endpoints (`/__sandbox/…`, no credentials), shared by the
 * GHL and Tenant Turner harnesses and the end-to-end tests.
 */

/** `method url` with an optional JSON body; the parsed JSON answer, or a thrown error. */
export async function operatorJson<T = Record<string, unknown>>(
  url: string,
  method = 'GET',
  body?: unknown,
): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} → ${response.status}: ${text}`);
  return (text === '' ? {} : JSON.parse(text)) as T;
}

/** `operatorJson` on a path of a running sandbox. */
export function operator<T = Record<string, unknown>>(
  box: { readonly url: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return operatorJson<T>(box.url + path, method, body);
}
