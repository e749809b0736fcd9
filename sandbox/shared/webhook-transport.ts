/**
 * One webhook HTTP attempt with node:http(s), for both sandboxes: no keep-alive (nothing lingers
 * after close), an overall deadline, and a handle so the dispatcher can abort everything on close.
 */
import http from 'node:http';
import https from 'node:https';

/** What one attempt came to: a status, or an error text when no response arrived. */
export interface AttemptResult {
  status?: number;
  error?: string;
}

/**
 * POSTs `body` to `url` with `headers` (which may override the defaults, `user-agent` included);
 * resolves with the status or an error text, never rejects.
 */
export function postWebhook(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
  inFlight: Set<http.ClientRequest>,
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlight.delete(request);
      resolve(result);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ error: `invalid URL ${url}` });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.length),
        'user-agent': 'sandbox-webhooks/1.0',
        ...headers,
      },
    });
    inFlight.add(request);
    const timer = setTimeout(() => {
      request.destroy(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    request.on('response', (response) => {
      response.resume();
      finish({ status: response.statusCode ?? 0 });
    });
    request.on('error', (error) => finish({ error: error.message }));
    request.on('close', () => finish({ error: 'connection closed without a response' }));
    request.end(body);
  });
}
